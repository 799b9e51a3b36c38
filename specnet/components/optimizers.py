"""Optimizers: `step(params, updates)` applies updates already scaled by −η (the executor computes them).

    >>> import numpy as np
    >>> opt = OPTIMIZERS.get("sgd")(eta=0.5, mu=0.9)
    >>> w = np.zeros(2); opt.start([w]); opt.step([w], [np.array([-1.0, 1.0])]); w.tolist()
    [-1.0, 1.0]
"""
from __future__ import annotations

import numpy as np

from specnet.registry import Registry

OPTIMIZERS = Registry("optimizer")


@OPTIMIZERS.register("sgd")
class SGD:
    """Mini-batch stochastic gradient descent, with optional momentum μ.

    Plain (μ = 0):  w → w − (η/m) Σ_x ∂C_x/∂w  (1.20), b likewise (1.21).
    Momentum:       v → v' = μv − η∇C, w → w' = w + v'  (ch. 3, momentum-based gradient descent).
    """

    def __init__(self, eta: float, mu: float = 0.0):
        self.eta, self.mu = float(eta), float(mu)
        self.velocities: list = []

    def start(self, params):
        """Reset the velocities v to zero, one per parameter array."""
        self.velocities = [np.zeros_like(p) for p in params] if self.mu else []

    def step(self, params, updates):
        """Apply `updates` (= −η∇C for each parameter) in place."""
        if not self.mu:
            for p, u in zip(params, updates):
                p += u
            return
        if len(self.velocities) != len(params):
            self.start(params)
        for p, u, v in zip(params, updates, self.velocities):
            v *= self.mu
            v += u
            p += v
