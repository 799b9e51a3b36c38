"""The compiled executor's loops for large mini-batches (more than 32 examples) of sparse inputs, on every
core: what `auto` runs at m = 100 or 1000 on MNIST.

A step is three passes over the mini-batch, each split between the cores with no two writing the same number:
1. every example on its own (`prange` over blocks of examples): feedforward (2.3), δ^L (BP1) and δ^l back
   to layer 1 (BP2), with the row helpers of specnet.training.compiled, so the maths is theirs; and its
   nonzero inputs counted by column;
2. the mini-batch's inputs listed by input column (`_transpose`: the examples in which input k is nonzero);
3. the parts of the step (`prange` over `_step_part`): rows k of (w^1)^T, _ROWS at a time, each ∂C/∂w for
   what input k feeds summed over the examples where x_k ≠ 0 in their order (BP4); each neuron's incoming
   weights of the later layers; each layer's biases (BP3); then the optimizer's rule.

Each number is summed in the same order whatever the number of threads, so a run is the same bit for bit on
1 core or 64. Where NumPy's matrix products do the same work, these skip the zero inputs (81% of MNIST's):
bench/RESULTS.md has the figures. Dense inputs take NumPy's steps (CompiledExecutor.steps chooses).

Numba runs `prange` on its threading layer; in a thread that is not the process's main thread (a Dask
worker's task) the same loops run compiled without threads (`serial`), as a layer such as workqueue cannot
be entered from two threads at once. Note that Numba's cache of these loops is keyed to this file alone,
and they hold compiled copies of compiled.py's row functions: after editing those, delete
specnet/training/__pycache__/wide.* too.
"""
from __future__ import annotations

import numpy as np

from specnet.training import compiled as c
from specnet.training.epochdata import threaded, twins

_ROWS = 8  # rows of (w^1)^T to a part of the step's third pass: one call of the optimizer's rule for them

try:
    import numba
    from numba import njit, prange
except ImportError:  # CompiledExecutor refuses to start first; this keeps the module importable
    njit, prange = None, range


