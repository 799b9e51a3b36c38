"""The spec schema (schemas/spec.schema.json) as data: loaded once, and walked through its $refs, list items and
mapping branches (where a key may go, the schema of a path, the mapping a bare name stands for).
specnet.spec.schema_errors validates a spec against it.

    >>> mapping_form(("data", "training"), "test")
    {'split': 'test'}
"""
from __future__ import annotations

import functools
import json

from specnet.resources import schema_path


@functools.lru_cache(maxsize=None)
def load_schema() -> dict:
    """Return the spec schema (Draft 2020-12) as a dict."""
    return json.loads(schema_path().read_text(encoding="utf-8"))


def deref(schema: dict) -> dict:
    """Follow a local "$ref": "#/$defs/x" (one level at a time, until none is left)."""
    while "$ref" in schema:
        schema = load_schema()["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


@functools.lru_cache(maxsize=None)
def key_homes() -> dict:
    """Return {key: [dotted paths where the schema allows it]}, e.g. "eta": ["training.optimizer.eta"]."""
    homes: dict = {}

    def walk(node, path):
        node = deref(node)
        for branch in node.get("oneOf", []):
            walk(branch, path)
        if "items" in node:
            walk(node["items"], path + "[]")
        for key, sub in node.get("properties", {}).items():
            homes.setdefault(key, []).append(f"{path}.{key}" if path else key)
            walk(sub, f"{path}.{key}" if path else key)
    walk(load_schema(), "")
    return {k: sorted(set(v)) for k, v in homes.items()}


def schema_at(path) -> dict:
    """Return the schema of the value at `path` (through $refs, list items and mapping branches)."""
    node = load_schema()
    for part in path:
        node = deref(node)
        if "oneOf" in node:
            node = next((deref(b) for b in node["oneOf"] if part in deref(b).get("properties", {})), {})
        node = node.get("items", {}) if isinstance(part, int) else node.get("properties", {}).get(part, {})
    return deref(node)


def mapping_form(path, name):
    """Return the mapping a bare name at `path` stands for ({split: name} or {type: name}), or None."""
    mappings = [deref(b) for b in schema_at(path).get("oneOf", []) if deref(b).get("type") == "object"]
    if not mappings:
        return None
    return {"type": name} if "type" in mappings[0]["properties"] else {mappings[0]["required"][0]: name}
