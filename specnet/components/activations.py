"""Activation functions σ: each has `fn(z)` and `prime(z, a)` = σ'(z), given a = σ(z) to reuse it.

Arrays are (neurons, batch): one column per example, so softmax normalises over axis 0. Both take an
optional `out`, an array of z's shape to write the result into (the executor reuses its arrays from one
mini-batch to the next rather than allocate new ones: at 10 examples a batch, allocation is a large part
of the time); without it they return a new array.

    >>> import numpy as np
    >>> float(ACTIVATIONS.get("sigmoid").fn(np.array([0.0]))[0])
    0.5
"""
from __future__ import annotations

import numpy as np

from specnet.registry import Registry

ACTIVATIONS = Registry("activation")


class Activation:
    trainable = True      # False: forward only (the perceptron's step has no useful derivative)
    output_only = False   # True: only allowed as the output layer (softmax)


@ACTIVATIONS.register("sigmoid")
class Sigmoid(Activation):
    """σ(z) = 1/(1 + e^−z)  (1.3)."""

    @staticmethod
    def fn(z, out=None):
        # NOTE: 0.5·(1 + tanh(z/2)) is σ(z) without overflow in e^−z for very negative z; its absolute
        # error stays below machine epsilon (relative precision is lost only where σ(z) < 1e-13).
        a = np.multiply(z, 0.5, out=out)
        np.tanh(a, out=a)
        a += 1.0
        a *= 0.5
        return a

    @staticmethod
    def prime(z, a, out=None):
        """σ'(z) = σ(z)(1 − σ(z))."""
        out = np.subtract(1.0, a, out=out)
        out *= a
        return out


@ACTIVATIONS.register("tanh")
class Tanh(Activation):
    """tanh(z) = (e^z − e^−z)/(e^z + e^−z)  (ch. 3, "other models of artificial neuron")."""

    @staticmethod
    def fn(z, out=None):
        return np.tanh(z, out=out)

    @staticmethod
    def prime(z, a, out=None):
        """tanh'(z) = 1 − tanh²(z)."""
        out = np.multiply(a, a, out=out)
        return np.subtract(1.0, out, out=out)


@ACTIVATIONS.register("relu")
class ReLU(Activation):
    """max(0, z), the rectified linear unit."""

    @staticmethod
    def fn(z, out=None):
        return np.maximum(z, 0.0, out=out)

    @staticmethod
    def prime(z, a, out=None):
        # NOTE: ReLU'(0) = 0, the usual convention (the book gives none).
        return np.greater(z, 0.0, out=np.empty_like(z) if out is None else out)


@ACTIVATIONS.register("linear")
class Linear(Activation):
    """σ(z) = z: the linear neuron (problem in ch. 3 §1: quadratic cost with linear outputs)."""

    @staticmethod
    def fn(z, out=None):
        out = np.empty_like(z) if out is None else out
        out[...] = z
        return out

    @staticmethod
    def prime(z, a, out=None):
        out = np.empty_like(z) if out is None else out
        out.fill(1.0)
        return out


@ACTIVATIONS.register("softmax")
class Softmax(Activation):
    """a_j = e^{z_j} / Σ_k e^{z_k}  (78): positive outputs summing to 1 over each column (79)."""
    output_only = True

    @staticmethod
    def fn(z, out=None):
        # NOTE: subtracting the column maximum leaves softmax unchanged and keeps e^z finite.
        e = np.subtract(z, z.max(axis=0, keepdims=True), out=out)
        np.exp(e, out=e)
        e /= e.sum(axis=0, keepdims=True)
        return e

    @staticmethod
    def prime(z, a, out=None):
        raise NotImplementedError("softmax has no elementwise derivative; its δ^L comes from the log-likelihood cost (81)")


@ACTIVATIONS.register("perceptron")
class Perceptron(Activation):
    """Output 1 if w·x + b > 0, else 0  (1.2): strict, so the output at exactly 0 is 0, unlike a step."""
    trainable = False

    @staticmethod
    def fn(z, out=None):
        return np.greater(z, 0.0, out=np.empty_like(z) if out is None else out)

    @staticmethod
    def prime(z, a, out=None):
        raise NotImplementedError("a perceptron cannot be trained by gradient descent: its step has derivative 0")
