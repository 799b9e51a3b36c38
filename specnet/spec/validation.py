"""Validate a spec Document against the schema (specnet.spec.schema); every error becomes one SpecError line,
worded by specnet.spec.schema_errors.

    >>> from specnet.spec.document import parse_yaml
    >>> validate_schema(parse_yaml("specnet: 1\\nnetwork: {input: 2, layers: [], cost: quadratc}", "x.yaml"))
    Traceback (most recent call last):
    ...
    specnet.errors.SpecErrors: x.yaml:2: network.cost: unknown cost 'quadratc'. Known: cross_entropy, log_likelihood, quadratic. Did you mean 'quadratic'?
    x.yaml:2: network.layers: must have at least 1 item. Got [].
"""
from __future__ import annotations

import functools

from specnet.errors import SchemaError, raise_all
from specnet.spec.schema import load_schema, schema_at
from specnet.spec.schema_errors import NO, explain


@functools.lru_cache(maxsize=None)
def validator():
    """The schema's validator, made once per process (validating a folder of specs reuses it)."""
    import jsonschema  # imported here: it takes a tenth of a second, and `specnet --help` does not need it

    return jsonschema.Draft202012Validator(load_schema())


def validate_schema(doc) -> None:
    """Raise SchemaError(s) for every place where `doc.data` breaks the schema; return None if valid."""
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
