"""Fill every default from the schema and read the data into frozen dataclasses (specnet.spec.sections): the
*resolved spec*.

The resolved spec is the operative config: written next to every run, compared by `specnet diff`, and
stable under a round trip, resolve(dump(resolve(x))) == resolve(x).
"""
from __future__ import annotations

import copy
import functools
import typing
from dataclasses import fields, is_dataclass
from types import UnionType

import yaml

from specnet.spec.document import Origin
from specnet.spec.schema import deref
from specnet.spec.sections import Component, Spec


def _branch(value, choices):
    """Return the oneOf branch a (schema-valid) value takes."""
    for b in map(deref, choices):
        if isinstance(value, str) and value in b.get("enum", ()):
            return b
        if isinstance(value, dict) and b.get("type") == "object":
            const = b["properties"].get("type", {}).get("const")
            if const is None or const == value.get("type"):
                return b
    return {}


def fill(value, schema, path=(), origins=None):
    """Return `value` with every missing key that has a schema default filled in (recorded as "default")."""
    origins = {} if origins is None else origins
    schema = deref(schema)
    if "oneOf" in schema:
        branch = _branch(value, schema["oneOf"])
        mapping = next((deref(b) for b in schema["oneOf"] if deref(b).get("type") == "object"), None)
        if isinstance(value, str) and mapping and "type" not in mapping["properties"]:
            value = {mapping["required"][0]: value}  # a bare name stands for {split: name}
            branch = mapping
        return fill(value, branch, path, origins)
    if isinstance(value, dict) and "properties" in schema:
        out = {}
        for key, sub in schema["properties"].items():  # schema order: a canonical order for the resolved spec
            if key in value:
                out[key] = fill(value[key], sub, path + (key,), origins)
            elif "default" in sub:
                out[key] = fill(copy.deepcopy(sub["default"]), sub, path + (key,), origins)
                origins[path + (key,)] = Origin("default")
        return out
    if isinstance(value, list) and "items" in schema:
        return [fill(v, schema["items"], path + (i,), origins) for i, v in enumerate(value)]
    types = schema.get("type", ())
    if "number" in types and isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # eta: 3 and eta: 3.0 are the same spec
    if "integer" in types and isinstance(value, float):
        return int(value)    # epochs: 1e1 is 10 (the schema accepts only whole numbers here)
    return value


def typed(cls, value: dict):
    """Return the frozen dataclass `cls` read from a mapping of the resolved spec, each field as its annotation
    says: a section from its mapping, a Component from a name or a mapping, a tuple from a list (an absent key
    takes the field's default)."""
    hints = _hints(cls)
    return cls(**{f.name: _read(hints[f.name], value[f.name]) for f in fields(cls) if f.name in value})


@functools.lru_cache(maxsize=None)
def _hints(cls) -> dict:
    """The annotations of a section class, evaluated once (they are strings: `from __future__ import
    annotations`; evaluating them for every spec took a tenth of `specnet validate specs/`)."""
    return typing.get_type_hints(cls)


def _read(kind, value):
    """Return `value` read as `kind`, the annotation of its field."""
    if isinstance(kind, UnionType):  # X | None: None, or an X
        kind = None if value is None else kind.__args__[0]
    if typing.get_origin(kind) is tuple:
        return tuple(_read(kind.__args__[0], v) for v in value)
    if isinstance(kind, type) and issubclass(kind, Component):
        return kind.of(value)
    return typed(kind, value) if is_dataclass(kind) else value


def build_spec(resolved: dict, file=None, origins=None, base_dir=None) -> Spec:
    """Return the Spec dataclasses for a filled spec dict (checked or not: the checks read these)."""
    return typed(Spec, {**resolved, "resolved": resolved, "file": file, "origins": origins or {}, "base_dir": base_dir})


def dump(spec: Spec) -> str:
    """Return the resolved spec as YAML (every default filled; loadable as a spec)."""
    return yaml.safe_dump(spec.resolved, sort_keys=False, default_flow_style=None, width=100)
