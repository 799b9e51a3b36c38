"""A spec's errors against the schema (specnet.spec.schema): found by validate_schema (a cheap walk for lists
longer than the schema allows, then jsonschema), and each jsonschema error turned into specnet's sentences,
(path, what is wrong, the value, a hint), one SpecError line each.

    >>> describe({"type": "number", "exclusiveMinimum": 0})
    'a number > 0'
    >>> from specnet.spec.document import parse_yaml
    >>> validate_schema(parse_yaml("specnet: 1\\nnetwork: {input: 2, layers: [], cost: quadratc}", "x.yaml"))
    Traceback (most recent call last):
    ...
    specnet.errors.SpecErrors: x.yaml:2: network.cost: unknown cost 'quadratc'. Known: cross_entropy, log_likelihood, quadratic. Did you mean 'quadratic'?
    x.yaml:2: network.layers: must have at least 1 item. Got [].
"""
from __future__ import annotations

import functools
import shlex

from specnet.errors import SchemaError, raise_all
from specnet.registry import suggest
from specnet.spec.schema import deref, key_homes, load_schema, schema_at

NO = object()  # "no value to show"
_TYPES = {"integer": "an integer", "number": "a number", "string": "a string", "boolean": "true or false",
          "array": "a list", "object": "a mapping", "null": "null"}


def describe(schema: dict) -> str:
    """Return what a value must be, e.g. "a number > 0" or "an integer >= 1"."""
    types = schema.get("type", "number")
    types = [types] if isinstance(types, str) else types
    text = " or ".join(_TYPES[t] for t in types if t != "null")
    bounds = [f"{op} {schema[key]}" for key, op in (("minimum", ">="), ("exclusiveMinimum", ">"),
                                                      ("maximum", "<="), ("exclusiveMaximum", "<")) if key in schema]
    return " ".join([text, " and ".join(bounds)]).strip() + (" (or null)" if "null" in types else "")


def _names(schema) -> list:
    """All names a component schema accepts: its enum values and the type consts of its mapping branches."""
    schema = deref(schema)
    out = list(schema.get("enum", []))
    for branch in schema.get("oneOf", []):
        branch = deref(branch)
        out += branch.get("enum", [])
        const = branch.get("properties", {}).get("type", {}).get("const")
        out += [const] if const else []
    return out


def _kind(err) -> str:
    words = [p for p in err.absolute_path if isinstance(p, str)]
    return err.schema.get("title") or (words[-1] if words else "value")


