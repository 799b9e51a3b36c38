from conftest import tiny_spec
from specnet.spec.diff import Side, compare, diff_values, flatten
from specnet.spec.load import spec_from_dict


def test_defaults_only_differences_vanish():
    a = spec_from_dict(tiny_spec())
    t = tiny_spec()
    t["training"]["regularization"] = "none"
    t["training"]["optimizer"]["mu"] = 0.0
    assert compare(Side("a", a), Side("b", spec_from_dict(t)))["spec"] == {}


def test_real_differences_are_grouped_by_section():
    t = tiny_spec()
    t["training"]["optimizer"]["eta"] = 0.5
    t["network"]["layers"][0]["size"] = 5
    result = compare(Side("a", spec_from_dict(tiny_spec())), Side("b", spec_from_dict(t)))
    assert result["spec"]["training"] == [{"path": "training.optimizer.eta", "a": 2.0, "b": 0.5}]
    assert result["spec"]["network"] == [{"path": "network.layers[0].size", "a": 3, "b": 5}]


def test_added_and_removed_keys():
    assert diff_values({"a": 1}, {"b": 2}) == [("a", 1, "(absent)"), ("b", "(absent)", 2)]
    assert flatten({"x": []}) == {"x": []}


def test_run_metrics_side_by_side():
    spec = spec_from_dict(tiny_spec())
    ha = [{"epoch": 0, "evaluation_accuracy": 0.5}, {"epoch": 1, "evaluation_accuracy": 0.75}]
    hb = [{"epoch": 0, "evaluation_accuracy": 0.8}, {"epoch": 1, "evaluation_accuracy": 0.6}]
    result = compare(Side("a", spec, ha, {"seed": 1}), Side("b", spec, hb, {"seed": 2, "wall_seconds": 9}))
    row = result["metrics"]["evaluation_accuracy"]
    assert row["a"] == {"final": 0.75, "best": 0.75, "best_epoch": 1, "epochs": 2}
    assert row["b"] == {"final": 0.6, "best": 0.8, "best_epoch": 0, "epochs": 2}
    assert result["provenance"] == [{"key": "seed", "a": 1, "b": 2}]  # wall time is not provenance
