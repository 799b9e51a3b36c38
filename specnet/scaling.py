"""Input scaling for tables whose columns have different units: fitted on the training examples only, then
applied unchanged to every split and saved with the model (so that `specnet evaluate` scales the same way).

Each entry's `fit(x)` returns (shift, scale) per feature, and the data become (x − shift) ⊙ scale.

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


def _inverse(width: np.ndarray) -> np.ndarray:
    # NOTE: a column that is constant on the training examples has width 0: it is shifted, never divided by 0.
    return np.where(width > 0, 1.0 / np.where(width > 0, width, 1.0), 1.0)


@SCALINGS.register("none")
def no_scaling(x):
    """Leave the inputs as they are."""
    return np.zeros(x.shape[1]), np.ones(x.shape[1])


@SCALINGS.register("minmax")
def minmax(x):
    """Map each feature's training range [min, max] to [0, 1]."""
    low, high = x.min(axis=0), x.max(axis=0)
    return low, _inverse(high - low)


@SCALINGS.register("standardize")
def standardize(x):
    """Give each feature mean 0 and standard deviation 1 on the training examples."""
    return x.mean(axis=0), _inverse(x.std(axis=0))


def fit(kind: str, x: np.ndarray) -> Scaling:
    """Return the Scaling `kind` fitted on training inputs x (N, features), computed in float64."""
    shift, scale = SCALINGS.get(kind)(np.asarray(x, dtype=np.float64))
    return Scaling(kind, shift, scale)
