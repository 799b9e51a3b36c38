"""Semantic checks the schema cannot express, of the network, the data and the model. Each is a function
`check(spec, info)`, listed in this module's CHECKS, that yields CheckErrors (path, message, got, hint); `info`
describes the data (None if it could not be read). The training section's checks and those of the numbers
have their own modules (training_checks, number_checks); specnet.spec.load runs them all.
"""
from __future__ import annotations

import math

from specnet.components.activations import ACTIVATIONS
from specnet.errors import CheckError
from specnet.spec.memory import refusal

_LAYERS = ("network", "layers")


def input_width(spec, info):
    """`network.input` must equal the width of one example of the data."""
    if info and spec.network.input != info.features:
        yield CheckError(f"must equal the width of one example of the data, {info.features}",
                         path=("network", "input"), got=spec.network.input)


def output_size(spec, info):
    """The output layer must have one neuron per class (or one, for two classes), or match the targets."""
    if not info:
        return
    size, last = spec.network.sizes[-1], len(spec.network.layers) - 1
    ok = size == info.targets or (info.classes == 2 and size == 1)
    if not ok:
        what = f"{info.classes} classes" if info.classes else f"targets {info.targets} wide"
        yield CheckError(f"the output layer must have {info.targets} neurons: the data has {what}",
                         path=_LAYERS + (last, "size"), got=size)


def cost_matches_output(spec, info):
    """log_likelihood needs a softmax output; cross_entropy needs sigmoid outputs (in (0, 1))."""
    cost, out = spec.network.cost, spec.network.layers[-1].activation
    path = _LAYERS + (len(spec.network.layers) - 1, "activation")
    if cost == "log_likelihood" and out != "softmax":
        yield CheckError("cost 'log_likelihood' needs a softmax output layer (80)", path=path, got=out,
                         hint="Set the last layer's activation to softmax.")
    if cost == "cross_entropy" and out != "sigmoid":
        yield CheckError("cost 'cross_entropy' needs sigmoid outputs, in (0, 1) (63)", path=path, got=out,
                         hint="Use a sigmoid output layer, or softmax with log_likelihood, or cost quadratic.")


def softmax_placement(spec, info):
    """softmax only on the output layer, and only with the log_likelihood cost (its δ^L comes from it)."""
    layers = spec.network.layers
    for i, layer in enumerate(layers):
        if ACTIVATIONS.get(layer.activation).output_only and i < len(layers) - 1:
            yield CheckError(f"{layer.activation} is for the output layer only", path=_LAYERS + (i, "activation"),
                             got=layer.activation, hint="Use sigmoid, tanh, relu or linear in hidden layers.")
    if layers[-1].activation == "softmax" and spec.network.cost != "log_likelihood":
        yield CheckError("a softmax output layer needs the cost log_likelihood (81)", path=("network", "cost"),
                         got=spec.network.cost)


def trainable(spec, info):
    """A network with perceptron layers cannot be trained by gradient descent."""
    if not spec.training or not spec.training.epochs:
        return
    for i, layer in enumerate(spec.network.layers):
        if not ACTIVATIONS.get(layer.activation).trainable:
            yield CheckError(f"{layer.activation} layers cannot be trained: their step has no useful derivative",
                             path=_LAYERS + (i, "activation"), got=layer.activation,
                             hint="Remove the training section to only evaluate hand-set weights, or use sigmoid.")


def dropout_placement(spec, info):
    """Dropout is for hidden layers only (the book leaves input and output neurons untouched)."""
    last = len(spec.network.layers) - 1
    if spec.network.layers[last].dropout:
        yield CheckError("dropout is for hidden layers only, not the output layer", path=_LAYERS + (last, "dropout"),
                         got=spec.network.layers[last].dropout, hint="Set it on a hidden layer, or remove it.")


def expansion(spec, info):
    """Expansion transforms square images, and must transform them somehow."""
    e = spec.data.expand
    if not e:
        return
    if spec.data.scale != "none":
        yield CheckError("data.expand transforms images of pixels in [0, 1], which scaling would no longer be",
                         path=("data", "scale"), got=spec.data.scale, hint="Use scale: none with expand.")
    if not (e.rotate or e.shift or e.scale):
        yield CheckError("the copies would equal the originals", path=("data", "expand"),
                         hint="Set rotate, shift or scale (the book: rotate: 15).")
    if info and round(info.features ** 0.5) ** 2 != info.features:
        yield CheckError(f"expansion needs square images; one example here has {info.features} values",
                         path=("data", "expand"))
    side = math.isqrt(info.features if info else spec.network.input if spec.network else 0)
    if side and e.shift >= side:
        yield CheckError(f"must be less than the images' side, {side} pixels: this shift moves the whole image out",
                         path=("data", "expand", "shift"), got=e.shift, hint="The book shifts by a pixel or two.")


def explicit_shapes(spec, info):
    """Explicit weights must be size x inputs, and biases one per neuron."""
    sizes = spec.network.sizes
    for i, layer in enumerate(spec.network.layers):
        if layer.init is None or layer.init.type != "explicit":
            continue
        w, b = layer.init.params["weights"], layer.init.params["biases"]
        if len(w) != layer.size or any(len(row) != sizes[i] for row in w):
            yield CheckError(f"must be {layer.size} rows of {sizes[i]} (size x inputs)",
                             path=_LAYERS + (i, "init", "weights"), got=w)
        if len(b) != layer.size:
            yield CheckError(f"must be {layer.size} numbers, one per neuron", path=_LAYERS + (i, "init", "biases"), got=b)


def splits(spec, info):
    """A split must not be empty, `take` must not exceed it, and digits must be classes of the data."""
    if not info:
        return
    for role in ("training", "evaluation"):
        s = getattr(spec.data, role)
        size = info.sizes.get(s.split, 0)
        if size == 0:
            yield CheckError(f"the {s.split} split of this data is empty", path=("data", role), got=s.split,
                             hint="Set data.source.validation to hold out some training examples.")
        elif s.take is not None and s.take > size:
            yield CheckError(f"take is more than the {size} examples of the {s.split} split",
                             path=("data", role, "take"), got=s.take)
        bad = [d for d in s.digits or () if info.classes is None or d >= info.classes]
        if bad:
            yield CheckError(f"the data has no class {bad[0]}", path=("data", role, "digits"), got=list(s.digits))


def model(spec, info):
    """A spec has one model, a network or a baseline; a model without layers has no training section."""
    if spec.model is None:
        yield CheckError("a spec needs a network (or a baseline)", path=(), hint="Add a network section.")
    elif spec.network and spec.baseline:
        yield CheckError("a spec has a network or a baseline, not both", path=("baseline",), got=spec.baseline.type)
    elif spec.training and not spec.model.layers:
        yield CheckError(f"a {spec.model.kind} is not trained by gradient descent", path=("training",),
                         hint="Remove the training section: the baseline is fitted to the training data.")


def memory(spec, info):
    """The spec's arrays must fit in the memory allowed (estimated by specnet.spec.memory, before any is made)."""
    problem = refusal(spec, info)
    if problem:
        yield problem


# This module's checks (specnet.spec.load runs them, with those of training_checks and number_checks).
CHECKS = (input_width, output_size, cost_matches_output, softmax_placement, trainable, dropout_placement, expansion,
          explicit_shapes, splits, model, memory)
