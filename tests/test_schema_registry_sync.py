"""The schema is the contract: its names and parameters must equal the registries' (and the schema be complete),
and its defaults are the only ones: no constructor has a default of its own."""
import inspect

import jsonschema
import pytest

from specnet.components.schedules import EarlyStopping
from specnet.datasets.expand import Expansion
from specnet.training.compiler import REGISTRIES
from specnet.spec.schema import deref, load_schema

# schema $defs holding each registry's vocabulary
DEFS = {"activation": "activation", "baseline": "baseline", "cost": "cost", "init": "init", "optimizer": "optimizer",
        "regularization": "regularization", "scale": "scale", "schedule": "schedule", "source": "source"}
# the components a spec configures that are not registry entries: $def -> the class the compiler makes
CLASSES = {"early_stopping": EarlyStopping, "expand": Expansion}


def branches(name):
    schema = load_schema()["$defs"][name]
    return [deref(b) for b in schema.get("oneOf", [schema])]


def schema_names(name):
    out = set()
    for b in branches(name):
        out |= set(b.get("enum", []))
        if "type" in b.get("properties", {}):
            out.add(b["properties"]["type"]["const"])
    return out


def test_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(load_schema())


@pytest.mark.parametrize("kind", sorted(DEFS))
def test_schema_names_equal_registry_names(kind):
    assert schema_names(DEFS[kind]) == set(REGISTRIES[kind].names())


@pytest.mark.parametrize("kind", sorted(DEFS))
def test_schema_parameters_equal_implementation_parameters(kind):
    for b in branches(DEFS[kind]):
        if "properties" not in b:
            continue
        entry = REGISTRIES[kind].get(b["properties"]["type"]["const"])
        params = set(inspect.signature(entry.__init__).parameters) - {"self"}
        spec_params = {("lmbda" if k == "lambda" else k) for k in b["properties"]} - {"type"}
        assert spec_params == params, entry


def configured():
    """(what, schema branch, class) for every mapping a spec configures a component with, and every bare name."""
    for kind, name in sorted(DEFS.items()):
        for b in branches(name):
            if "properties" in b:
                yield f"{kind} {b['properties']['type']['const']}", b, REGISTRIES[kind].get(b["properties"]["type"]["const"])
            for bare in b.get("enum", []):
                yield f"{kind} {bare}", {"properties": {}}, REGISTRIES[kind].get(bare)
    for name, cls in CLASSES.items():
        yield name, next(b for b in branches(name) if "properties" in b), cls


@pytest.mark.parametrize("what, branch, cls", list(configured()), ids=lambda v: v if isinstance(v, str) else "")
def test_defaults_live_in_the_schema_only(what, branch, cls):
    """Every parameter of a constructor is a property of the schema (and back), no constructor parameter has
    a default, and every property a spec may leave out has its default in the schema: so the value that
    trains is the one the resolved spec shows."""
    params = inspect.signature(cls.__init__).parameters
    own = {k: p.default for k, p in params.items() if k != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
    props = {("lmbda" if k == "lambda" else k): v for k, v in branch["properties"].items() if k != "type"}
    assert set(own) == set(props), what
    assert [k for k, d in own.items() if d is not inspect.Parameter.empty] == [], f"{what}: a default outside the schema"
    required = set(branch.get("required", ()))
    unset = [k for k, v in branch["properties"].items() if k != "type" and k not in required and "default" not in v]
    assert unset == [], f"{what}: optional without a default in the schema"


def walk(schema, path="#"):
    if isinstance(schema, dict):
        yield path, schema
        for key, sub in schema.items():
            yield from walk(sub, f"{path}/{key}")
    elif isinstance(schema, list):
        for i, sub in enumerate(schema):
            yield from walk(sub, f"{path}/{i}")


def test_every_object_forbids_unknown_keys_and_every_property_is_described():
    for path, node in walk(load_schema()):
        if node.get("type") == "object":  # or a map whose keys are patterned (a sweep's spec paths)
            assert node.get("additionalProperties") is False or "pattern" in node.get("propertyNames", {}), path
        for key, prop in node.get("properties", {}).items() if isinstance(node.get("properties"), dict) else ():
            described = "description" in prop or "description" in deref(prop) if isinstance(prop, dict) else False
            assert described, f"{path}/properties/{key} has no description"
