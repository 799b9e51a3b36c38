"""JAX: the whole epoch compiled by XLA, jax.grad for the gradient and lax.scan over the mini-batches.

The first call compiles; `compile_seconds` is its time less a steady epoch's (reported apart).
"""
import numpy as np

from bench.impls import compile_seconds

requires = ("jax",)


class Trainer:
    def __init__(self, p):
        import jax
        if p.dtype.name == "float64":
            jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        self.jax, self.jnp, self.p = jax, jnp, p
        self.x, self.y, self.order = jnp.asarray(p.x), jnp.asarray(p.y), jnp.asarray(p.order)
        self.test_x = jnp.asarray(p.test_x)
        self._epoch = jax.jit(self._make_epoch())
        self.compile_seconds = compile_seconds(self)

    def _make_epoch(self):
        jax, jnp, p = self.jax, self.jnp, self.p
        m, eta, n, quadratic = p.m, p.eta, len(p.order), p.cost == "quadratic"

        def loss(params, x, y):
            (w1, b1), (w2, b2) = params
            a1 = jax.nn.sigmoid(x @ w1.T + b1)
            z2 = a1 @ w2.T + b2
            if quadratic:
                return 0.5 * jnp.sum((jax.nn.sigmoid(z2) - y) ** 2) / x.shape[0]
            # cross-entropy on the logits: −[y ln σ(z) + (1 − y) ln(1 − σ(z))] = softplus(z) − y z
            return jnp.sum(jax.nn.softplus(z2) - y * z2) / x.shape[0]

        def step(params, batch):
            g = jax.grad(loss)(params, *batch)
            return jax.tree_util.tree_map(lambda w, dw: w - eta * dw, params, g), None

        def epoch(params, x, y, order):
            full = (n // m) * m
            xs, ys = x[order[:full]].reshape(n // m, m, -1), y[order[:full]].reshape(n // m, m, -1)
            params, _ = jax.lax.scan(step, params, (xs, ys))
            if full < n:  # the last, shorter mini-batch
                params, _ = step(params, (x[order[full:]], y[order[full:]]))
            return params
        return epoch

    def reset(self):
        jnp = self.jnp
        self.params = [(jnp.asarray(w), jnp.asarray(b.ravel())) for w, b in zip(self.p.weights, self.p.biases)]

    def epoch(self):
        self.params = self._epoch(self.params, self.x, self.y, self.order)
        self.jax.block_until_ready(self.params)

    def accuracy(self) -> float:
        (w1, b1), (w2, b2) = self.params
        a = self.jax.nn.sigmoid(self.jax.nn.sigmoid(self.test_x @ w1.T + b1) @ w2.T + b2)
        return float(np.mean(np.asarray(a).argmax(axis=1) == self.p.test_labels))
