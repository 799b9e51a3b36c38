"""An optional compiled executor: an epoch's SGD steps as Numba loops (`training.executor: numba`, and
what `auto` picks when numba is installed and the spec uses only what the loops have).

The maths is the Network's, written example by example as chapter 2 gives it: feedforward (2.3),
δ^L (BP1), δ^{l−1} = ((w^l)^T δ^l) ⊙ σ'(z^{l−1}) (BP2), ∂C/∂b = δ (BP3), ∂C/∂w = a_in δ (BP4), summed over
the mini-batch, then the Optimizer's step: u = −(η/m) Σ_x ∇C_x less the weight decay, moved by the
optimizer's own `rule` (specnet.components.optimizers), compiled here, one number at a time.

What it saves (bench/BREAKDOWN.md): NumPy's fixed cost per call, about a microsecond for each of the
dozens of calls of a mini-batch of 10; and the work on input pixels that are 0 (81% of MNIST's). A zero
input adds nothing to z^1 and gets no gradient (BP4: a_in δ = 0), so the nonzero inputs are listed once
and copied in each epoch's order (specnet.training.epochdata), and the first layer's products and step
touch only the columns of w^1 that those inputs feed. Mini-batches above LOOPS_UP_TO run in the loops of
specnet.training.wide, on every core.

Weights are held transposed, (w^l)^T of shape (n_{l−1}, n_l) and C-ordered, so that column k of w^1 (what
input k feeds) is contiguous. The first call of `steps` copies the parameters into that storage (padded,
for layer 1) and makes the Network's `weights[l]` and `biases[l]` (and the Optimizer's velocities) views of it, so that later calls and
NumPy's evaluation share the numbers without copies. Needs numba (`pip install -e ".[fast]"`).

The list of the nonzero inputs is kept from one call to the next for the same training-set array (see
epochdata._kept): changing that array in place between two `train` calls is not seen (specnet never does).
"""
from __future__ import annotations

import numpy as np

from specnet.components.activations import ACTIVATIONS as REGISTERED
from specnet.components.optimizers import OPTIMIZERS
from specnet.errors import CheckError
from specnet.training.epochdata import dense, in_order
from specnet.training.executor import NumpyExecutor

try:
    from numba import njit
    MISSING = None
except ImportError as e:  # said by unsupported() (the compiler, `validate`) and CompiledExecutor()
    njit, MISSING = None, str(e)

ACTIVATIONS = {"sigmoid": 0, "tanh": 1, "relu": 2, "linear": 3, "softmax": 4}
COSTS = {"quadratic": 0, "cross_entropy": 1, "log_likelihood": 1}  # 1: δ^L = a^L − y (3.12, 81)
REGULARIZERS = {"none": 0, "l2": 1, "l1": 2}  # the penalty codes of the optimizers' rule
# Mini-batches of up to this many examples go through these loops, on one core; larger ones through those of
# specnet.training.wide, on every core. Measured by hand on [784, 30, 10] (docs/speed.md): at m = 10 those
# took 0.167 s an epoch against these 0.078 s (their three passes' fixed costs); at m = 32, 0.097 against 0.074.
LOOPS_UP_TO = 32
# Wide inputs (images) with more nonzeros than DENSE_FROM take NumPy's steps too: the loops are fast there
# because they skip zero inputs (81% of MNIST's), and on Fashion-MNIST (50% nonzero) NumPy's matrix products
# were faster (docs/speed.md). Narrow inputs (a table's few columns) keep the loops: NumPy's cost per call rules.
DENSE_FROM, WIDE = 0.35, 256


def _jit(fn):
    # fastmath "contract": fused multiply-adds; nothing that assumes values are finite
    return njit(cache=True, fastmath={"contract"})(fn) if njit is not None else fn


# The optimizer's step for one number. Note that the loops call this one rule, of the sgd entry (plain,
# momentum, Nesterov): Numba cannot cache loops that take the rule as an argument or a closure (each
# process would compile them afresh, measured), so an optimizer with a rule of its own runs on NumPy.
# Note that Numba's cache of these loops is keyed to this file alone: after editing a rule in
# optimizers.py, delete specnet/training/__pycache__/*.nbi (or set NUMBA_CACHE_DIR) to see the change;
# wide.py's loops hold copies of this file's functions, so after editing one here, delete its cache too.
_rule = _jit(OPTIMIZERS.get("sgd").rule)


