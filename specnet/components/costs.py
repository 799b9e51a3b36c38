"""Cost functions C: each has `fn(a, y)` = Σ_x C_x over the batch columns, and `delta(z, a, y, act)` = δ^L
(written into `out` if given, as the executor does to reuse its arrays).

The mean over n examples, C = (1/n) Σ_x C_x, is taken by the caller (COST7).

    >>> import numpy as np
    >>> a, y = np.array([[0.8], [0.2]]), np.array([[1.0], [0.0]])
    >>> round(float(COSTS.get("quadratic").fn(a, y)), 6)
    0.04
"""
from __future__ import annotations

import numpy as np

from specnet.registry import Registry

COSTS = Registry("cost")


def _safe(a):
    # NOTE: a is clipped to [ε, 1 − ε] (ε the dtype's machine epsilon) before taking logs, so a
    # saturated output gives a large finite cost, never inf or nan; gradients use δ^L and are unaffected.
    eps = np.finfo(a.dtype).eps if a.dtype.kind == "f" else np.finfo(float).eps
    return np.clip(a, eps, 1.0 - eps)


@COSTS.register("quadratic")
class QuadraticCost:
    """C_x = ½‖y − a^L‖²  (2.5)."""

    @staticmethod
    def fn(a, y):
        return 0.5 * float(np.sum((a - y) ** 2))

    @staticmethod
    def delta(z, a, y, activation, out=None, scratch=None):
        """δ^L = (a^L − y) ⊙ σ'(z^L)  (BP1, with ∇_a C = a − y); into `out`, σ' into `scratch`, if given."""
        out = np.subtract(a, y, out=out)
        out *= activation.prime(z, a, out=scratch)
        return out


@COSTS.register("cross_entropy")
class CrossEntropyCost:
    """C_x = −Σ_j [y_j ln a_j + (1 − y_j) ln(1 − a_j)]  (63)."""

    @staticmethod
    def fn(a, y):
        a = _safe(a)
        return -float(np.sum(y * np.log(a) + (1.0 - y) * np.log1p(-a)))

    @staticmethod
    def delta(z, a, y, activation, out=None, scratch=None):
        """δ^L = a^L − y  (3.12): σ'(z) cancels; valid for sigmoid outputs, which the checks enforce."""
        return np.subtract(a, y, out=out)


@COSTS.register("log_likelihood")
class LogLikelihoodCost:
    """C_x = −ln a^L_y  (80), y the correct class; with one-hot y this is −Σ_j y_j ln a_j."""

    @staticmethod
    def fn(a, y):
        return -float(np.sum(y * np.log(_safe(a))))

    @staticmethod
    def delta(z, a, y, activation, out=None, scratch=None):
        """δ^L_j = a^L_j − y_j  (81–82), for a softmax output layer, which the checks enforce."""
        return np.subtract(a, y, out=out)
