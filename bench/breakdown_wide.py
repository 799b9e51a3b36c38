"""Where a step of the compiled executor's loops for large mini-batches (specnet/training/wide.py) spends
its time: python -m bench.breakdown_wide [--m 1000] [--hidden 100]

The three passes of a step are timed apart over a whole epoch of the spec's data in its epoch order (as the
executor reads it, specnet/training/epochdata.py), each compiled here from wide.py's own functions: 1) every
example forward and back (with its inputs counted by column), 2) the inputs listed by column (counted again
here, so the sum counts that twice), 3) the rows of the step (the gradient sums and the optimizer's rule).
Left out: the per-step copy of w^l (l >= 2) and the zeroing of the counts. Writes
bench/BREAKDOWN-wide-m<m>-h<hidden>.md; bench/BREAKDOWN-m1000-h100.md is the NumPy executor's, for the
same network, before these loops.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from bench.problem import ROOT, Config, Problem


def main(argv=None) -> None:
    from numba import get_num_threads, njit, prange

    from specnet.training import wide as w
    from specnet.training.epochdata import in_order

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--m", type=int, default=1000)
    ap.add_argument("--hidden", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args(argv)
    m, h = a.m, a.hidden
    p = Problem(Config(hidden=h, m=m))
    f = np.float32
    order = np.asarray(p.order, np.int64)
    eptr, eindices, evalues, ey = in_order(p.x, p.y, order)
    rows = np.arange(len(order), dtype=np.int64)
    pad = -(-h // 8) * 8
    rng = np.random.default_rng(0)
    wts = (rng.standard_normal((784, pad)).astype(f) * 0.03, rng.standard_normal((h, 10)).astype(f) * 0.1)
    bs = (np.zeros(pad, f), np.zeros(10, f))
    ws = (np.zeros((0, 0), f), np.ascontiguousarray(wts[1].T))
    gs = tuple(np.zeros_like(x) for x in wts)
    zs = (np.zeros((m, pad), f), np.zeros((m, 10), f))
    as_, ds = tuple(np.zeros_like(x) for x in zs), tuple(np.zeros_like(x) for x in zs)
    masks, widths, acts = (np.zeros((0, 0), f),) * 2, np.array([h, 10]), np.array([0, 0])
    cptr, cidx, cval = np.zeros(785, np.int64), np.zeros(m * 784, np.int32), np.zeros(m * 784, f)
    counts = np.zeros((4 * get_num_threads(), 784), np.int64)
    steps, s, hyper = len(order) // m, f(-3.0 / m), (f(0), False)
    parts = -(-784 // w._ROWS) + 10 + 2

    @njit(parallel=True, fastmath={"contract"})
    def examples(rows, counts, wts, bs, ws, zs, as_, ds, gs, masks, widths, acts, eptr, eindices, evalues, ey, cptr,
                 cidx, cval, steps, m, s, hyper, parts):
        for j in range(steps):
            blocks = min(m, counts.shape[0])
            at = counts[:blocks]
            at[:, :] = 0
            for t in prange(blocks):
                for i in range(t * m // blocks, (t + 1) * m // blocks):
                    e = rows[j * m + i]
                    w._example(i, e, e, wts, bs, ws, zs, as_, ds, as_, masks, widths, eptr, eindices, evalues, ey,
                               acts, 0)
                    for q in range(eptr[e], eptr[e + 1]):
                        at[t, eindices[q]] += 1

    @njit(parallel=True, fastmath={"contract"})
    def columns(rows, counts, wts, bs, ws, zs, as_, ds, gs, masks, widths, acts, eptr, eindices, evalues, ey, cptr,
                cidx, cval, steps, m, s, hyper, parts):
        for j in range(steps):
            batch = rows[j * m:j * m + m]
            blocks = min(m, counts.shape[0])
            at = counts[:blocks]
            at[:, :] = 0
            for t in prange(blocks):
                for i in range(t * m // blocks, (t + 1) * m // blocks):
                    for q in range(eptr[batch[i]], eptr[batch[i] + 1]):
                        at[t, eindices[q]] += 1
            w._transpose(batch, eptr, eindices, evalues, cptr, cidx, cval, at)

    @njit(parallel=True, fastmath={"contract"})
    def step_rows(rows, counts, wts, bs, ws, zs, as_, ds, gs, masks, widths, acts, eptr, eindices, evalues, ey, cptr,
                  cidx, cval, steps, m, s, hyper, parts):
        for j in range(steps):
            for t in prange(parts):
                w._step_part(t, wts, bs, wts, bs, gs, ws, as_, ds, as_, masks, m, s, hyper, True, s * 0, 0,
                             cptr, cidx, cval)

    args = (rows, counts, wts, bs, ws, zs, as_, ds, gs, masks, widths, acts, eptr, eindices, evalues, ey, cptr, cidx,
            cval, steps, m, s, hyper, parts)

    def best(fn) -> float:
        fn(*args)
        times = []
        for _ in range(a.repeats):
            t0 = time.perf_counter()
            fn(*args)
            times.append(time.perf_counter() - t0)
        return min(times) / steps * 1e6

    one, two, three = best(examples), best(columns), best(step_rows)
    flops = Config(hidden=h, m=m, images=m).flops()
    lines = [f"# A step of the compiled loops for large mini-batches: [784, {h}, 10], m = {m}, float32", "",
             f"Generated by `python -m bench.breakdown_wide --m {m} --hidden {h}`: microseconds per step, the best "
             f"of {a.repeats} epochs of {steps} steps on MNIST in an epoch's order, {get_num_threads()} threads.",
             "", "| pass | µs a step |", "|---|---|",
             f"| 1) every example forward (2.3) and back (BP1, BP2), its inputs counted by column | {one:.0f} |",
             f"| 2) the inputs listed by column (counted again here, as in 1) | {two:.0f} |",
             f"| 3) the rows of the step: ∂C/∂w summed (BP3, BP4) and the rule (1.20-1.21) | {three:.0f} |",
             f"| sum | {one + two + three:.0f} |", "",
             f"The dense products of such a step are {flops / 1e6:.0f} MFLOP; at the sum above that is "
             f"{flops / (one + two + three) / 1e3:.0f} GFLOP/s of dense-product work, of which the loops do about a "
             "fifth (they skip the 81% of MNIST's inputs that are 0).", ""]
    name = f"BREAKDOWN-wide-m{m}-h{h}.md"
    (ROOT / "bench" / name).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
