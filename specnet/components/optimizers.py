"""Optimizers: `step(weights, biases, gradient, eta, decay)` moves the parameters one step; each owns its state.

The optimizer applies η, the weight decay and the momentum itself. It asks for the gradient through
`gradient(scale)`, which returns scale × ∇C of the mini-batch for every weight and bias: the network
folds the scale into δ^L, where it costs nothing (backpropagation is linear in δ^L), so that −η∇C never
takes a pass of its own. An entry also gives the same step one number at a time (`rule`, with its
numbers in `hyper`), which the compiled executor (specnet.training.compiled) runs inside its loops: a new
kind of step of sgd (as nesterov) is a change here only, for both executors. (Those loops run sgd's rule
alone, see compiled.py; an optimizer of another type runs on NumPy, which `executor: auto` picks.)

    >>> import numpy as np
    >>> opt = OPTIMIZERS.get("sgd")(eta=0.5, mu=0.9, nesterov=False)
    >>> w, b = np.zeros(2), np.zeros(1); opt.start([w, b])
    >>> opt.step([w], [b], lambda scale: ([scale * np.array([2.0, -2.0])], [scale * np.ones(1)]), 0.5)
    >>> w.tolist(), b.tolist()
    ([-1.0, 1.0], [-0.5])
"""
from __future__ import annotations

import numpy as np

from specnet.registry import Registry

OPTIMIZERS = Registry("optimizer")


def sgd_rule(p, v, u, hyper, decay, penalty):
    """Step the numbers of the 1-D array p in place, given u = −η ∂C_0/∂p and their velocities v; hyper =
    (μ, nesterov). First the weight decay: u − decay·p for penalty 1 (L2, 93), u − decay·sgn(p) for
    penalty 2 (L1, 97), with decay = ηλ/n; then plain SGD (1.20-1.21): p += u; momentum (ch. 3):
    v = μv + u, p += v; Nesterov: v = μv + u, p += u + μv. (v[i] is stored before p[i] uses it: a
    velocity has the parameters' dtype, whatever u's.) One loop over the array, which compiles to SIMD."""
    mu, nesterov = hyper
    for i in range(p.shape[0]):
        ui = u[i]
        if penalty == 1:
            ui -= decay * p[i]
        elif penalty == 2:
            ui -= decay * np.sign(p[i])
        if mu == 0.0:
            p[i] += ui
        else:
            v[i] = mu * v[i] + ui
            if nesterov:
                p[i] += ui
                p[i] += mu * v[i]
            else:
                p[i] += v[i]


@OPTIMIZERS.register("sgd")
class SGD:
    """Mini-batch stochastic gradient descent, with optional momentum μ, classical or Nesterov's.

    Plain (μ = 0):  w → w − (η/m) Σ_x ∂C_x/∂w  (1.20), b likewise (1.21).
    Momentum:       v → v' = μv − η∇C, w → w' = w + v'  (ch. 3, momentum-based gradient descent).
    Nesterov:       v → v' = μv − η∇C(w + μv), w → w + v', the gradient taken where the momentum is about
                    to carry w. Note that the parameters held are then the look-ahead ones, w + μv, so
                    that the step needs only the gradient at the parameters held: v' = μv − η∇C,
                    w → w − η∇C + μv' (Sutskever et al. 2013's form, as PyTorch and Keras write it).
    """

    rule = staticmethod(sgd_rule)

    def __init__(self, eta: float, mu: float, nesterov: bool):
        self.eta, self.mu, self.nesterov = float(eta), float(mu), bool(nesterov)
        self.velocities: list = []

    @property
    def hyper(self) -> tuple:
        """The numbers of `rule` besides η: (μ, nesterov)."""
        return (self.mu, self.nesterov)

    @property
    def plain(self) -> bool:
        """True when a step is p → p + u, nothing kept: the compiled executor then adds u in place."""
        return not self.mu

    def start(self, params):
        """Reset the velocities v to zero, one per parameter array."""
        self.velocities = [np.zeros_like(p) for p in params] if self.mu else []

    def step(self, weights, biases, gradient, eta, decay=None):
        """Move the weights and biases in place: u = −η∇C from gradient(−η), less the weight decay
        (ηλ/n) ∂penalty/∂w (93, 97) when `decay` = (regularizer, n) is given, then `rule` array-wise."""
        nabla_w, nabla_b = gradient(-eta)
        if decay is not None:
            # Note that the regularization term is part of ∇C, so with momentum it goes into the velocity.
            reg, n = decay
            rate = eta * reg.lmbda / n  # ηλ/n: w → w − (ηλ/n)w (L2, 93) or − (ηλ/n) sgn(w) (L1, 97)
            for w, nw in zip(weights, nabla_w):
                nw -= rate * reg.grad(w)
        params, updates = weights + biases, nabla_w + nabla_b
        if not self.mu:
            for p, u in zip(params, updates):
                p += u
            return
        if len(self.velocities) != len(params):
            self.start(params)
        for p, u, v in zip(params, updates, self.velocities):
            v *= self.mu
            v += u  # v' = μv + u
            if self.nesterov:
                p += u
                p += np.multiply(v, self.mu, out=u)  # μv', in u's room
            else:
                p += v
