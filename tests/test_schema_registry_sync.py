"""The schema is the contract: its names and parameters must equal the registries' (and the schema be complete)."""
import inspect

import jsonschema
import pytest

from specnet.training.compiler import REGISTRIES
from specnet.spec.schema import deref, load_schema

# schema $defs holding each registry's vocabulary
DEFS = {"activation": "activation", "cost": "cost", "init": "init", "optimizer": "optimizer",
        "regularization": "regularization", "scale": "scale", "source": "source"}


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
        if node.get("type") == "object":
            assert node.get("additionalProperties") is False, path
        for key, prop in node.get("properties", {}).items() if isinstance(node.get("properties"), dict) else ():
            described = "description" in prop or "description" in deref(prop) if isinstance(prop, dict) else False
            assert described, f"{path}/properties/{key} has no description"