@_jit
def _activate(code, z, a):
    """a = σ(z) for one example's layer (softmax over the whole vector)."""
    if code == 4:
        top = z.max()
        total = 0.0
        for c in range(z.shape[0]):
            a[c] = np.exp(z[c] - top)
            total += a[c]
        for c in range(z.shape[0]):
            a[c] /= total
        return
    for c in range(z.shape[0]):
        if code == 0:
            a[c] = 1.0 / (1.0 + np.exp(-z[c]))  # e^−z may overflow to inf, and then σ = 0 as it should
        elif code == 1:
            a[c] = np.tanh(z[c])
        elif code == 2:
            a[c] = max(z[c], 0.0)
        else:
            a[c] = z[c]


@_jit
def _prime(code, z, a):
    """σ'(z) of one neuron, given a = σ(z)."""
    if code == 0:
        return a * (1.0 - a)
    if code == 1:
        return 1.0 - a * a
    if code == 2:
        return 1.0 if z > 0 else 0.0
    return 1.0


@_jit
def _feed_sparse(wt, b, z, rows, indptr, indices, values):
    """z_i = w^1 x_i + b for the mini-batch's examples rows[i] (see _feed_sparse_row)."""
    for i in range(rows.shape[0]):
        _feed_sparse_row(wt, b, z[i], values, indices, indptr[rows[i]], indptr[rows[i] + 1])


@_jit
def _feed_sparse_row(wt, b, zi, values, indices, p, end):
    """zi = w^1 x + b: Σ over x's nonzeros values[p:end] (in the columns k = indices[p:end]) of x_k · (row k
    of (w^1)^T)."""
    zi[:] = b
    while p + 3 < end:  # four inputs at a time: a quarter of the loads and stores of z_i (1.6× faster)
        k0, k1, k2, k3 = indices[p], indices[p + 1], indices[p + 2], indices[p + 3]
        v0, v1, v2, v3 = values[p], values[p + 1], values[p + 2], values[p + 3]
        for c in range(zi.shape[0]):
            zi[c] += (v0 * wt[k0, c] + v1 * wt[k1, c]) + (v2 * wt[k2, c] + v3 * wt[k3, c])
        p += 4
    for q in range(p, end):
        for c in range(zi.shape[0]):
            zi[c] += values[q] * wt[indices[q], c]


@_jit
def _feed_dense(wt, b, z, a_in):
    """z_i = w^l a_i + b for every row a_i of a_in (see _feed_dense_row)."""
    for i in range(a_in.shape[0]):
        _feed_dense_row(wt, b, z[i], a_in[i])


@_jit
def _feed_dense_row(wt, b, zi, ai):
    """zi = w^l ai + b, as Σ_k ai_k · (row k of (w^l)^T)."""
    zi[:] = b
    for k in range(ai.shape[0]):
        v = ai[k]
        for c in range(zi.shape[0]):
            zi[c] += v * wt[k, c]


@_jit
def _backpropagate(wt, d, d_in, z_in, a_in, code):
    """δ^{l−1}_i = ((w^l)^T δ^l_i) ⊙ σ'(z^{l−1}_i)  (BP2) for every example i (see _back_row)."""
    for i in range(d.shape[0]):
        _back_row(wt, d[i], d_in[i], z_in[i], a_in[i], code)


@_jit
def _back_row(wt, di, d_in, z_in, a_in, code):
    """d_in = ((w^l)^T di) ⊙ σ'(z_in)  (BP2), with w^l before its step."""
    d_in[:] = 0.0
    for c in range(wt.shape[1]):  # Σ_c δ_c · (column c of (w^l)^T): independent sums, no chain
        v = di[c]
        for k in range(wt.shape[0]):
            d_in[k] += v * wt[k, c]
    for k in range(wt.shape[0]):
        d_in[k] *= _prime(code, z_in[k], a_in[k])


