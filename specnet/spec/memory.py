"""The memory a spec needs, estimated before anything is allocated; a spec needing more than the limit
(specnet.spec.memory_limit) is refused by the `memory` check, at the line of the setting that needs the most.

The estimate is arithmetic on Python ints (it never makes an array, so a size of 10^12 costs nothing to
refuse). It adds up the big arrays the NumPy executor makes, each a `Part` charged to the spec setting that
makes it large:

* parameters: w and b of each layer, with their gradients, momentum velocities and the best epoch's copy
  (early stopping), plus the float64 draw of the initializer;
* training: the Workspace of one mini-batch (z, a, δ, σ'(z) and, with dropout, the dropped activations and
  masks of every layer, for min(m, n) columns) and the block of shuffled examples;
* evaluation: the feedforward of 10,000 examples at a time;
* data: the raw examples as read (bytes for MNIST and IDX, float64 for CSV and .npz), the training and
  evaluation sets in the network's dtype, and the transformed copies of data.expand.

The numba executor (training.executor auto or numba) adds the training set as its loops read it
(specnet.training.epochdata): the positions and values of the nonzero inputs, in the data's order and in the
epoch's, at most a fraction DENSE_FROM of them for wide inputs (denser ones take NumPy's steps), all of them
for narrow ones; and for mini-batches above 32 (specnet.training.wide) a mini-batch's nonzeros listed by
column. Its padded copies of the parameters and its z, a, δ are no larger than the NumPy executor's.

Measured with tracemalloc over one epoch on the NumPy executor, the estimate was 0.9 to 1.8 times the peak:
ch1_sgd 239 MiB estimated / 235 measured, ch3_expanded 694 / 676 (per_epoch 998 / 935), [784, 3000, 10]
502 / 421, m = 50,000 419 / 484; most over where the mini-batch arrays and the evaluation's, counted
together, never coexist. With the compiled executor's copies (auto), ch1_sgd is estimated at 398 MiB (the
copies counted at 35% nonzero, MNIST has 19%), and `specnet run` peaked at 461 MB of RSS, numba's and LLVM's
code included.

    >>> from specnet.spec.load import describe_data, load_spec
    >>> spec = load_spec("specs/ch1_sgd.yaml")
    >>> fmt(sum(p.nbytes for p in parts(spec, describe_data(spec))))
    '398.4 MiB'
"""
from __future__ import annotations

from dataclasses import dataclass

from specnet.errors import CheckError
from specnet.spec.memory_limit import ENV, fmt, limit

ITEMSIZE = {"float32": 4, "float64": 8}
RAW_ITEMSIZE = {"mnist": 1, "idx": 1}  # bytes per value as read; CSV, .npz and inline tables: float64
# The executor's own sizes, which the estimate follows (tests/test_layers.py checks that they agree): examples
# per feedforward when evaluating, and training examples copied at a time in shuffled order.
CHUNK, BLOCK = 10_000, 512
# The compiled executor's: wide inputs more than DENSE_FROM nonzero take NumPy's steps; above LOOPS_UP_TO
# examples a mini-batch runs in the wide loops.
DENSE_FROM, WIDE, LOOPS_UP_TO = 0.35, 256, 32


@dataclass(frozen=True)
class Part:
    """`nbytes` of arrays for `what`, made large by the setting at `path`."""
    path: tuple
    nbytes: int
    what: str


def _count(k: int) -> str:
    """Return a count with thousands separators (a power of ten past 10^18: no string of a huge int)."""
    return f"{k:,}" if k < 10**18 else f"10^{int(k.bit_length() * 0.30103)}"


def _size_path(k: int) -> tuple:
    """The setting of sizes[k]: network.input, or the size of layer k - 1."""
    return ("network", "input") if k == 0 else ("network", "layers", k - 1, "size")


def _examples(split, info, role: str) -> tuple:
    """Return (examples of the split or None if unknown, the setting that sets it)."""
    n = info.sizes.get(split.split) if info else None
    if split.take is not None:
        return (split.take if n is None else min(n, split.take)), ("data", role, "take")
    return n, ("data", role)


def _known(spec, role: str) -> int:
    """Return the examples the spec alone says a split has: its `take`, else 1 (a lower bound)."""
    return getattr(spec.data, role).take or 1


def parts(spec, info) -> list:
    """Return the Parts of the memory `spec` needs. `info` is the data's Info; without it (None), the Parts
    are a lower bound: what the spec alone says, counting examples only where `take` gives their number, so
    that a spec valid with its data is valid without it too."""
    net, expand = spec.network, spec.data.expand
    features = info.features if info else net.input if net else None
    n_train, train_path = _examples(spec.data.training, info, "training")
    copies = 1 + expand.copies if expand else 1
    n_all = n_train * copies if n_train is not None else None  # n: with the transformed copies
    out = _parameters(spec, info) if net else []
    if net and spec.training:
        out += _mini_batches(spec, n_all, features or 0)
        if spec.training.executor != "numpy" and n_all is not None and features:
            out += _loops(spec, n_all, features, _examples(spec.data.training, info, "training")[1])
    if features is None:
        return out
    n_out = net.sizes[-1] if net else (info.classes or 1) if info else 1
    s, what = (ITEMSIZE[net.dtype], net.dtype) if net else (4, "float32")
    row = (features + n_out) * s + 8  # the inputs, targets and label of one example
    if info:
        total = sum(info.sizes.values())
        out.append(Part(("data", "source"), total * features * RAW_ITEMSIZE.get(spec.data.source.type, 8),
                        f"the data as read, {_count(total)} examples of {_count(features)} values"))
    if n_train is not None:
        out.append(Part(train_path, n_train * row,
                        f"the training examples, {_count(n_train)} of {_count(features)} {what}"))
        if spec.data.scale != "none":
            out.append(Part(("data", "scale"), 2 * n_train * features * 8, "scaling the training examples in float64"))
        if expand:  # the copies, and the array that joins them to the originals (and last epoch's, per epoch)
            out.append(Part(("data", "expand", "copies"), (n_all * (3 if expand.per_epoch else 2) - n_train) * row,
                            f"the expanded training set, {_count(copies)} x {_count(n_train)} examples of "
                            f"{_count(features)} {what}"))
    n_eval, eval_path = _examples(spec.data.evaluation, info, "evaluation")
    if n_eval is not None:
        out.append(Part(eval_path, n_eval * row,
                        f"the evaluation examples, {_count(n_eval)} of {_count(features)} {what}"))
    return out