def _wide_steps(wts, bs, vws, vbs, gs, zs, as_, ds, drs, masks, widths, indptr, indices, values, y, order, m, j0, j1,
                eta, hyper, plain, decay, reg, acts, cost, ws, cptr, cidx, cval, counts):
    """Mini-batches j0 .. j1 − 1 of the epoch's `order`, a step each, with the arrays of c._steps (which
    says what each holds); ws[l] (l >= 1) room for w^l itself, as δ goes back through its rows (BP2);
    cptr, cidx and cval hold a mini-batch's inputs by column (see _transpose), counted in `counts`, a
    row of it for each block of examples (4 a core: the cores stay busy when some blocks take longer)."""
    n, top = order.shape[0], len(wts) - 1
    scale = np.empty(1, values.dtype)  # −η/m in the network's dtype, as in c._steps
    width = -(-wts[0].shape[0] // _ROWS)  # the parts of the step: (w^1)^T's rows _ROWS at a time, then
    for l in range(1, top + 1):            # w^l's rows (l >= 2), then the biases
        width += wts[l].shape[1]
    for j in range(j0, j1):
        rows = order[j * m:min(j * m + m, n)]
        mb = rows.shape[0]
        scale[0] = -eta / mb
        s = scale[0]
        for l in range(1, top + 1):
            ws[l][:, :] = wts[l].T
        blocks = min(mb, counts.shape[0])
        at = counts[:blocks]  # (see _transpose)
        at[:, :] = 0
        for t in prange(blocks):  # 1) each example forward and back, and its inputs counted by column
            for i in range(t * mb // blocks, (t + 1) * mb // blocks):
                _example(i, j * m + i, rows[i], wts, bs, ws, zs, as_, ds, drs, masks, widths, indptr, indices,
                         values, y, acts, cost)
                for p in range(indptr[rows[i]], indptr[rows[i] + 1]):
                    at[t, indices[p]] += 1
        _transpose(rows, indptr, indices, values, cptr, cidx, cval, at)  # 2)
        for t in prange(width + top + 1):  # 3) ∂C/∂w summed over the mini-batch, row by row, and the steps
            _step_part(t, wts, bs, vws, vbs, gs, ws, as_, ds, drs, masks, mb, s, hyper, plain, decay, reg, cptr, cidx,
                       cval)


def _step_part(t, wts, bs, vws, vbs, gs, ws, as_, ds, drs, masks, mb, s, hyper, plain, decay, reg, cptr, cidx, cval):
    """Part t of the step: first _ROWS rows of (w^1)^T at a time (row k summed over the examples where input k
    is nonzero); then the rows of w^l (l >= 2, one neuron's incoming weights: each sum runs along a^{l−1}, in
    SIMD); then the biases of each layer."""
    top, start = len(wts) - 1, -(-wts[0].shape[0] // _ROWS)
    if t < start:
        k0, k1 = t * _ROWS, min(t * _ROWS + _ROWS, wts[0].shape[0])
        if plain and reg == 0:  # plain SGD: the step goes straight into w^1's rows, as in c._steps
            for k in range(k0, k1):
                _column(wts[0][k], ds[0], s, cidx, cval, cptr[k], cptr[k + 1])
            return
        for k in range(k0, k1):
            g = gs[0][k]
            g[:] = 0.0
            _column(g, ds[0], s, cidx, cval, cptr[k], cptr[k + 1])
        a, b = k0 * wts[0].shape[1], k1 * wts[0].shape[1]  # those rows as one run of numbers (C order: views)
        _rule(wts[0].reshape(-1)[a:b], vws[0].reshape(-1)[a:b], gs[0].reshape(-1)[a:b], hyper, decay, reg)
        return
    for l in range(1, top + 1):
        if t < start + wts[l].shape[1]:
            o = t - start
            g, d, a_in = ws[l][o], ds[l], _seen_by(as_, drs, masks, l - 1)
            g[:] = 0.0  # w^l's row o itself was copied for BP2, which is done: it holds the sum now
            for i in range(mb):
                v = s * d[i, o]
                for k in range(g.shape[0]):
                    g[k] += v * a_in[i, k]
            _rule(wts[l][:, o], vws[l][:, o], g, hyper, decay, reg)
            return
        start += wts[l].shape[1]
    _step_biases(bs[t - start], vbs[t - start], ds[t - start][:mb], s, hyper)


def _example(i, e, r, wts, bs, ws, zs, as_, ds, drs, masks, widths, indptr, indices, values, y, acts, cost):
    """Example i of the mini-batch (row r of x, example e of the epoch's order) forward and back: z^l, a^l,
    the dropped-out a^l and δ^l in row i of zs, as_, drs and ds."""
    top = len(wts) - 1
    for l in range(top + 1):
        w = widths[l]
        if l == 0:
            c._feed_sparse_row(wts[0], bs[0], zs[0][i], values, indices, indptr[r], indptr[r + 1])
        else:
            _feed_row(wts[l], bs[l], zs[l][i, :w], _seen_by(as_, drs, masks, l - 1)[i, :widths[l - 1]])
        _activate(acts[l], zs[l][i, :w], as_[l][i, :w])
        if l < top and masks[l].shape[0] > 0:
            for o in range(w):
                drs[l][i, o] = as_[l][i, o] * masks[l][e, o]
    z, a, d = zs[top][i], as_[top][i], ds[top][i]
    for o in range(widths[top]):  # δ^L (BP1): (a − y) ⊙ σ'(z) for the quadratic cost, a − y for the others
        d[o] = a[o] - y[r, o]
        if cost == 0:
            d[o] *= _prime(acts[top], z[o], a[o])
    for l in range(top, 0, -1):
        w = widths[l - 1]
        # ws[l].T: (w^l)^T with its columns contiguous, so that the sums over c run in SIMD (3.7× faster)
        _back_row(ws[l].T, ds[l][i], ds[l - 1][i, :w], zs[l - 1][i, :w], as_[l - 1][i, :w], acts[l - 1])
        if masks[l - 1].shape[0] > 0:  # a dropped neuron passes no error back
            for o in range(w):
                ds[l - 1][i, o] *= masks[l - 1][e, o]


def _feed_row(wt, b, zi, ai):
    """zi = w^l ai + b as c._feed_dense_row, four inputs at a time (a layer of 10 neurons: 2× faster)."""
    zi[:] = b
    k = 0
    while k + 3 < ai.shape[0]:
        v0, v1, v2, v3 = ai[k], ai[k + 1], ai[k + 2], ai[k + 3]
        for o in range(zi.shape[0]):
            zi[o] += (v0 * wt[k, o] + v1 * wt[k + 1, o]) + (v2 * wt[k + 2, o] + v3 * wt[k + 3, o])
        k += 4
    for q in range(k, ai.shape[0]):
        for o in range(zi.shape[0]):
            zi[o] += ai[q] * wt[q, o]


def _transpose(rows, indptr, indices, values, cptr, cidx, cval, at):
    """List the mini-batch's nonzero inputs by column: those of input k are examples cidx[cptr[k]:cptr[k + 1]]
    (positions in the mini-batch, in order) with values cval[...]. A counting sort of x's nonzeros, by blocks
    of examples split between the cores (at[t, k]: block t's count in column k, then where it writes next);
    the result is the same for any number of blocks."""
    mb, columns, blocks = rows.shape[0], cptr.shape[0] - 1, at.shape[0]
    total = 0
    for k in range(columns):
        cptr[k] = total
        for t in range(blocks):
            count = at[t, k]
            at[t, k] = total
            total += count
    cptr[columns] = total
    for t in prange(blocks):
        for i in range(t * mb // blocks, (t + 1) * mb // blocks):
            for p in range(indptr[rows[i]], indptr[rows[i] + 1]):
                k = indices[p]
                q = at[t, k]
                cidx[q], cval[q] = i, values[p]
                at[t, k] = q + 1


def prepare(x, inputs, net, pad):
    """Return (loops, inputs, extra) for CompiledExecutor.steps: the loops on every core where threads may
    run (epochdata.threaded), without threads elsewhere; the inputs as they are; and the room the loops need
    besides c._steps's (see _wide_steps)."""
    loops = parallel if threaded() else serial
    most = min(inputs[-1] * x.shape[1], len(inputs[2]))  # the nonzeros a mini-batch may hold
    ws = tuple(np.zeros((p, f) if l else (0, 0), net.dtype) for l, (f, p) in enumerate(zip(net.sizes, pad)))
    by_column = (np.zeros(x.shape[1] + 1, np.int64), np.zeros(most, np.int32), np.zeros(most, net.dtype))
    blocks = 4 * (numba.config.NUMBA_NUM_THREADS if threaded() else 1)  # (without starting Numba's threads)
    return loops, inputs, (ws, *by_column, np.zeros((blocks, x.shape[1]), np.int64))


def _column(g, d, s, cidx, cval, p, end):
    """g += s Σ_q cval[q] δ_{cidx[q]}: the gradient row of one input (BP4), four examples at a time."""
    while p + 3 < end:
        i0, i1, i2, i3 = cidx[p], cidx[p + 1], cidx[p + 2], cidx[p + 3]
        v0, v1, v2, v3 = s * cval[p], s * cval[p + 1], s * cval[p + 2], s * cval[p + 3]
        for o in range(g.shape[0]):
            g[o] += (v0 * d[i0, o] + v1 * d[i1, o]) + (v2 * d[i2, o] + v3 * d[i3, o])
        p += 4
    for q in range(p, end):
        v = s * cval[q]
        for o in range(g.shape[0]):
            g[o] += v * d[cidx[q], o]


if njit is not None:
    _opts = dict(cache=True, fastmath={"contract"})
    _seen_by, _activate, _prime, _back_row, _rule, _step_biases = (c._seen_by, c._activate, c._prime, c._back_row,
                                                                   c._rule, c._step_biases)
    _feed_row, _column = (njit(**_opts)(f) for f in (_feed_row, _column))
    # inlined: _transpose's prange is the caller's (parallel or not); a call of the others, with their
    # tuples of arrays, once per example and per row of a step, cost more than the work at m = 100 (1.3–1.5×)
    _example, _step_part, _transpose = (njit(inline="always", **_opts)(f) for f in (_example, _step_part, _transpose))
    parallel, serial = twins(_wide_steps, "_serial_steps")