@_jit
def _scatter(g, d, scale, rows, indptr, indices, values):
    """g += scale Σ_i x_i δ_i^T, g shaped like (w^1)^T, over the nonzero x_ik only (BP4: a zero input
    has zero gradient)."""
    for i in range(rows.shape[0]):
        for p in range(indptr[rows[i]], indptr[rows[i] + 1]):
            k = indices[p]
            s = scale * values[p]
            for c in range(d.shape[1]):
                g[k, c] += s * d[i, c]


@_jit
def _outer(g, d, scale, a_in):
    """g += scale Σ_i a_i δ_i^T, g shaped like (w^l)^T  (BP4, summed over the mini-batch)."""
    for i in range(a_in.shape[0]):
        for k in range(a_in.shape[1]):
            s = scale * a_in[i, k]
            for c in range(d.shape[1]):
                g[k, c] += s * d[i, c]


@_jit
def _step_biases(b, vb, d, scale, hyper):
    """b += u with u = −(η/m) Σ_x δ_x (BP3), by the optimizer's rule (with the velocities vb). Note that u
    is summed and kept in float64 whatever the network's dtype."""
    u = np.zeros(b.shape[0])
    for i in range(d.shape[0]):  # example by example: each u[c] sums in the same order, in SIMD
        for c in range(b.shape[0]):
            u[c] += d[i, c]
    for c in range(b.shape[0]):
        u[c] *= scale
    _rule(b, vb, u, hyper, 0.0, 0)


@_jit
def _step_weights(wt, vw, g, hyper, decay, reg):
    """w += u from g^T = −(η/m) Σ_x ∂C_x/∂w (BP4): u = g − (ηλ/n) w (L2, 93) or g − (ηλ/n) sgn(w)
    (L1, 97), by the optimizer's rule (with the velocities vw)."""
    _rule(wt.reshape(-1), vw.reshape(-1), g.reshape(-1), hyper, decay, reg)  # C-ordered arrays: one row each


@_jit
def _steps(wts, bs, vws, vbs, gs, zs, as_, ds, drs, masks, widths, indptr, indices, values, y, order, m, j0, j1,
           eta, hyper, plain, decay, reg, acts, cost):
    """Mini-batches j0 .. j1 − 1 of the epoch's `order`, a step each. wts[l] = (w^l)^T, bs[l] = b^l,
    vws/vbs their velocities (momentum only), gs[l] room for −(η/m) Σ_x ∂C_x/∂(w^l)^T; zs/as_/ds[l] hold z^l, a^l
    and δ^l for m examples as rows. Layer 1's arrays are `widths[0]` neurons wide, padded with zeros to
    a multiple of 32 (see CompiledExecutor.steps); the other layers' are exactly widths[l] wide. Dropout:
    masks[l] (empty where layer l drops nothing) holds a row per example of the epoch, in `order`, that
    multiplies a^l into drs[l] (what the next layer sees) and δ^l on the way back, as Network.backprop does."""
    n, top = order.shape[0], len(wts) - 1
    scale = np.empty(1, values.dtype)  # −η/m in the network's dtype, so that float32 arithmetic stays float32
    direct = reg == 0 and plain  # plain SGD: w^1's step goes straight into the columns the inputs feed
    for j in range(j0, j1):
        rows = order[j * m:min(j * m + m, n)]
        mb = rows.shape[0]
        for l in range(top + 1):  # feedforward (2.3)
            z, a = zs[l][:mb, :widths[l]], as_[l][:mb, :widths[l]]
            if l == 0:
                _feed_sparse(wts[0], bs[0], zs[0][:mb], rows, indptr, indices, values)
            else:
                _feed_dense(wts[l], bs[l], z, _seen_by(as_, drs, masks, l - 1)[:mb, :widths[l - 1]])
            for i in range(mb):
                _activate(acts[l], z[i], a[i])
            if l < top and masks[l].shape[0] > 0:
                for i in range(mb):
                    for c in range(widths[l]):
                        drs[l][i, c] = a[i, c] * masks[l][j * m + i, c]
        z, a, d = zs[top][:mb, :widths[top]], as_[top][:mb, :widths[top]], ds[top][:mb, :widths[top]]
        for i in range(mb):  # δ^L (BP1): (a − y) ⊙ σ'(z) for the quadratic cost, a − y for the others
            for c in range(d.shape[1]):
                d[i, c] = a[i, c] - y[rows[i], c]
                if cost == 0:
                    d[i, c] *= _prime(acts[top], z[i, c], a[i, c])
        scale[0] = -eta / mb
        for l in range(top, -1, -1):
            d = ds[l][:mb]
            if l > 0:
                w = widths[l - 1]
                _backpropagate(wts[l], d, ds[l - 1][:mb, :w], zs[l - 1][:mb, :w], as_[l - 1][:mb, :w], acts[l - 1])
                if masks[l - 1].shape[0] > 0:  # a dropped neuron passes no error back
                    for i in range(mb):
                        for c in range(w):
                            ds[l - 1][i, c] *= masks[l - 1][j * m + i, c]
            _step_biases(bs[l], vbs[l], d, scale[0], hyper)
            into_w = l == 0 and direct  # add the step to w^1 itself, not to a gradient first
            g = wts[0] if into_w else gs[l]
            if not into_w:
                g[:] = 0.0
            if l == 0:
                _scatter(g, d, scale[0], rows, indptr, indices, values)
            else:
                _outer(g, d, scale[0], _seen_by(as_, drs, masks, l - 1)[:mb, :widths[l - 1]])
            if not into_w:
                _step_weights(wts[l], vws[l], g, hyper, decay, reg)


