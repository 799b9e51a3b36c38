"""Numba: the whole epoch as one @njit function, loops for the elementwise work and np.dot (BLAS) for the
matrix products. Networks with one hidden layer, as in the benchmark.

The first call compiles; `compile_seconds` is its time less a steady epoch's (reported apart).
"""
import numpy as np

from bench.impls import compile_seconds

requires = ("numba", "scipy")  # numba's np.dot calls BLAS through SciPy

_epoch = None


def _compile():
    global _epoch
    if _epoch is not None:
        return _epoch
    from numba import njit

    @njit(cache=False)
    def epoch(w1, b1, w2, b2, x_all, y_all, order, m, eta, quadratic):
        n, n_in = order.shape[0], x_all.shape[1]
        h, o = w1.shape[0], w2.shape[0]
        for k in range(0, n, m):
            mb = min(m, n - k)
            x = np.empty((mb, n_in), x_all.dtype)
            y = np.empty((mb, o), y_all.dtype)
            for i in range(mb):
                x[i] = x_all[order[k + i]]
                y[i] = y_all[order[k + i]]
            a1 = np.dot(x, w1.T)
            for i in range(mb):
                for j in range(h):
                    a1[i, j] = 1.0 / (1.0 + np.exp(-(a1[i, j] + b1[j])))
            a2 = np.dot(a1, w2.T)
            d2 = np.empty_like(a2)
            for i in range(mb):
                for j in range(o):
                    a = 1.0 / (1.0 + np.exp(-(a2[i, j] + b2[j])))
                    d2[i, j] = (a - y[i, j]) * a * (1.0 - a) if quadratic else a - y[i, j]
            d1 = np.dot(d2, w2)
            for i in range(mb):
                for j in range(h):
                    d1[i, j] *= a1[i, j] * (1.0 - a1[i, j])
            k_ = eta / mb
            g2 = np.dot(d2.T, a1)
            g1 = np.dot(d1.T, x)
            for j in range(o):
                for i in range(h):
                    w2[j, i] -= k_ * g2[j, i]
                b2[j] -= k_ * d2[:, j].sum()
            for j in range(h):
                for i in range(n_in):
                    w1[j, i] -= k_ * g1[j, i]
                b1[j] -= k_ * d1[:, j].sum()
    _epoch = epoch
    return epoch


class Trainer:
    def __init__(self, p):
        self.p, self.fn = p, _compile()
        self.compile_seconds = compile_seconds(self)

    def reset(self):
        self.w = [w.copy() for w in self.p.weights]  # C-ordered copies
        self.b = [b.ravel().copy() for b in self.p.biases]

    def epoch(self):
        p = self.p
        self.fn(self.w[0], self.b[0], self.w[1], self.b[1], p.x, p.y, p.order, p.m, float(p.eta),
                p.cost == "quadratic")

    def accuracy(self) -> float:
        z1 = self.p.test_x @ self.w[0].T + self.b[0]
        a1 = 1.0 / (1.0 + np.exp(-z1))
        a = a1 @ self.w[1].T + self.b[1]
        return float(np.mean(a.argmax(axis=1) == self.p.test_labels))
