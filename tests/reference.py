"""A slow, obvious reference: the book's per-example algorithm, transcribed by us from its equations.

One example at a time, each an (n, 1) column, exactly as the book's chapter-2 algorithm states it:
feedforward (2.3), output error (BP1), backpropagation (BP2), gradients (BP3, BP4), then the mini-batch
step (1.20–1.21) with L2 weight decay (93), L1 (97) or momentum (v -> mu v - eta grad, w -> w + v).
It shares no code with specnet, so that agreement means something.
"""
import numpy as np


def sigma(name, z):
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(0.0, z)
    if name == "linear":
        return z.copy()
    if name == "softmax":
        e = np.exp(z - np.max(z))
        return e / np.sum(e)
    raise ValueError(name)


def sigma_prime(name, z):
    if name == "sigmoid":
        s = sigma("sigmoid", z)
        return s * (1 - s)
    if name == "tanh":
        return 1 - np.tanh(z) ** 2
    if name == "relu":
        return (z > 0) * 1.0
    if name == "linear":
        return np.ones_like(z)
    raise ValueError(name)


class ReferenceNetwork:
    def __init__(self, weights, biases, activations, cost):
        self.weights = [np.array(w, dtype=np.float64) for w in weights]
        self.biases = [np.array(b, dtype=np.float64).reshape(-1, 1) for b in biases]
        self.activations, self.cost = list(activations), cost
        self.velocities = None

    def feedforward(self, a):
        for w, b, name in zip(self.weights, self.biases, self.activations):
            a = sigma(name, np.dot(w, a) + b)
        return a

    def backprop(self, x, y):
        """Gradient of C_x for one example x (n_in, 1), y (n_out, 1)."""
        activation, activations, zs = x, [x], []
        for w, b, name in zip(self.weights, self.biases, self.activations):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigma(name, z)
            activations.append(activation)
        a_L, z_L = activations[-1], zs[-1]
        if self.cost == "quadratic":
            delta = (a_L - y) * sigma_prime(self.activations[-1], z_L)   # BP1 with grad_a C = a - y
        else:                                                            # cross_entropy (3.12), log_likelihood (81)
            delta = a_L - y
        nabla_b = [None] * len(self.weights)
        nabla_w = [None] * len(self.weights)
        nabla_b[-1] = delta                                              # BP3
        nabla_w[-1] = np.dot(delta, activations[-2].T)                   # BP4
        for l in range(2, len(self.weights) + 1):
            sp = sigma_prime(self.activations[-l], zs[-l])
            delta = np.dot(self.weights[-l + 1].T, delta) * sp           # BP2
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].T)
        return nabla_b, nabla_w

    def update_mini_batch(self, batch, eta, n, regularization="none", lmbda=0.0, mu=0.0, nesterov=False):
        """batch: list of (x, y) columns. n: size of the whole training set. With `nesterov`, the gradient
        is taken at w + mu*v, where the momentum is about to carry the parameters (classic form)."""
        held = None
        if nesterov and self.velocities is not None:
            held, k = (self.weights, self.biases), len(self.weights)
            ahead = [p + mu * v for p, v in zip(self.weights + self.biases, self.velocities)]
            self.weights, self.biases = ahead[:k], ahead[k:]
        grad_w, grad_b = self.gradient(batch, n, regularization, lmbda)
        if held is not None:
            self.weights, self.biases = held
        if mu == 0.0:
            self.weights = [w - eta * g for w, g in zip(self.weights, grad_w)]
            self.biases = [b - eta * g for b, g in zip(self.biases, grad_b)]
            return
        if self.velocities is None:
            self.velocities = [np.zeros(p.shape) for p in self.weights + self.biases]
        params = self.weights + self.biases
        new_v = [mu * v - eta * g for v, g in zip(self.velocities, grad_w + grad_b)]
        new_p = [p + v for p, v in zip(params, new_v)]
        self.velocities = new_v
        k = len(self.weights)
        self.weights, self.biases = new_p[:k], new_p[k:]

    def gradient(self, batch, n, regularization, lmbda):
        """The mini-batch's mean gradient of C at the current parameters, regularization term included."""
        m = len(batch)
        sum_b = [np.zeros(b.shape) for b in self.biases]
        sum_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in batch:
            db, dw = self.backprop(x, y)
            sum_b = [s + d for s, d in zip(sum_b, db)]
            sum_w = [s + d for s, d in zip(sum_w, dw)]
        grad_w = []
        for w, s in zip(self.weights, sum_w):
            g = s / m
            if regularization == "l2":
                g = g + (lmbda / n) * w                                  # (93)
            elif regularization == "l1":
                g = g + (lmbda / n) * np.sign(w)                         # (96), sgn(0) = 0
            grad_w.append(g)
        return grad_w, [s / m for s in sum_b]

    def cost_of(self, x, y):
        a = self.feedforward(x)
        if self.cost == "quadratic":
            return 0.5 * float(np.sum((a - y) ** 2))
        if self.cost == "cross_entropy":
            return float(-np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)))
        return float(-np.sum(y * np.log(a)))