@_jit
def _seen_by(as_, drs, masks, l):
    """What layer l + 1 sees of layer l: a^l, or a^l with its dropout mask applied."""
    return drs[l] if masks[l].shape[0] > 0 else as_[l]


def missing_numba() -> CheckError:
    """The error saying that numba cannot be imported, and why."""
    why = "is not installed" if "No module named 'numba'" in (MISSING or "") else f"cannot be imported ({MISSING})"
    return CheckError(f"needs the numba package, which {why}", path=("training", "executor"), got="numba",
                      hint='Install it with: pip install -e ".[fast]", or use executor: numpy.')


def _storage(a, shape, view):
    """Return (s, v): an array s of `shape` and v = view(s) holding a's values, zero elsewhere in s; s is
    a's own memory when a already is that view of it (so that the kernel and NumPy share the numbers)."""
    s = a.base
    if s is None or s.shape != shape or not s.flags.c_contiguous or s.dtype != a.dtype \
            or view(s).__array_interface__ != a.__array_interface__:
        s = np.zeros(shape, a.dtype)
        view(s)[...] = a
    return s, view(s)


def unsupported(spec):
    """Yield a CheckError for each thing in `spec` that the loops cannot run (none: they can run it)."""
    at = ("training", "executor")
    if MISSING:
        yield missing_numba()
    for i, layer in enumerate(spec.network.layers):
        if layer.activation not in ACTIVATIONS and REGISTERED.get(layer.activation).trainable:
            yield CheckError(f"the numba executor has no {layer.activation} activation (layer {i})", path=at,
                             got="numba", hint=f"It has {', '.join(ACTIVATIONS)}; or use executor: numpy or auto.")
    if spec.network.cost not in COSTS:
        yield CheckError(f"the numba executor has no {spec.network.cost} cost", path=at, got="numba",
                         hint=f"It has {', '.join(COSTS)}; or use executor: numpy or auto.")
    if spec.training.optimizer.type != "sgd":
        yield CheckError(f"the numba executor has no {spec.training.optimizer.type} optimizer", path=at,
                         got="numba", hint="It runs the sgd rule; use executor: numpy or auto.")