def _parameters(spec, info) -> list:
    """Return the Parts of the weights and biases (with what training keeps beside them), and of evaluation."""
    net, t = spec.network, spec.training
    sizes, s, out = net.sizes, ITEMSIZE[net.dtype], []
    mu = t and t.optimizer.params.get("mu")
    restore = t and t.early_stopping and t.early_stopping.restore_best
    kept = 1 + (1 + bool(mu) + bool(restore) if t else 0)  # w; its gradient, velocity, best epoch's copy
    also = " with their gradients" * bool(t) + ", velocities" * bool(mu) + " and the best epoch's copy" * bool(restore)
    for l, (j, k) in enumerate(zip(sizes, sizes[1:])):  # + 8 bytes: the initializer draws in float64
        out.append(Part(_size_path(l + 1 if k >= j else l), (k * j + k) * (kept * s + 8),
                        f"the weights of layer {l}, {_count(k)} x {_count(j)} {net.dtype}{also}"))
    widest = max(range(1, len(sizes)), key=lambda i: sizes[i])
    rows = min(CHUNK, max(info.sizes.values(), default=1) if info else _known(spec, "evaluation"))
    out.append(Part(_size_path(widest), 2 * rows * sizes[widest] * s,
                    f"evaluating {_count(rows)} examples at a time through {_count(sizes[widest])} neurons "
                    f"(z and a, {net.dtype})"))
    return out


def _mini_batches(spec, n_all, features) -> list:
    """Return the Parts of training's Workspace (for min(m, n) columns) and its block of shuffled examples."""
    net, m = spec.network, spec.training.mini_batch_size
    s, out = ITEMSIZE[net.dtype], []
    columns = min(m, n_all or 1)
    dropout = any(layer.dropout for layer in net.layers)
    per_value = 4 * s + (2 * s + 8) * dropout  # z, a, δ, σ'(z); the dropped activations and the float64 masks
    for l, k in enumerate(net.sizes[1:]):
        out.append(Part(("training", "mini_batch_size") if columns > k else _size_path(l + 1), k * columns * per_value,
                        f"layer {l}'s z, a, δ and σ'(z) for a mini-batch, {_count(k)} x {_count(columns)} "
                        f"{net.dtype}"))
    block = min(max(1, BLOCK // m) * m, n_all or 1)  # (the executor's block of whole mini-batches)
    out.append(Part(("training", "mini_batch_size") if block >= features else _size_path(0),
                    block * (features + net.sizes[-1]) * s,
                    f"a block of shuffled examples, {_count(block)} x {_count(features)} {net.dtype}"))
    return out


def _loops(spec, n_all, features, path) -> list:
    """Return the Part of the compiled executor's copies of the training set's nonzero inputs (at most),
    charged to the setting of the training set's size (`path`)."""
    net, m = spec.network, spec.training.mini_batch_size
    s = ITEMSIZE[net.dtype]
    nonzeros = n_all * features if features < WIDE else int(n_all * features * DENSE_FROM)
    index = 2 if features <= 2 ** 16 else 4
    nbytes = 2 * nonzeros * (index + s) + 2 * (n_all + 1) * 8 + n_all * net.sizes[-1] * s
    if m > LOOPS_UP_TO:
        nbytes += min(m * features, nonzeros) * (4 + s)
    return [Part(path, nbytes,
                 f"the training examples, {_count(n_all)}, as the compiled loops copy their nonzero inputs (at "
                 f"most {_count(nonzeros)})")]


def largest(parts) -> tuple:
    """Return (setting path, its Part that is largest) for the setting whose Parts add up to the most."""
    by_path = {}
    for p in parts:
        by_path[p.path] = by_path.get(p.path, 0) + p.nbytes
    path = max(by_path, key=by_path.get)
    return path, max((p for p in parts if p.path == path), key=lambda p: p.nbytes)


def refusal(spec, info) -> CheckError | None:
    """Return the error refusing `spec` if its estimate exceeds the limit (or the limit is not a size), else None.
    It names the setting whose Parts add up to the most, and the largest of them."""
    try:
        allowed, what = limit()
    except CheckError as e:
        return e
    found = parts(spec, info)
    need = sum(p.nbytes for p in found)
    if need <= allowed:
        return None
    path, part = largest(found)
    value = spec.resolved
    for key in path:
        value = value[key]
    remedy = "Lower it"
    if path in (("data", "training"), ("data", "evaluation")):
        remedy = f"Take fewer examples: {{split: {value['split']}, take: N}}"
    elif path == ("data", "source"):
        remedy = "Use a smaller data set"
    got = {"got": value} if isinstance(value, int) and value.bit_length() < 1000 else {}  # (a repr of 10^5000 fails)
    return CheckError(f"this spec needs about {fmt(need)} of memory, {fmt(part.nbytes)} of it for {part.what}, "
                      f"more than {what}", path=path, **got,
                      hint=f"{remedy}, or set {ENV} (such as {ENV}=32GiB) if more memory is free.")
