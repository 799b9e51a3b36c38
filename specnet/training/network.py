"""The network: feedforward and backpropagation in matrix form (the book's BP1–BP4), and its evaluation.

Note that, unlike network.py, a whole mini-batch goes through at once, as a matrix with one column per
example (the "fully matrix-based approach" of ch. 2): z^l = w^l a^{l−1} + b^l holds column by column,
and the sums over the mini-batch become matrix products. A Network owns its parameters; how they are
trained (mini-batches, η, momentum, schedules) is the Trainer's and the Optimizer's.
"""
from __future__ import annotations

import numpy as np

_CHUNK = 10_000  # examples per feedforward when evaluating: bounds the memory of z^l
FORMAT = "specnet-model"  # model.json's "format" for a network (specnet.runs.io writes and reads it)


class Workspace:
    """The arrays one training step writes, for mini-batches of m examples, made once and reused: z^l, a^l,
    δ^l, σ'(z^l), the dropped-out activations, and the gradients (allocating them anew for every
    mini-batch costs more than the arithmetic at the book's m = 10)."""

    def __init__(self, sizes, m, dtype, dropout=True):
        layers = sizes[1:]
        self.z, self.a, self.delta, self.scratch = ([np.empty((k, m), dtype) for k in layers] for _ in range(4))
        self.dropped = [np.empty((k, m), dtype) for k in layers] if dropout else [None] * len(layers)
        self.nabla_w = [np.empty((k, j), dtype) for j, k in zip(sizes[:-1], layers)]
        self.nabla_b = [np.empty((k, 1), dtype) for k in layers]
        self.ones = np.ones((m, 1), dtype)  # Σ over the mini-batch as a matrix product: cheaper than sum()


class Network:
    """A compiled network. Weights w^l are (n_l, n_{l−1}) and biases b^l are (n_l, 1), as in the book. The
    cost C is the cost function's plus the regularizer's term (85, 95); `dropout[l]` is the fraction of
    layer l's neurons dropped while training."""

    def __init__(self, sizes, activations, cost, weights, biases, regularizer, dropout):
        self.sizes, self.activations, self.cost = list(sizes), activations, cost
        self.weights, self.biases = weights, biases
        self.regularizer, self.dropout = regularizer, list(dropout)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(sizes={self.sizes}, cost={self.cost.name!r})"

    @property
    def dtype(self):
        return self.weights[0].dtype

    def feedforward(self, a):
        """Return a^L for inputs a of shape (n_in, batch): a^l = σ(w^l a^{l−1} + b^l)  (2.3)."""
        for w, b, act in zip(self.weights, self.biases, self.activations):
            a = act.fn(w @ a + b)  # (n_l, batch)
        return a

    def backprop(self, x, y, scale=1.0, masks=None, ws=None):
        """Return (nabla_b, nabla_w), the sums over the columns of x of ∂C_x/∂b^l and ∂C_x/∂w^l, times `scale`.

        x is (n_in, m) and y (n_out, m). Note that `scale` multiplies δ^L, and so every δ^l and gradient
        after it: with scale = −η/m the results are the SGD step itself (1.20–1.21), at no extra cost.
        `masks[l]`, if given, multiplies layer l's activations (dropout) on the way forward and its δ on
        the way back. `ws`, a Workspace for m examples, holds every intermediate array and the results
        (so they are overwritten by the next call with it); without one, all are new arrays.
        """
        ws = ws or Workspace(self.sizes, x.shape[1], self.dtype)
        masks = masks or [None] * len(self.weights)
        # 1) feedforward, keeping every z^l, σ(z^l), and the (possibly dropped-out) input to each layer
        inputs = [x]
        for l, (w, b, act, mask) in enumerate(zip(self.weights, self.biases, self.activations, masks)):
            z = np.dot(w, inputs[-1], out=ws.z[l])  # (n_l, m); np.dot: less overhead than @ on small arrays
            z += b
            a = act.fn(z, out=ws.a[l])
            inputs.append(a if mask is None else np.multiply(a, mask, out=ws.dropped[l]))
        # 2) output error δ^L = ∇_a C ⊙ σ'(z^L)  (BP1), in the form the cost gives it
        delta = self.cost.delta(ws.z[-1], ws.a[-1], y, self.activations[-1], out=ws.delta[-1], scratch=ws.scratch[-1])
        if scale != 1.0:
            delta *= scale
        for l in range(len(self.weights) - 1, -1, -1):
            # 4) gradients ∂C/∂b = δ (BP3) and ∂C/∂w = a_in δ_out (BP4), summed over the mini-batch
            np.dot(delta, ws.ones, out=ws.nabla_b[l])         # (n_l, 1): the sum over the m columns, as a product
            np.dot(delta, inputs[l].T, out=ws.nabla_w[l])     # (n_l, n_{l−1})
            if l:
                # 3) backpropagate δ^{l−1} = ((w^l)^T δ^l) ⊙ σ'(z^{l−1})  (BP2)
                delta = np.dot(self.weights[l].T, delta, out=ws.delta[l - 1])
                delta *= self.activations[l - 1].prime(ws.z[l - 1], ws.a[l - 1], out=ws.scratch[l - 1])
                if masks[l - 1] is not None:
                    delta *= masks[l - 1]  # a dropped neuron passes no error back
        return ws.nabla_b, ws.nabla_w

    def dropout_masks(self, m, rng):
        """Return one mask per layer for a mini-batch of m drawn from `rng` (None where nothing is dropped).

        Note that the book halves the weights out of a dropout layer when evaluating; this is "inverted"
        dropout instead: kept activations are scaled by 1/(1 − p) while training, which is the same in
        expectation and leaves evaluation untouched.
        """
        if not any(self.dropout):
            return None
        return [None if not p else (rng.random((size, m)) >= p).astype(self.dtype) * (1 / (1 - p))
                for p, size in zip(self.dropout, self.sizes[1:])]

    def saved(self) -> dict:
        """Return what model.json says of the network (its arrays go to model.npz, see `arrays`)."""
        return {"format": FORMAT, "version": 1, "sizes": self.sizes, "activations": [a.name for a in self.activations],
                "cost": self.cost.name, "dtype": str(self.dtype)}

    def arrays(self) -> dict:
        """Return the parameters by name for model.npz: w0, b0, w1, b1, ..."""
        return {f"{k}{i}": a for i, (w, b) in enumerate(zip(self.weights, self.biases)) for k, a in (("w", w), ("b", b))}

    def loaded(self, model: dict):
        """Return the network with the weights and biases of a loaded model file (specnet.runs.io.load_model)."""
        self.weights = [np.asarray(w, dtype=self.dtype) for w in model["weights"]]
        self.biases = [np.asarray(b, dtype=self.dtype).reshape(-1, 1) for b in model["biases"]]
        return self

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
