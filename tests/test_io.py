import json

import numpy as np
import pytest

from conftest import tiny_spec
from specnet.training.compiler import compile_spec
from specnet.errors import DataError
from specnet.runs.io import load_model, save_model
from specnet.spec.load import spec_from_dict


def test_save_load_round_trip(tmp_path):
    net = compile_spec(spec_from_dict(tiny_spec()))
    save_model(net, tmp_path)
    model = load_model(tmp_path / "model.json")
    assert model["sizes"] == [2, 3, 1] and model["cost"] == "cross_entropy" and model["dtype"] == "float64"
    for a, b in zip(model["weights"] + model["biases"], net.weights + net.biases):
        assert np.array_equal(a, b)


def test_model_files_are_never_overwritten(tmp_path):
    net = compile_spec(spec_from_dict(tiny_spec()))
    save_model(net, tmp_path)
    with pytest.raises(FileExistsError):
        save_model(net, tmp_path)


def test_tampered_arrays_are_detected(tmp_path):
    net = compile_spec(spec_from_dict(tiny_spec()))
    save_model(net, tmp_path)
    np.savez(tmp_path / "model.npz", w0=np.zeros((3, 2)))
    with pytest.raises(DataError, match="corrupt"):
        load_model(tmp_path / "model.json")


@pytest.mark.parametrize("legacy,name", [("CrossEntropyCost", "cross_entropy"), ("QuadraticCost", "quadratic")])
def test_loads_network2_json_with_legacy_cost_names(tmp_path, legacy, name):
    saved = {"sizes": [2, 3, 1], "weights": [np.ones((3, 2)).tolist(), np.ones((1, 3)).tolist()],
             "biases": [[[0.0]] * 3, [[0.5]]], "cost": legacy}
    (tmp_path / "net.json").write_text(json.dumps(saved))
    model = load_model(tmp_path / "net.json")
    assert model["cost"] == name and model["activations"] == ["sigmoid", "sigmoid"]
    assert model["biases"][1].shape == (1, 1)


def test_other_json_is_refused(tmp_path):
    (tmp_path / "x.json").write_text('{"hello": 1}')
    with pytest.raises(DataError, match="neither"):
        load_model(tmp_path / "x.json")
