"""Strict JSON out: specnet never writes NaN or Infinity, which strict JSON parsers (JavaScript's, jq's,
Go's) reject. A number that is not finite is written as null, and the object that held it says why:

    >>> dumps({"epoch": 3, "evaluation_cost": float("nan"), "evaluation_accuracy": 0.1})
    '{"epoch": 3, "evaluation_cost": null, "evaluation_accuracy": 0.1, "nonfinite": {"evaluation_cost": "NaN"}}'
    >>> restore({"epoch": 3, "evaluation_cost": None, "nonfinite": {"evaluation_cost": "NaN"}})
    {'epoch': 3, 'evaluation_cost': nan}

(a cost is NaN when training diverged). Inside a list there is no room for the reason: the entry is null.
Reading is lenient: Python's json reads the bare NaN of files written before.
"""
from __future__ import annotations

import json
import math

import numpy as np

NONFINITE = "nonfinite"
NAMES = {"NaN", "Infinity", "-Infinity"}  # as JavaScript and Python's json spell them; float() reads them


def _name(x: float) -> str:
    return "NaN" if math.isnan(x) else "Infinity" if x > 0 else "-Infinity"


def finite(value):
    """Return `value` as plain JSON data with every non-finite number replaced by None; a mapping that held
    one gets "nonfinite": {key: "NaN" | "Infinity" | "-Infinity"}. NumPy scalars and arrays become numbers
    and lists."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        out = {k: finite(v) for k, v in value.items()}
        why = {k: _name(float(v)) for k, v in value.items() if isinstance(v, (float, np.floating))
               and not math.isfinite(v)}
        if why:
            out[NONFINITE] = {**(out.get(NONFINITE) or {}), **why}
        return out
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def dumps(value, **kwargs) -> str:
    """Return `value` as strict JSON (see `finite`); anything that is not JSON data is written as its str."""
    return json.dumps(finite(value), allow_nan=False, default=str, **kwargs)


def restore(row: dict) -> dict:
    """Return a record read back from JSON with its non-finite numbers as they were (the inverse of `finite`
    for one flat record, e.g. a line of metrics.jsonl)."""
    why = row.pop(NONFINITE, None)
    for key, name in (why.items() if isinstance(why, dict) else ()):
        if row.get(key) is None and name in NAMES:
            row[key] = float(name)
    return row
