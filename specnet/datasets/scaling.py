"""Input scaling for tables whose columns have different units: fitted on the training examples only, then
applied unchanged to every split and saved with the model (so that `specnet evaluate` scales the same way).

Each entry's `fit(x)` returns (shift, scale) per feature, and the data become (x − shift) ⊙ scale.

Note that fitting first divides each column by a power of two near its largest |x| (exactly), and scales
the results back: the squares of values like ±1e200 would overflow float64 (std = inf), yet such a column
scales to ±1 like any other. Applying a scaling can still overflow only near float64's limit (1.8e308,
where x − shift is infinite); that, and any scaled value beyond the network's dtype, is refused as one
DataError when the data are loaded (specnet.datasets.dataset.require_finite), never trained on.

    >>> s = fit("standardize", np.array([[1.0, 10.0], [3.0, 10.0]]))
    >>> s(np.array([[1.0, 10.0]])).tolist()      # a constant column is only shifted
    [[-1.0, 0.0]]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from specnet.registry import Registry

SCALINGS = Registry("scaling")


@dataclass(frozen=True)
class Scaling:
    """A fitted scaling: x ↦ (x − shift) ⊙ scale, per feature (shift and scale of shape (features,))."""
    type: str
    shift: np.ndarray
    scale: np.ndarray

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.shift) * self.scale).astype(x.dtype, copy=False)


def _magnitude(x: np.ndarray) -> np.ndarray:
    """Return, per column, the power of two just above its largest |x| (1 for a column of zeros): the unit in
    which widths are computed. A power of two, so that dividing by it and multiplying back are exact."""
    return np.ldexp(1.0, np.minimum(np.frexp(np.abs(x).max(axis=0))[1], 1023))  # 2^1024 would be infinity


def _inverse(width: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """Return 1 / (width · unit), with width in units of `unit` (so neither the width nor this overflows)."""
    # NOTE: a column that is constant on the training examples has width 0: it is shifted, never divided by 0.
    return np.where(width > 0, 1.0 / np.where(width > 0, width, 1.0) / unit, 1.0)


@SCALINGS.register("none")
def no_scaling(x):
    """Leave the inputs as they are."""
    return np.zeros(x.shape[1]), np.ones(x.shape[1])


@SCALINGS.register("minmax")
def minmax(x):
    """Map each feature's training range [min, max] to [0, 1]."""
    low, high, unit = x.min(axis=0), x.max(axis=0), _magnitude(x)
    return low, _inverse(high / unit - low / unit, unit)


@SCALINGS.register("standardize")
def standardize(x):
    """Give each feature mean 0 and standard deviation 1 on the training examples."""
    unit = _magnitude(x)
    u = x / unit  # (N, features), every |u| <= 1
    return u.mean(axis=0) * unit, _inverse(u.std(axis=0), unit)


def fit(kind: str, x: np.ndarray) -> Scaling:
    """Return the Scaling `kind` fitted on training inputs x (N, features), computed in float64."""
    shift, scale = SCALINGS.get(kind)(np.asarray(x, dtype=np.float64))
    return Scaling(kind, shift, scale)
