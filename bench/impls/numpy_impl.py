"""A plain NumPy loop: the book's matrix-based backpropagation written directly, as a tutorial would."""
import numpy as np

requires = ()


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class Trainer:
    def __init__(self, p):
        self.p = p
        self.reset()

    def reset(self):
        self.w = [w.copy() for w in self.p.weights]
        self.b = [b.copy() for b in self.p.biases]

    def epoch(self):
        (w1, w2), (b1, b2), x_all, y_all = self.w, self.b, self.p.x, self.p.y
        eta, quadratic = self.p.eta, self.p.cost == "quadratic"
        with np.errstate(over="ignore"):  # e^−z overflows to inf for very negative z: σ is then 0, as it should be
            for idx in self.p.batches():
                x, y = x_all[idx].T, y_all[idx].T
                a1 = sigmoid(w1 @ x + b1)
                a2 = sigmoid(w2 @ a1 + b2)
                d2 = (a2 - y) * a2 * (1 - a2) if quadratic else a2 - y
                d1 = (w2.T @ d2) * a1 * (1 - a1)
                k = eta / len(idx)
                w2 -= k * (d2 @ a1.T)
                b2 -= k * d2.sum(axis=1, keepdims=True)
                w1 -= k * (d1 @ x.T)
                b1 -= k * d1.sum(axis=1, keepdims=True)

    def accuracy(self) -> float:
        with np.errstate(over="ignore"):
            a = sigmoid(self.w[1] @ sigmoid(self.w[0] @ self.p.test_x.T + self.b[0]) + self.b[1])
        return float(np.mean(a.argmax(axis=0) == self.p.test_labels))
