"""Semantic checks of the numbers a spec holds (listed in this module's CHECKS, run by specnet.spec.load): finite, small enough
for the network's dtype where they become its arrays, and hyper-parameters whose products stay finite.

    >>> from specnet.spec.load import spec_from_dict
    >>> spec_from_dict({"specnet": 1, "data": {"source": {"type": "inline", "inputs": [[0], [1]],  # doctest: +ELLIPSIS
    ...     "targets": [[1e39], [0]]}}, "network": {"input": 1, "layers": [{"size": 1, "activation": "linear"}],
    ...     "cost": "quadratic"}})
    Traceback (most recent call last):
    specnet.errors.CheckError: data.source.targets[0][0]: is too large for float32: it would become infinity. ...
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from specnet.errors import CheckError


# NOTE: η, each η of a schedule, and λ are at most 10^6, so that the step's products stay finite in float32
# (3.4e38) and float64: η/m and ηλ/n are at most 10^12. The book's "too large" η is 100.
LARGEST_RATE = 1_000_000


def _numbers(value, path=()):
    """Yield (path, number) for every number that is not an integer in plain spec data."""
    if isinstance(value, dict):
        for key, v in value.items():
            yield from _numbers(v, path + (key,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _numbers(v, path + (i,))
    elif isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        yield path, value


def finite(spec, info):
    """Every number is finite: training on NaN or infinity gives NaN (a YAML file's .nan, .inf and 1e999 are
    refused when read; this also covers specs made from dicts, spec_from_dict)."""
    for path, value in _numbers(spec.resolved):
        if not math.isfinite(value):
            yield CheckError("must be a finite number", path=path, got=value,
                             hint="NaN and infinity are not values to train with.")


def dtype_range(spec, info):
    """Numbers that become arrays of the network's dtype (explicit weights and biases, an inline table) must
    fit it: 1e39 is finite in a spec but infinity in float32. Scaled inline inputs are scaled in float64 first;
    data files are checked when loaded (specnet.datasets.dataset.require_finite)."""
    net, dtype = spec.network, spec.model.dtype if spec.model else "float32"
    largest = float(np.finfo(dtype).max)
    shown = f"{largest:.1e}".replace("e+", "e")  # 3.4e38
    inits = [(("network", "init"), net.init)] + [(("network", "layers", i, "init"), layer.init)
                                                 for i, layer in enumerate(net.layers)] if net else []
    places = [(at + (key,), init.params.get(key)) for at, init in inits if init for key in ("weights", "biases")]
    for key in ("targets", "inputs") if spec.data.scale == "none" else ("targets",):
        places.append((("data", "source", key), spec.data.source.params.get(key)))
    for place, value in places:
        for path, number in _numbers(value, place):
            if math.isfinite(number) and abs(number) > largest:
                yield CheckError(f"is too large for {dtype}: it would become infinity", path=path, got=number,
                                 hint=f"{dtype} holds numbers up to {shown}; use network.dtype: float64 or smaller "
                                      "values.")


def rates(spec, info):
    """η (and each η of a `steps` schedule) and λ are at most 10^6: larger, η/m and ηλ/n overflow the step."""
    for key, name in (("optimizer", "eta"), ("schedule", "etas"), ("regularization", "lambda")):
        values = getattr(spec.training, key).params.get(name) if spec.training else None
        for i, v in enumerate(values if isinstance(values, list) else [values]):
            if isinstance(v, numbers.Real) and math.isfinite(v) and v > LARGEST_RATE:
                at = ("training", key, name) + ((i,) if isinstance(values, list) else ())
                yield CheckError(f"must be at most {LARGEST_RATE:,}: larger, the products of a step (η/m, ηλ/n) "
                                 "overflow float32", path=at, got=v,
                                 hint="The book's 'too large' η is 100, and its λ at most 5.0 for 50,000 images.")


# This module's checks (specnet.spec.load runs them).
CHECKS = (finite, dtype_range, rates)
