"""The NumPy executor: the SGD steps of an epoch as matrix products, a mini-batch at a time.

It is one of the Trainer's two implementations of `steps` (the other, specnet.training.compiled, runs the
same maths in Numba loops). Each step asks the Network for the mini-batch's gradient (BP1–BP4) and hands
it to the Optimizer, which applies η, weight decay and momentum.
"""
from __future__ import annotations

import contextlib

import numpy as np

from specnet.training.network import Workspace

_BLOCK = 512     # training examples copied at a time in shuffled order: few calls, and they stay in cache


def blas_threads(sizes, m):
    """One BLAS thread while training when the mini-batch products are small (under 2 million
    multiply-adds, as at the book's m = 10): splitting those between threads costs more than it saves
    (about 8% of an epoch of [784, 30, 10] at m = 10, bench/RESULTS.md); larger ones keep every thread."""
    if m * max(a * b for a, b in zip(sizes[:-1], sizes[1:])) >= 2_000_000:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits
    return threadpool_limits(limits=1, user_api="blas")


class NumpyExecutor:
    """Takes the SGD steps with NumPy; `dropout_rng` draws the dropout masks."""

    name = "numpy"

    def __init__(self, dropout_rng):
        self.dropout_rng = dropout_rng

    def update_mini_batch(self, net, optimizer, x, y, eta, decay=None, ws=None):
        """Take one gradient step on the mini-batch (x, y) of m columns at learning rate η; `decay` =
        (regularizer, n) with n the training-set size, or None; `ws`: a Workspace for m examples to reuse."""
        m = x.shape[1]
        masks = net.dropout_masks(m, self.dropout_rng)

        def gradient(scale):  # scale × (1/m) Σ_x ∇C_x, as (nabla_w, nabla_b)
            nabla_b, nabla_w = net.backprop(x, y, scale / m, masks, ws)
            return nabla_w, nabla_b
        optimizer.step(net.weights, net.biases, gradient, eta, decay)

    def steps(self, net, optimizer, x, y, order, m, eta, decay, stops=(), start=0):
        """Take the SGD steps of one epoch: the mini-batches of m rows of (x, y) in `order` from mini-batch
        `start` on (those before were taken before a stop), each through update_mini_batch; yield the index j
        of each mini-batch listed in `stops` once it is done (there the caller measures or shows progress)."""
        n = len(order)
        # Note that the book shuffles the data in place; here the rows are copied in the shuffled order
        # a block at a time (saves gathering each mini-batch apart, without a second training set).
        # A block is a whole number of mini-batches, but never more rows than the data: a mini-batch larger
        # than the training set is the whole set (full-batch gradient descent), not a buffer of m rows.
        block = min(max(1, _BLOCK // m) * m, n)
        xbuf, ybuf = np.empty((block, x.shape[1]), x.dtype), np.empty((block, y.shape[1]), y.dtype)
        spaces = {}  # a Workspace by mini-batch size (the last mini-batch of an epoch may be smaller)
        for j, k in enumerate(range(0, n, m)):
            if j < start:
                continue
            if k % block == 0 or j == start:  # the block holding mini-batch j
                rows = order[k - k % block:k - k % block + block]
                xs, ys = np.take(x, rows, axis=0, out=xbuf[:len(rows)]), np.take(y, rows, axis=0, out=ybuf[:len(rows)])
            xb, yb = xs[k % block:k % block + m], ys[k % block:k % block + m]
            ws = spaces.get(len(xb))
            if ws is None:
                ws = spaces[len(xb)] = Workspace(net.sizes, len(xb), net.dtype, any(net.dropout))
            self.update_mini_batch(net, optimizer, xb.T, yb.T, eta, decay, ws)
            if j in stops:
                yield j
