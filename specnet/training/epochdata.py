"""The training set as the compiled loops read it: x's nonzero inputs listed row by row (`nonzeros`, kept
from one epoch to the next), copied in each epoch's order (`in_order`).

A step then reads its examples one after another in memory, a few hundred bytes each (a column number and
a value per nonzero input), instead of rows of x scattered over the whole training set (3 KB each for
MNIST, 157 MB in all, far larger than the caches). The copy takes an epoch's order once, on every core.
Nothing else changes: each value is x's own, in the same order, so the loops compute the same numbers.
"""
from __future__ import annotations

import threading
import weakref
from types import FunctionType

import numpy as np

try:
    from numba import njit, prange
except ImportError:  # the compiled executor refuses to start first; this keeps the module importable
    njit, prange = None, range

_OPTS = dict(cache=True, fastmath={"contract"})


def twins(fn, name):
    """fn compiled with its pranges on every core, and without threads as `name` (Numba's cache tells
    functions apart by name and line, not by `parallel`)."""
    twin = FunctionType(fn.__code__, fn.__globals__, name)
    twin.__qualname__ = name
    return njit(parallel=True, **_OPTS)(fn), njit(**_OPTS)(twin)


def threaded() -> bool:
    """Whether the loops may use threads here: in the process's main thread. In another (a Dask worker's
    task) they run without, as a threading layer such as workqueue cannot be entered from two at once."""
    return threading.current_thread() is threading.main_thread()


def _columns(x, indices, values):
    """Write the column and the value of each nonzero entry of x, row after row, into indices and values."""
    p = 0
    for r in range(x.shape[0]):
        for k in range(x.shape[1]):
            if x[r, k] != 0:
                indices[p], values[p] = k, x[r, k]
                p += 1


def nonzeros(x):
    """Return x's nonzero entries by row, (indptr, indices, values): those of row r are in the columns
    indices[indptr[r]:indptr[r + 1]], with values values[...] (uint16 columns where they fit: 15 MB for
    MNIST's training set; unsigned, so the loops skip numba's negative-index check). A loop rather than
    np.nonzero, which would hold 120 MB of int64 positions and take 0.27 s."""
    indptr = np.zeros(len(x) + 1, np.int64)
    np.cumsum(np.count_nonzero(x, axis=1), out=indptr[1:])
    indices = np.empty(indptr[-1], np.uint16 if x.shape[1] <= 2 ** 16 else np.uint32)
    values = np.empty(indptr[-1], x.dtype)
    _columns(np.ascontiguousarray(x), indices, values)
    return indptr, indices, values


def _reorder(order, indptr, indices, values, y, eptr, eindices, evalues, ey):
    """Copy row order[e] of (x's nonzeros, y) to place e: its nonzeros to eptr[e]:eptr[e + 1] of eindices and
    evalues, its targets to ey[e]."""
    for e in prange(order.shape[0]):
        r, q, end = order[e], eptr[e], eptr[e + 1]
        eindices[q:end] = indices[indptr[r]:indptr[r + 1]]
        evalues[q:end] = values[indptr[r]:indptr[r + 1]]
        ey[e] = y[r]


def _kept(x) -> dict:
    """This thread's cache for the training inputs x (two runs may train at once in the threads of one Dask
    worker): a new one when x is not the inputs it saw last. It goes when x does, so nothing outlives a run
    (specnet never changes x in place between two epochs; code that does must not expect this to see it)."""
    key = threading.get_ident()
    kept = _caches.get(key)
    if kept is None or kept["x"]() is not x:
        kept = _caches[key] = {"x": weakref.ref(x)}
        weakref.finalize(x, _drop, key, kept["x"])
    return kept


def _drop(key, ref):
    if _caches.get(key, {}).get("x") is ref:
        _caches.pop(key, None)


def listed(x):
    """Return nonzeros(x), computed once for the training inputs (see _kept)."""
    kept = _kept(x)
    if "listed" not in kept:
        kept["listed"] = nonzeros(x)
    return kept["listed"]


def dense(x, wide=256, above=0.35) -> bool:
    """Whether x is wide inputs (images: `wide` columns or more) of which more than `above` are nonzero, the
    data on which NumPy's matrix products beat the loops (counted once for the training inputs)."""
    kept = _kept(x)
    if "nonzero" not in kept:
        kept["nonzero"] = np.count_nonzero(x)
    return x.shape[1] >= wide and kept["nonzero"] > above * x.size


def in_order(x, y, order):
    """Return (eptr, eindices, evalues, ey): x's nonzeros and the targets y in the epoch's `order` (see
    _reorder), in arrays reused from the last epoch of the same training inputs."""
    indptr, indices, values = listed(x)
    kept = _kept(x)  # (the same cache listed() filled)
    room = kept.get("room")
    if room is None or [a.shape for a in room] != [(len(order) + 1,), indices.shape, values.shape, y.shape] \
            or room[3].dtype != y.dtype:
        room = kept["room"] = (np.empty(len(order) + 1, np.int64), np.empty_like(indices), np.empty_like(values),
                               np.empty_like(y))
    eptr = room[0]
    eptr[0] = 0
    np.cumsum(np.diff(indptr)[order], out=eptr[1:])
    (parallel_reorder if threaded() else serial_reorder)(order, indptr, indices, values, np.ascontiguousarray(y),
                                                          *room)
    return room


_caches = {}  # thread ident -> that thread's cache (see _kept)


if njit is not None:
    _columns = njit(**_OPTS)(_columns)
    parallel_reorder, serial_reorder = twins(_reorder, "_serial_reorder")
