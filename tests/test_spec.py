"""The pipeline from YAML to a resolved Spec: shipped specs, extends, --set, defaults and the round trip."""

import pytest
import yaml

from conftest import ROOT, tiny_spec
from specnet.errors import SpecError
from specnet.spec.resolve import dump
from specnet.spec.load import load_spec, spec_from_dict

SHIPPED = sorted((ROOT / "specs").glob("*.yaml"))


def test_there_are_shipped_specs():
    assert {"ch1_sgd.yaml", "ch3_cross_entropy.yaml", "ch3_l2.yaml"} <= {p.name for p in SHIPPED}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_spec_validates_and_cites_the_book(path):
    spec = load_spec(path)
    assert spec.name == path.stem
    header = path.read_text().split("\nspecnet:")[0]
    assert "Chapter" in header or "chapter" in header, "the header comment must cite the book's chapter"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_resolve_round_trip(path, tmp_path):
    spec = load_spec(path)
    again = tmp_path / path.name
    again.write_text(dump(spec))
    assert load_spec(again).resolved == spec.resolved
    assert load_spec(again) == spec


def test_stating_defaults_makes_no_difference():
    plain = spec_from_dict(tiny_spec())
    t = tiny_spec()
    t["training"].update(mini_batch_size=10 if False else 2, regularization="none", shuffle=True)
    t["training"]["optimizer"]["mu"] = 0
    t["training"]["optimizer"]["eta"] = 2
    t["network"]["init"] = "gaussian_scaled"
    t["data"]["training"] = {"split": "training"}
    t["expect"] = []
    explicit = spec_from_dict(t)
    assert explicit.resolved == plain.resolved and explicit.digest() == plain.digest()


def test_a_real_difference_changes_the_digest():
    t = tiny_spec()
    t["training"]["optimizer"]["eta"] = 2.5
    assert spec_from_dict(t).digest() != spec_from_dict(tiny_spec()).digest()


def test_defaults_are_filled_and_marked():
    spec = spec_from_dict(tiny_spec())
    assert spec.resolved["training"]["regularization"] == "none"
    assert spec.resolved["training"]["optimizer"]["mu"] == 0.0
    assert spec.resolved["data"]["evaluation"] == {"split": "validation", "digits": None, "take": None}
    assert spec.origins[("training", "shuffle")].kind == "default"


def test_name_defaults_to_the_file_stem_and_is_not_inherited(write_spec):
    write_spec("""
        specnet: 1
        name: base_name
        book: {result: R30, value: 0.9542, text: "95.42%", note: "about the base only"}
        network: {input: 784, layers: [{size: 10, activation: sigmoid}], cost: quadratic}
        training: {epochs: 1, optimizer: {type: sgd, eta: 1.0}}
    """, "base.yaml")
    child = write_spec("""
        extends: base.yaml
        training:
          optimizer: {eta: 0.5}
    """, "child.yaml")
    spec = load_spec(child)
    assert spec.name == "child"
    assert spec.resolved["book"] is None                               # a variant reproduces no result
    assert spec.training.optimizer.params == {"eta": 0.5, "mu": 0.0, "nesterov": False}   # merged key by key
    assert spec.origins[("training", "optimizer", "eta")].file == str(child)
    assert spec.origins[("network", "cost")].kind == "base"


def test_extends_replaces_a_component_of_another_type(write_spec):
    write_spec("""
        specnet: 1
        network: {input: 784, layers: [{size: 10, activation: sigmoid}], cost: cross_entropy}
        training: {epochs: 1, optimizer: {type: sgd, eta: 1.0}, regularization: {type: l2, lambda: 5.0}}
    """, "base.yaml")
    child = write_spec("""
        extends: base.yaml
        training:
          regularization: none
    """, "child.yaml")
    assert load_spec(child).training.regularization.type == "none"


def test_extends_cycle_is_an_error(write_spec):
    write_spec("extends: b.yaml\n", "a.yaml")
    b = write_spec("extends: a.yaml\n", "b.yaml")
    with pytest.raises(SpecError, match="cycle"):
        load_spec(b)


def test_overrides_go_through_validation(write_spec):
    path = write_spec(yaml.safe_dump(tiny_spec()))
    spec = load_spec(path, ["training.optimizer.eta=0.25", "network.layers[0].size=7", "training.epochs=1e1"])
    assert spec.training.optimizer.params["eta"] == 0.25
    assert spec.network.sizes == [2, 7, 1]
    with pytest.raises(SpecError) as e:
        load_spec(path, ["training.optimizer.eta=-1"])
    assert e.value.file == "--set training.optimizer.eta=-1" and e.value.path == "training.optimizer.eta"


def test_yaml_exponent_floats_are_numbers(write_spec):
    t = tiny_spec()
    text = yaml.safe_dump(t).replace("eta: 2.0", "eta: 3e-1")
    assert load_spec(write_spec(text)).training.optimizer.params["eta"] == 0.3


def test_specs_are_loaded_safely(write_spec):
    for text in ("specnet: !!python/object/apply:os.system ['echo hacked']\n", "specnet: !!python/name:os.system\n"):
        with pytest.raises(SpecError, match="tag"):
            load_spec(write_spec(text))


def test_spec_error_path_for_the_api_without_a_file():
    with pytest.raises(SpecError) as e:
        spec_from_dict({**tiny_spec(), "seed": -1})
    assert str(e.value).startswith("seed: must be an integer >= 0. Got -1.")