class CompiledExecutor:
    """Takes the SGD steps of an epoch in Numba loops: these for mini-batches of up to LOOPS_UP_TO
    examples; larger ones in the loops `large` prepares (specnet.training.wide.prepare, which the compiler
    passes) or, without it, NumPy's steps; dense wide inputs take NumPy's steps at any m, as do the Network's
    evaluation and the Trainer's loop."""

    name = "numba"

    def __init__(self, dropout_rng, large=None):
        if njit is None:  # the compiler says so first; this is for the library used directly
            raise missing_numba()
        self.numpy, self.large = NumpyExecutor(dropout_rng), large

    @property
    def dropout_rng(self):
        return self.numpy.dropout_rng

    def steps(self, net, opt, x, y, order, m, eta, decay, stops=(), start=0):
        if dense(x, WIDE, DENSE_FROM) or (m > LOOPS_UP_TO and not self.large):
            yield from self.numpy.steps(net, opt, x, y, order, m, eta, decay, stops, start)
            return
        wide = m > LOOPS_UP_TO
        L = len(net.weights)
        moving = not opt.plain
        if moving and len(opt.velocities) != 2 * L:
            opt.start(net.weights + net.biases)
        widths = net.sizes[1:]
        # Layer 1 is kept 32 neurons wide or a multiple of it: its loops over neurons then run in SIMD
        # (LLVM vectorizes them 32 at a time), 1.2–1.4× faster per epoch at 30 hidden neurons.
        unit = 8 if wide else 32  # the wide loops: 8 (one SIMD register), the examples' threads keep them busy
        pad = [-(-widths[0] // unit) * unit] + widths[1:]
        params = [[], [], [], []]
        for l, (fan_in, p) in enumerate(zip(net.sizes, pad)):
            w = lambda s, n=widths[l]: s[:, :n].T  # w^l (n_l, n_{l−1}) as a view of (w^l)^T (n_{l−1}, p)
            b = lambda s, n=widths[l]: s[:n, None]  # b^l (n_l, 1) as a view of (p,)
            params[0].append(_storage(net.weights[l], (fan_in, p), w))
            params[1].append(_storage(net.biases[l], (p,), b))
            if moving:
                params[2].append(_storage(opt.velocities[l], (fan_in, p), w))
                params[3].append(_storage(opt.velocities[L + l], (p,), b))
            else:  # unused by plain SGD's rule, but shaped as the parameters for it to index
                params[2].append((np.zeros((fan_in, p), net.dtype), None))
                params[3].append((np.zeros(p, net.dtype), None))
        net.weights, net.biases = [v for _, v in params[0]], [v for _, v in params[1]]
        if moving:
            opt.velocities = [v for _, v in params[2] + params[3]]
        reg = decay[0] if decay else None
        # tuples, not numba.typed.List: a List's own functions compile afresh in every process (1.7 s)
        arrays = [tuple(s for s, _ in group) for group in params]
        arrays.append(tuple(np.zeros_like(s) for s, _ in params[0]))  # the gradients
        arrays += [tuple(np.zeros((m, p), net.dtype) for p in pad) for _ in range(4)]  # z, a, δ, dropped a
        n = len(order)
        masks = tuple(np.zeros((n, widths[l]) if p else (0, 0), net.dtype) for l, p in enumerate(net.dropout))
        arrays.append(masks)
        dtype = net.dtype.type
        hyper = tuple(dtype(h) if isinstance(h, float) else h for h in opt.hyper)
        recipe = (dtype(eta), hyper, opt.plain, dtype(eta * reg.lmbda / len(order) if reg else 0.0),  # η, ηλ/n
                  REGULARIZERS[reg.name] if reg else 0,
                  np.array([ACTIVATIONS[a.name] for a in net.activations], np.int64), COSTS[net.cost.name])
        # the examples of the epoch in its order: example e is row order[e] of x and y (see epochdata.py)
        inputs = (np.array(widths, np.int64), *in_order(x, y, order), np.arange(n, dtype=np.int64), m)
        batches = -(-len(order) // m)
        kernel, extra = _steps, ()
        if wide:  # the loops for large mini-batches, on every core (see wide.py)
            kernel, inputs, extra = self.large(x, inputs, net, pad)
        for end in sorted({j + 1 for j in stops if start <= j < batches} | {batches}):
            for j in range(start, end) if any(net.dropout) else ():  # the NumPy executor's draws, in its order
                drawn = net.dropout_masks(min(m, n - j * m), self.dropout_rng)
                for mask, drawn_l in zip(masks, drawn):
                    if drawn_l is not None:
                        mask[j * m:j * m + drawn_l.shape[1]] = drawn_l.T
            kernel(*arrays, *inputs, start, end, *recipe, *extra)
            start = end
            if end - 1 in stops:
                yield end - 1
