"""Data of your own as a NumPy .npz archive (numpy.savez): x_train, y_train, x_test, y_test, and optionally
x_validation, y_validation. Read without pickle, and bounded: every array's header is read and checked
before its data, so a small file that claims a huge array is refused rather than allocated.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from specnet.errors import DataError, cut
from specnet.datasets.idx import DAMAGED, verify
from specnet.datasets.npyheader import header

MAX_BYTES, MAX_CLASSES = 4 << 30, 10_000   # the decoded arrays, all together; class labels 0 .. 9,999
SPLITS = (("training", "train"), ("validation", "validation"), ("test", "test"))


def read_npz(path: Path, sha256: str, validation: int, where=("data", "source")) -> dict:
    """Return {split: (x (N, features), y (N,) int64)} from a checked .npz; without x_validation, the last
    `validation` training examples form the validation split."""
    path, where = Path(path), where + ("path",)

    def fail(problem, hint=""):
        return DataError(problem, file=str(path), hint=hint)

    verify(path, sha256, where)
    try:
        with np.load(path, allow_pickle=False) as z:
            shapes = {k: header(z, k, fail) for k in z.files if k[:2] in ("x_", "y_")}
            missing = [k for k in ("x_train", "y_train", "x_test", "y_test") if k not in shapes]
            missing += [f"{k}_validation" for k in "xy" if "x_validation" in shapes or "y_validation" in shapes
                        if f"{k}_validation" not in shapes]
            if missing:
                raise fail(f"no array {', '.join(missing)}", f"It has: {', '.join(sorted(z.files)) or 'none'}.")
            if sum(nbytes for _, _, nbytes in shapes.values()) > MAX_BYTES:
                raise fail(f"its arrays would take more than {MAX_BYTES >> 30} GiB")
            arrays = {k: z[k] for k in shapes}
    except DataError:
        raise
    except (*DAMAGED, ValueError, KeyError, zipfile.BadZipFile) as e:
        raise DataError(f"cannot read {cut(path)} as .npz: {cut(e)}", path=where,
                        hint="Write it with numpy.savez (no object arrays).") from None
    for name, a in arrays.items():
        _check_array(name, a, fail)
    if "x_validation" not in arrays:
        n = len(arrays["x_train"]) - validation
        if n < 1:
            raise fail(f"validation takes {validation} of only {len(arrays['x_train'])} training examples")
        for k in ("x", "y"):
            arrays[f"{k}_validation"], arrays[f"{k}_train"] = arrays[f"{k}_train"][n:], arrays[f"{k}_train"][:n]
    out = {s: (rows_of(arrays[f"x_{p}"]), arrays[f"y_{p}"].astype(np.int64)) for s, p in SPLITS}
    for s, p in SPLITS:
        if len(out[s][0]) != len(out[s][1]):
            raise fail(f"x_{p} has {len(out[s][0])} examples but y_{p} {len(out[s][1])}")
        if out[s][0].shape[1] != out["training"][0].shape[1]:
            raise fail(f"x_{p} has {out[s][0].shape[1]} values per example, x_train {out['training'][0].shape[1]}")
    return out


def rows_of(x: np.ndarray) -> np.ndarray:
    """Return x as (N, features), also when N is 0."""
    return x.reshape(len(x), int(np.prod(x.shape[1:])))


def class_count(*labels) -> int:
    """Return the number of classes that integer label arrays imply: the largest label + 1."""
    return int(max(int(y.max()) for y in labels if len(y))) + 1


def _check_array(name: str, a: np.ndarray, fail) -> None:
    """Labels must be whole numbers 0 .. MAX_CLASSES - 1, one per example; inputs bytes or finite floats."""
    problem = None
    if name.startswith("y_"):
        if a.ndim != 1:
            problem = f"must be class labels, one per example; it has shape {a.shape}"
        elif a.size and (a.dtype.kind not in "iuf" or not np.all(np.isfinite(a)) or a.min() < 0
                         or a.max() >= MAX_CLASSES or not np.all(np.mod(a, 1) == 0)):
            problem = f"must hold whole-number class labels from 0 to {MAX_CLASSES - 1}"
    elif a.ndim < 1:
        problem = "must hold one row of inputs per example; it is a single number"
    elif a.dtype != np.uint8 and a.size and (a.dtype.kind not in "iuf" or not np.all(np.isfinite(a))):
        problem = "must hold bytes (uint8, scaled to [0, 1]) or finite numbers"
    if problem:
        raise fail(f"array {name} {problem}")
