"""Weight and bias initializers: `init(n_in, n_out, rng)` returns (w, b) with shapes (n_out, n_in), (n_out, 1).

Draws are made in float64 from the generator passed in (never a global RNG) and cast by the compiler,
so float32 and float64 runs of one spec start from the same numbers.

    >>> import numpy as np
    >>> w, b = INITIALIZERS.get("gaussian_scaled")()(784, 30, np.random.default_rng(0))
    >>> w.shape, b.shape
    ((30, 784), (30, 1))
"""
from __future__ import annotations

import numpy as np

from specnet.registry import Registry

INITIALIZERS = Registry("init")


@INITIALIZERS.register("gaussian")
class GaussianInitializer:
    """Weights and biases N(0, 1): the book's chapter-1 init (network2's `large_weight_initializer`)."""

    def __call__(self, n_in, n_out, rng):
        w = rng.standard_normal((n_out, n_in))
        b = rng.standard_normal((n_out, 1))
        return w, b


@INITIALIZERS.register("gaussian_scaled")
class GaussianScaledInitializer:
    """Weights N(0, 1/n_in), i.e. standard deviation 1/√n_in; biases N(0, 1) (ch. 3, weight initialization)."""

    def __call__(self, n_in, n_out, rng):
        w = rng.standard_normal((n_out, n_in)) / np.sqrt(n_in)
        b = rng.standard_normal((n_out, 1))
        return w, b


@INITIALIZERS.register("zeros")
class ZerosInitializer:
    """All weights and biases 0 (every hidden neuron then learns the same thing: a teaching example)."""

    def __call__(self, n_in, n_out, rng):
        return np.zeros((n_out, n_in)), np.zeros((n_out, 1))


@INITIALIZERS.register("explicit")
class ExplicitInitializer:
    """Weights and biases written in the spec, e.g. the NAND perceptron: weights [[-2, -2]], biases [3]."""

    def __init__(self, weights, biases):
        self.weights, self.biases = weights, biases

    def __call__(self, n_in, n_out, rng):
        w = np.array(self.weights, dtype=float).reshape(n_out, n_in)
        b = np.array(self.biases, dtype=float).reshape(n_out, 1)
        return w, b