def explain(err):
    """Yield (path, message, got, hint) for one jsonschema error, descending into the branch meant."""
    v, path, inst, schema = err.validator, tuple(err.absolute_path), err.instance, err.schema
    if v == "oneOf":
        yield from _explain_choice(err)
    elif v == "additionalProperties":
        known = sorted(schema.get("properties", {}))
        for key in sorted(set(inst) - set(known)):
            homes = [h for h in key_homes().get(key, []) if h != "extends"]
            hint = (f"'{key}' belongs in {' or '.join(homes)}." if homes and not suggest(key, known) else
                    f"Known keys here: {', '.join(known)}.{suggest(key, known)}")
            yield path + (key,), f"unknown key '{key}'", NO, hint
    elif v == "required":
        for key in [k for k in err.validator_value if k not in inst]:
            hint = f"Run: sha256sum {inst.get('path', 'FILE')}" if key == "sha256" else ""
            yield path, f"missing required key '{key}'", NO, hint
    elif v == "enum":
        yield path, f"unknown {_kind(err)} {inst!r}", NO, f"Known: {_listed(err.validator_value)}.{suggest(inst, err.validator_value)}"
    elif v == "const":
        yield path, f"must be {err.validator_value!r}", inst, ""
    elif v in ("type", "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        hint = "Accuracies are fractions: 95% is 0.95." if "accuracy" in str(path) else ""
        if schema.get("type") == "string" and not isinstance(inst, (dict, list)):
            hint = "Put it in quotes: YAML read it as a number or a boolean."
        if {"path", "sha256"} <= set(schema.get("properties", {})) and isinstance(inst, str):  # a bare file name
            yield path, "must be a mapping {path, sha256}: a data file with its checksum", inst, (
                f"Write it as {{path: {inst}, sha256: ...}} with the sum that 'sha256sum {inst}' prints.")
            return
        yield path, f"must be {describe(schema)}", inst, hint
    elif v == "minItems":
        yield path, f"must have at least {err.validator_value} item{'s' * (err.validator_value != 1)}", inst, ""
    elif v in ("maxItems", "minProperties", "maxProperties"):
        most, what = err.validator_value, "items" if v == "maxItems" else "keys"
        yield path, f"must have at {'least' if v == 'minProperties' else 'most'} {most} {what}", \
            f"{len(inst)} {what}", ""
    elif v == "propertyNames":
        yield path, "has a key that is not a spec path like training.optimizer.eta", NO, \
            "A path is names joined by '.', with [i] for a list's item: network.layers[0].size."
    elif v == "uniqueItems":
        yield path, "must not list an item twice", inst, ""
    elif v == "pattern":
        hint = ("Use letters, digits, '_', '.' and '-'." if path == ("name",) else
                "Expected an ID such as R30, EX8, EX-momentum or H9." if path == ("book", "result") else
                "Expected 64 hex digits in lower case." if path[-1:] == ("sha256",) else f"Expected: {err.validator_value}")
        yield path, "is not in the expected form", inst, hint
    else:
        yield path, err.message, NO, ""


def _explain_choice(err):
    path, inst = tuple(err.absolute_path), err.instance
    branches = [deref(b) for b in err.validator_value]
    by_branch: dict = {}
    for sub in err.context:
        by_branch.setdefault(sub.relative_schema_path[0], []).append(sub)
    names, kind = _names(err.schema), _kind(err)
    mappings = [i for i, b in enumerate(branches) if b.get("type") == "object"]
    typed = {b["properties"]["type"]["const"]: i for i, b in enumerate(branches)
             if "const" in b.get("properties", {}).get("type", {})}
    if isinstance(inst, str):
        if inst in typed:
            branch = branches[typed[inst]]
            need = [k for k in branch["required"] if k != "type"] or [k for k in branch["properties"] if k != "type"]
            message = f"{kind} '{inst}' needs parameters" if branch["required"] != ["type"] else f"{kind} '{inst}' is written as a mapping"
            yield path, message, inst, (
                f"Write it as a mapping: {{type: {inst}, {': ..., '.join(need)}: ...}}." if branch["required"] != ["type"]
                else f"Write it as a mapping: {{type: {inst}}}, with any of {', '.join(need)}.")
        else:
            yield path, f"unknown {kind} {inst!r}", NO, f"Known: {', '.join(names)}.{suggest(inst, names)}" + _own(kind, inst)
    elif isinstance(inst, dict) and typed and not isinstance(inst.get("type", ""), str):
        yield path + ("type",), f"the {kind}'s type must be a name", inst["type"], f"Known: {_listed(typed)}."
    elif isinstance(inst, dict) and typed and inst.get("type") not in typed:
        t = inst.get("type")
        if t is None:
            yield path, "missing required key 'type'", NO, f"Known types: {', '.join(typed)}."
        elif t in names:
            yield path + ("type",), f"{kind} '{t}' takes no parameters", NO, f"Write it as a bare name: {t}"
        else:
            yield path + ("type",), f"unknown {kind} {t!r}", NO, f"Known: {', '.join(names)}.{suggest(t, names)}"
    elif isinstance(inst, dict) and mappings:
        index = typed.get(inst.get("type"), mappings[0])
        for sub in by_branch.get(index, []):
            yield from explain(sub)
    else:
        form = ("a name or a mapping" if names else "a mapping") if mappings else "a name"
        keys = sorted(branches[mappings[0]].get("properties", {})) if mappings else []
        yield path, f"must be {form}", inst, f"Known: {', '.join(names)}." if names else f"Keys: {', '.join(keys)}."


def _listed(values) -> str:
    """Return names as a list, quoting those that are not plain words (a tab, a comma)."""
    return ", ".join(v if isinstance(v, str) and v.isidentifier() else repr(v) for v in values)


def _own(kind: str, name: str) -> str:
    """Return a hint for a file name given where a data source's mapping is needed, else ""."""
    form = {".csv": "csv, path: {}, sha256: ..., label: COLUMN", ".npz": "npz, path: {}, sha256: ..."}.get(
        name[name.rfind("."):].lower(), "idx, files: {{train_images: {{path: {}, sha256: ...}}, ...}}")
    if kind != "data source" or "." not in name:
        return ""
    return f" A file of your own is a mapping: {{type: {form.format(name)}}}; 'specnet init {shlex.quote(name)}' writes it."


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
