"""The executor: feedforward, backpropagation and mini-batch SGD in matrix form (the book's BP1–BP4).

Note that, unlike network.py, a whole mini-batch goes through at once, as a matrix with one column per
example (the "fully matrix-based approach" of ch. 2): z^l = w^l a^{l−1} + b^l holds column by column,
and the sums over the mini-batch become matrix products.
"""
from __future__ import annotations

import numpy as np

_CHUNK = 10_000  # examples per feedforward when evaluating: bounds the memory of z^l


class Executor:
    """A compiled network. Weights w^l are (n_l, n_{l−1}) and biases b^l are (n_l, 1), as in the book."""

    def __init__(self, sizes, activations, cost, weights, biases, optimizer=None, regularizer=None):
        self.sizes, self.activations, self.cost = list(sizes), activations, cost
        self.weights, self.biases = weights, biases
        self.optimizer, self.regularizer = optimizer, regularizer

    def __repr__(self) -> str:
        return f"Executor(sizes={self.sizes}, cost={self.cost.name!r})"

    @property
    def dtype(self):
        return self.weights[0].dtype

    def feedforward(self, a):
        """Return a^L for inputs a of shape (n_in, batch): a^l = σ(w^l a^{l−1} + b^l)  (2.3)."""
        for w, b, act in zip(self.weights, self.biases, self.activations):
            a = act.fn(w @ a + b)  # (n_l, batch)
        return a

    def backprop(self, x, y, scale=1.0):
        """Return (nabla_b, nabla_w), the sums over the columns of x of ∂C_x/∂b^l and ∂C_x/∂w^l, times `scale`.

        x is (n_in, m) and y (n_out, m). Note that `scale` multiplies δ^L, and so every δ^l and gradient
        after it: with scale = −η/m the results are the SGD step itself (1.20–1.21), at no extra cost.
        """
        # 1) feedforward, keeping every z^l and a^l
        activations, zs = [x], []
        for w, b, act in zip(self.weights, self.biases, self.activations):
            z = w @ activations[-1]  # (n_l, m)
            z += b
            zs.append(z)
            activations.append(act.fn(z))
        # 2) output error δ^L = ∇_a C ⊙ σ'(z^L)  (BP1), in the form the cost gives it
        delta = self.cost.delta(zs[-1], activations[-1], y, self.activations[-1])
        if scale != 1.0:
            delta *= scale
        nabla_b, nabla_w = [None] * len(zs), [None] * len(zs)
        for l in range(len(zs) - 1, -1, -1):
            # 4) gradients ∂C/∂b = δ (BP3) and ∂C/∂w = a_in δ_out (BP4), summed over the mini-batch
            nabla_b[l] = delta.sum(axis=1, keepdims=True)  # (n_l, 1)
            nabla_w[l] = delta @ activations[l].T          # (n_l, n_{l−1})
            if l:
                # 3) backpropagate δ^{l−1} = ((w^l)^T δ^l) ⊙ σ'(z^{l−1})  (BP2)
                delta = (self.weights[l].T @ delta) * self.activations[l - 1].prime(zs[l - 1], activations[l])
        return nabla_b, nabla_w

    def update_mini_batch(self, x, y, n):
        """Take one gradient step on the mini-batch (x, y) of m columns, with n the training-set size."""
        eta = self.optimizer.eta
        nabla_b, nabla_w = self.backprop(x, y, scale=-eta / x.shape[1])  # −(η/m) Σ_x ∇C_x
        reg = self.regularizer
        if reg is not None and reg.lmbda:
            # Note that the regularization term is part of ∇C, so with momentum it goes into the velocity.
            decay = eta * reg.lmbda / n  # ηλ/n: w → w − (ηλ/n)w (L2, 93) or − (ηλ/n) sgn(w) (L1, 97)
            for w, nw in zip(self.weights, nabla_w):
                nw -= decay * reg.grad(w)
        self.optimizer.step(self.weights + self.biases, nabla_w + nabla_b)

    def train(self, training, epochs, mini_batch_size, rng, evaluation=None, monitor=(), shuffle=True,
              on_epoch=None, on_batch=None):
        """Run mini-batch SGD for `epochs` epochs; return one dict of monitored metrics per epoch.

        `training` and `evaluation` are Datasets (examples as rows). `rng` draws the shuffles; `on_epoch(record)`
        is called after each epoch and `on_batch(done, total)` about a hundred times per epoch.
        """
        n, m = len(training), mini_batch_size
        self.optimizer.start(self.weights + self.biases)
        x, y = training.x, training.y
        every = max(1, (n // m) // 100)
        history = []
        for epoch in range(epochs):
            # Note that the book shuffles the data in place; gathering each mini-batch through a random
            # order is the same sampling, and copies m rows rather than the whole training set.
            order = rng.permutation(n) if shuffle else np.arange(n)
            for j, k in enumerate(range(0, n, m)):
                batch = order[k:k + m]
                self.update_mini_batch(x[batch].T, y[batch].T, n)
                if on_batch is not None and j % every == 0:
                    on_batch(k + m, n)
            record = {"epoch": epoch, **self.measure(monitor, training, evaluation, n)}
            history.append(record)
            if on_epoch is not None:
                on_epoch(record)
        return history

    def outputs(self, data):
        """Return a^L for every example of a Dataset, as rows (N, n_out), computed in chunks."""
        return np.concatenate([self.feedforward(data.x[k:k + _CHUNK].T).T for k in range(0, len(data), _CHUNK)])

    def evaluate(self, data, outputs=None) -> int:
        """Return the number of examples whose predicted class is their label (argmax; one output: >= 0.5)."""
        a = self.outputs(data) if outputs is None else outputs
        predicted = (a[:, 0] >= 0.5) if a.shape[1] == 1 else a.argmax(axis=1)
        return int(np.sum(predicted == data.labels))

    def total_cost(self, data, n, outputs=None) -> float:
        """Return C = (1/N) Σ_x C_x over the data + the regularization term (λ/n) Σ_w penalty(w)  (85, 95).

        Note that n is the training-set size, as in (85), whatever the size N of the data evaluated
        (network2's total_cost uses N in the regularization term).
        """
        a = self.outputs(data) if outputs is None else outputs
        # Note that the sum over the data is taken in float64 whatever the network's dtype.
        cost = self.cost.fn(a.T.astype(np.float64), data.y.T.astype(np.float64)) / len(data)
        reg = self.regularizer
        if reg is not None and reg.lmbda:
            cost += reg.lmbda / n * sum(reg.penalty(w) for w in self.weights)
        return float(cost)

    def measure(self, monitor, training, evaluation, n) -> dict:
        """Return the monitored metrics: accuracy as a fraction (with the count) and cost."""
        out = {}
        for role, data in (("training", training), ("evaluation", evaluation)):
            wanted = [m for m in monitor if m.startswith(role + "_")]
            if not wanted or data is None:
                continue
            a = self.outputs(data)
            if f"{role}_accuracy" in wanted:
                correct = self.evaluate(data, a)
                out.update({f"{role}_accuracy": correct / len(data), f"{role}_correct": correct,
                            f"{role}_total": len(data)})
            if f"{role}_cost" in wanted:
                out[f"{role}_cost"] = self.total_cost(data, n, a)
        return out
