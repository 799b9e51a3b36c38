"""The executor: feedforward, backpropagation and mini-batch SGD in matrix form (the book's BP1–BP4).

Note that, unlike network.py, a whole mini-batch goes through at once, as a matrix with one column per
example (the "fully matrix-based approach" of ch. 2): z^l = w^l a^{l−1} + b^l holds column by column,
and the sums over the mini-batch become matrix products.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np

from specnet.components.metrics import epochs_since_best

_CHUNK = 10_000  # examples per feedforward when evaluating: bounds the memory of z^l
_BLOCK = 512     # training examples copied at a time in shuffled order: few calls, and they stay in cache


def blas_threads(sizes, m):
    """One BLAS thread while training when the mini-batch products are small (under 2 million
    multiply-adds, as at the book's m = 10): splitting those between threads costs more than it saves
    (about 8% of an epoch of [784, 30, 10] at m = 10, bench/RESULTS.md); larger ones keep every thread."""
    if m * max(a * b for a, b in zip(sizes[:-1], sizes[1:])) >= 2_000_000:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits
    return threadpool_limits(limits=1, user_api="blas")


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


@dataclass
class Recipe:
    """How to train: the compiled `training` section of a spec."""
    epochs: int
    mini_batch_size: int = 10
    monitor: tuple = ()
    shuffle: bool = True
    schedule: object = None        # rate(eta0, history) -> η for the next epoch, or None to stop
    early_stopping: object = None  # EarlyStopping, or None
    monitor_every: int | None = None  # also measure the evaluation_* metrics every this many images
    expansion: object = None       # an Expansion whose copies are drawn afresh every epoch (per_epoch), or None
    expand_rng: object = None


class Executor:
    """A compiled network. Weights w^l are (n_l, n_{l−1}) and biases b^l are (n_l, 1), as in the book."""

    def __init__(self, sizes, activations, cost, weights, biases, optimizer=None, regularizer=None, dropout=None):
        self.sizes, self.activations, self.cost = list(sizes), activations, cost
        self.weights, self.biases = weights, biases
        self.optimizer, self.regularizer = optimizer, regularizer
        self.dropout = list(dropout or [0.0] * len(weights))  # fraction of each layer's neurons dropped
        self.dropout_rng = None

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

    def dropout_masks(self, m):
        """Return one mask per layer for a mini-batch of m (None where nothing is dropped).

        Note that the book halves the weights out of a dropout layer when evaluating; this is "inverted"
        dropout instead: kept activations are scaled by 1/(1 − p) while training, which is the same in
        expectation and leaves evaluation untouched.
        """
        if not any(self.dropout):
            return None
        return [None if not p else (self.dropout_rng.random((size, m)) >= p).astype(self.dtype) * (1 / (1 - p))
                for p, size in zip(self.dropout, self.sizes[1:])]

    def update_mini_batch(self, x, y, n, ws=None):
        """Take one gradient step on the mini-batch (x, y) of m columns, with n the training-set size
        (`ws`: a Workspace for m examples to reuse, see backprop)."""
        eta = self.optimizer.eta
        masks = self.dropout_masks(x.shape[1])
        nabla_b, nabla_w = self.backprop(x, y, -eta / x.shape[1], masks, ws)  # −(η/m) Σ_x ∇C_x
        reg = self.regularizer
        if reg is not None and reg.lmbda:
            # Note that the regularization term is part of ∇C, so with momentum it goes into the velocity.
            decay = eta * reg.lmbda / n  # ηλ/n: w → w − (ηλ/n)w (L2, 93) or − (ηλ/n) sgn(w) (L1, 97)
            for w, nw in zip(self.weights, nabla_w):
                nw -= decay * reg.grad(w)
        self.optimizer.step(self.weights + self.biases, nabla_w + nabla_b)

    def train(self, training, recipe, rng, evaluation=None, on_epoch=None, on_batch=None, on_check=None):
        """Run mini-batch SGD as the Recipe says; return one dict of metrics per epoch.

        `training` and `evaluation` are Datasets (examples as rows); `rng` draws the shuffles. Callbacks:
        `on_epoch(record)` after each epoch, `on_batch(done, total)` about a hundred times per epoch, and
        `on_check(record)` every `recipe.monitor_every` images. The last record says why training stopped
        early, if it did ("stop").
        """
        with blas_threads(self.sizes, recipe.mini_batch_size):
            return self._train(training, recipe, rng, evaluation, on_epoch, on_batch, on_check)

    def steps(self, x, y, order, m, stops=()):
        """Take the SGD steps of one epoch: the mini-batches of m rows of (x, y) in `order`, each through
        update_mini_batch; yield the index j of each mini-batch listed in `stops` once it is done (there
        the caller measures or shows progress)."""
        n = len(order)
        # Note that the book shuffles the data in place; here the rows are copied in the shuffled order
        # a block at a time (saves gathering each mini-batch apart, without a second training set).
        # A block is a whole number of mini-batches, but never more rows than the data: a mini-batch larger
        # than the training set is the whole set (full-batch gradient descent), not a buffer of m rows.
        block = min(max(1, _BLOCK // m) * m, n)
        xbuf, ybuf = np.empty((block, x.shape[1]), x.dtype), np.empty((block, y.shape[1]), y.dtype)
        spaces = {}  # a Workspace by mini-batch size (the last mini-batch of an epoch may be smaller)
        for j, k in enumerate(range(0, n, m)):
            if k % block == 0:
                rows = order[k:k + block]
                xs, ys = np.take(x, rows, axis=0, out=xbuf[:len(rows)]), np.take(y, rows, axis=0, out=ybuf[:len(rows)])
            xb, yb = xs[k % block:k % block + m], ys[k % block:k % block + m]
            ws = spaces.get(len(xb))
            if ws is None:
                ws = spaces[len(xb)] = Workspace(self.sizes, len(xb), self.dtype, any(self.dropout))
            self.update_mini_batch(xb.T, yb.T, n, ws)
            if j in stops:
                yield j

    def _train(self, training, recipe, rng, evaluation, on_epoch, on_batch, on_check):
        m, opt = recipe.mini_batch_size, self.optimizer
        eta0 = eta = opt.eta
        opt.start(self.weights + self.biases)
        x, y = training.x, training.y
        n = len(x) * (1 + recipe.expansion.copies if recipe.expansion else 1)
        every, seen, history, kept = max(1, (n // m) // 100), 0, [], None
        quick = tuple(k for k in recipe.monitor if k.startswith("evaluation_"))
        for epoch in range(recipe.epochs):
            opt.eta = eta
            if recipe.expansion is not None:  # fresh transformed copies for this epoch (ch. 3, expansion)
                x = np.concatenate([training.x, recipe.expansion(training.x, recipe.expand_rng)])
                y = np.tile(training.y, (1 + recipe.expansion.copies, 1))
            order = rng.permutation(n) if recipe.shuffle else np.arange(n)
            ends = [min(k + m, n) for k in range(0, n, m)]  # images done after each mini-batch of the epoch
            checks = {j for j, e in enumerate(ends) if recipe.monitor_every and on_check
                      and (seen + e) % recipe.monitor_every < e - j * m}
            ticks = set(range(0, len(ends), every)) if on_batch is not None else set()
            for j in self.steps(x, y, order, m, checks | ticks):
                if j in checks:
                    on_check({"epoch": epoch, "images": seen + ends[j], **self.measure(quick, None, evaluation, n)})
                if j in ticks:
                    on_batch(j * m + m, n)
            seen += n
            record = {"epoch": epoch, "eta": eta, **self.measure(recipe.monitor, training, evaluation, n)}
            history.append(record)
            stop, es = None, recipe.early_stopping
            if es is not None:
                if es.restore_best and epochs_since_best(history, es.metric) == 0:
                    kept = (epoch, [w.copy() for w in self.weights], [b.copy() for b in self.biases])
                if es.should_stop(history):
                    stop = f"early stopping: no improvement in {es.metric} for {es.patience} epochs"
            if stop is None and recipe.schedule is not None:
                eta = recipe.schedule.rate(eta0, history)
                stop = None if eta is not None else "the schedule ended training (eta fell to its minimum)"
            if kept is not None and (stop or epoch == recipe.epochs - 1):
                self.weights, self.biases = kept[1], kept[2]  # the parameters of the best epoch
                record["restored_epoch"] = kept[0]
            if stop:
                record["stop"] = stop
            if on_epoch is not None:
                on_epoch(record)
            if stop:
                break
        opt.eta = eta0
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
