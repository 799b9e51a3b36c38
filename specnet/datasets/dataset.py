"""Datasets as the executor uses them: inputs x (N, n_in), targets y (N, n_out), labels (N,).

Note that examples are rows here, so one mini-batch is a contiguous block; the executor hands it to the
maths as columns, x[k:k+m].T, a transposed view: the book's (n, 1)-column convention without a copy.

    >>> vectorized_result(np.array([6]), 10).ravel().tolist()
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from specnet.components.streams import generator
from specnet.datasets.scaling import fit
from specnet.datasets.sources import source_of
from specnet.errors import DataError


@dataclass
class Dataset:
    """Examples as rows: x (N, n_in) the inputs (bytes scaled to [0, 1], then by `scaling` if the spec asks),
    y (N, n_out) desired outputs, labels (N,) classes for accuracy."""
    x: np.ndarray
    y: np.ndarray
    labels: np.ndarray
    name: str = ""
    scaling: object = None  # the fitted input Scaling applied to x (data.scale), saved with the model

    def __len__(self) -> int:
        return len(self.x)


def vectorized_result(labels: np.ndarray, n_out: int) -> np.ndarray:
    """Return one-hot rows: label j gives a row of n_out zeros with 1.0 at j (the book's y(x), ch. 1)."""
    y = np.zeros((len(labels), n_out))
    y[np.arange(len(labels)), labels] = 1.0
    return y


def labels_of(targets: np.ndarray) -> np.ndarray:
    """Return the class of each target row: its argmax, or, for a single output, 1 when >= 0.5 (ch. 1)."""
    return (targets[:, 0] >= 0.5).astype(np.int64) if targets.shape[1] == 1 else targets.argmax(axis=1)


def selected(x, y, split) -> tuple:
    """Return the examples of (x, y) that `split` selects: `split.digits`, then the first `split.take`."""
    if y.ndim == 1 and split.digits is not None:
        keep = np.isin(y, split.digits)
        x, y = x[keep], y[keep]
    if split.take is not None:
        x, y = x[:split.take], y[:split.take]
    return x, y


def inputs(x, dtype) -> np.ndarray:
    """Return the inputs as `dtype`, bytes 0..255 scaled to [0, 1] (one pass, no float64 copy)."""
    return np.multiply(x, 1.0 / 255.0, dtype=dtype) if x.dtype == np.uint8 else np.ascontiguousarray(x, dtype=dtype)


def require_finite(x, raw, what: str, dtype) -> None:
    """Raise a DataError if the inputs x (N, features), cast to `dtype` from `raw` (and scaled), hold a NaN or
    infinity: a number finite in a file (1e39) is infinite in float32. Looked at 10,000 rows at a time, so the
    test allocates little; bytes (MNIST) cannot overflow and are not looked at (measured in docs/specs.md)."""
    for k in range(0, len(x) if raw.dtype.kind == "f" else 0, 10_000):
        finite = np.isfinite(x[k:k + 10_000])  # (10,000, features) booleans: 7.8 MB for MNIST's width
        if not finite.all():
            i, j = (int(n) for n in np.argwhere(~finite)[0])
            i, name, largest = i + k, np.dtype(dtype).name, f"{np.finfo(dtype).max:.1e}".replace("e+", "e")
            raise DataError(f"{what} hold a number that becomes infinite (or NaN) as {name} (row {i}, column {j},"
                            " counting from 0)", path=("data", "source"), got=float(raw.reshape(len(raw), -1)[i, j]),
                            hint=f"{name} holds numbers up to {largest}; use network.dtype: float64, data.scale: "
                                 "standardize, or smaller units.")


def make_dataset(x, y, split, n_out: int, dtype, name: str = "", scaling=None, origin: str = "the data") -> Dataset:
    """Select the split's examples; scale bytes to [0, 1] and then by `scaling` (in float64); one-hot the labels.
    Inputs that the cast to `dtype` or the scaling made infinite are a DataError naming `origin` and the split."""
    raw, y = selected(x, y, split)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is require_finite's one error, not a warning
        x = inputs(raw, dtype) if scaling is None else np.ascontiguousarray(scaling(inputs(raw, np.float64)),
                                                                            dtype=dtype)
    require_finite(x, raw, f"{origin}: the {name or split.split} inputs", dtype)
    if y.ndim == 1:  # labels
        labels = y.astype(np.int64)
        targets = labels[:, None].astype(float) if n_out == 1 else vectorized_result(labels, n_out)
    else:            # targets given (inline tables)
        targets, labels = y, labels_of(y)
    return Dataset(x, np.ascontiguousarray(targets, dtype=dtype), labels, name, scaling)


def expanded(data: Dataset, spec) -> Dataset:
    """Return the training data with the spec's transformed copies added once (ch. 3, expansion)."""
    expansion = spec.data.expand
    copies = 1 + expansion.copies
    x = np.concatenate([data.x, expansion(data.x, generator(spec.seed, "expand"))])
    return Dataset(x, np.tile(data.y, (copies, 1)), np.tile(data.labels, copies), data.name + " (expanded)")


def load_datasets(spec, splits: dict, source=None, scaling=None) -> dict:
    """Return {role: Dataset} for roles like {"training": spec.data.training}, loading each split once.

    With `data.scale`, every split is scaled by `scaling` (a trained model's), else by numbers fitted on
    the "training" role. A data error is reported at the line of the spec that names the data.
    """
    source = source or source_of(spec.data.source)
    try:
        raw = source.load(spec.base, {s.split for s in splits.values()})
        if spec.data.scale != "none" and scaling is None:  # fitted on the training examples, in float64
            scaling = fit(spec.data.scale, inputs(selected(*raw[splits["training"].split], splits["training"])[0],
                                                  np.float64))
        out = {}
        for role, split in splits.items():
            x, y = raw[split.split]
            if len(x) == 0:
                raise DataError(f"the {split.split} split of this data is empty",
                                path=("data", role) if role in ("training", "evaluation") else ("data", "source"),
                                hint="Set data.source.validation to hold out some training examples.")
            origin = str(getattr(source, "path", "the data"))  # the file of a CSV or .npz source
            out[role] = make_dataset(x, y, split, spec.model.n_out(y), spec.model.dtype, split.split, scaling, origin)
        if "training" in out and spec.data.expand and not spec.data.expand.per_epoch:
            out["training"] = expanded(out["training"], spec)
        return out
    except DataError as e:
        raise e.located(*spec.where(e.parts)) if e.file is None else e
