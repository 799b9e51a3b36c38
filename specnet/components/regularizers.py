"""Weight regularizers: `penalty(w)` and its gradient `grad(w)`; biases are never regularized.

The caller scales by λ/n, with n the size of the training set (not of the mini-batch):
C = C_0 + (λ/n) Σ_w penalty(w)  (87, 95).

    >>> import numpy as np
    >>> REGULARIZERS.get("l1").grad(np.array([-2.0, 0.0, 3.0])).tolist()
    [-1.0, 0.0, 1.0]
"""
from __future__ import annotations

import numpy as np

from specnet.registry import Registry

REGULARIZERS = Registry("regularization")


class Regularizer:
    def __init__(self, lmbda: float):
        self.lmbda = float(lmbda)  # λ; "lmbda" as in network2, since lambda is a Python keyword


@REGULARIZERS.register("none")
class NoRegularizer(Regularizer):
    """C = C_0."""

    def __init__(self):
        super().__init__(0.0)

    @staticmethod
    def penalty(w):
        return 0.0

    @staticmethod
    def grad(w):
        return np.zeros_like(w)


@REGULARIZERS.register("l2")
class L2Regularizer(Regularizer):
    """(λ/2n) Σ_w w²  (87); the SGD step becomes the weight decay w → (1 − ηλ/n) w − (η/m) Σ_x ∂C_x/∂w  (93)."""

    @staticmethod
    def penalty(w):
        return 0.5 * float(np.sum(w * w))

    @staticmethod
    def grad(w):
        return w


@REGULARIZERS.register("l1")
class L1Regularizer(Regularizer):
    """(λ/n) Σ_w |w|  (95); ∂C/∂w = ∂C_0/∂w + (λ/n) sgn(w)  (96)."""

    @staticmethod
    def penalty(w):
        return float(np.sum(np.abs(w)))

    @staticmethod
    def grad(w):
        # NOTE: sgn(0) = 0, so a zero weight gets the plain unregularized update (the book's convention).
        return np.sign(w)
