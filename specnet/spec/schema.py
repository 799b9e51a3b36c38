"""Validate a spec Document against schemas/spec.schema.json; every error becomes one SpecError line.

    >>> from specnet.spec.document import parse_yaml
    >>> validate_schema(parse_yaml("specnet: 1\\nnetwork: {input: 2, layers: [], cost: quadratc}", "x.yaml"))
    Traceback (most recent call last):
    ...
    specnet.errors.SpecErrors: x.yaml:2: network.cost: unknown cost 'quadratc'. Known: cross_entropy, log_likelihood, quadratic. Did you mean 'quadratic'?
    x.yaml:2: network.layers: must have at least 1 item. Got [].
"""
from __future__ import annotations

import functools
import json

from specnet.errors import SchemaError, raise_all
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


@functools.lru_cache(maxsize=None)
def validator():
    """The schema's validator, made once per process (validating a folder of specs reuses it)."""
    import jsonschema  # imported here: it takes a tenth of a second, and `specnet --help` does not need it

    return jsonschema.Draft202012Validator(load_schema())


def validate_schema(doc) -> None:
    """Raise SchemaError(s) for every place where `doc.data` breaks the schema; return None if valid."""
    from specnet.spec.schema_errors import NO, explain

    raise_all(list(_too_long(doc, doc.data)))  # first, so that jsonschema never walks 100,000 layers
    problems, seen = [], set()
    for err in validator().iter_errors(doc.data):
        for path, message, got, hint in explain(err):
            if (path, message) in seen:
                continue
            seen.add((path, message))
            file, line = doc.where(path)
            problems.append(SchemaError(message, file=file, line=line, path=path,
                                        **({} if got is NO else {"got": got}), hint=hint))
    raise_all(problems)


def _too_long(doc, value, path=()):
    """Yield a SchemaError for every list longer than the schema's maxItems for it (a cheap walk)."""
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _too_long(doc, sub, path + (key,))
    elif isinstance(value, list):
        limit = schema_at(path).get("maxItems")
        if limit is not None and len(value) > limit:
            file, line = doc.where(path)
            yield SchemaError(f"must have at most {limit:,} items", file=file, line=line, path=path,
                              got=f"{len(value):,} items")
            return
        for i, sub in enumerate(value):
            if isinstance(sub, (dict, list)):
                yield from _too_long(doc, sub, path + (i,))
