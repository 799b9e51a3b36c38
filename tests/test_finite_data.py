"""Numbers finite in a spec or a data file, but too large for the network's dtype, are refused before training
(one line, exit 2), instead of becoming infinity (and a NaN cost) in the cast to float32."""
import hashlib

import numpy as np
import pytest

from specnet.training.trainer import Diverged
import yaml

from conftest import tiny_spec
from specnet.commands.cli import main
from specnet.datasets.dataset import load_datasets
from specnet.errors import SpecError
from specnet.runs.run import run_spec
from specnet.datasets.scaling import fit
from specnet.spec.load import load_spec, spec_from_dict

HINT = "float32 holds numbers up to 3.4e38; use network.dtype: float64 or smaller values"


def cli(capsys, *args):
    with pytest.raises(SystemExit) as e:
        main([str(a) for a in args])
    return e.value.code, capsys.readouterr().err  # errors: one line on stderr


def float32_spec(tmp_path, **over):
    spec = tiny_spec(**over)
    spec["network"]["dtype"] = "float32"
    (tmp_path / "it.yaml").write_text(yaml.safe_dump(spec))
    return tmp_path / "it.yaml"


@pytest.mark.parametrize("override,path", [
    ("data.source.targets=[[1e39],[1],[1],[0]]", "data.source.targets[0][0]"),
    ("data.source.inputs=[[0,0],[0,-1e39],[1,0],[1,1]]", "data.source.inputs[1][1]"),
    ("network.layers[1].init={type: explicit, weights: [[1e39, 1, 0]], biases: [0]}",
     "network.layers[1].init.weights[0][0]"),
    ("network.layers[1].init={type: explicit, weights: [[1, 1, 0]], biases: [4e38]}",
     "network.layers[1].init.biases[0]"),
])
def test_spec_numbers_beyond_float32_are_refused_at_their_line(tmp_path, capsys, override, path):
    code, out = cli(capsys, "run", float32_spec(tmp_path), "--set", override, "--runs-dir", tmp_path / "runs")
    assert code == 2 and len(out.strip().splitlines()) == 1, out
    assert f": {path}: " in out and "too large for float32" in out and HINT in out
    assert not (tmp_path / "runs").exists()


def test_the_same_numbers_are_fine_in_float64_and_the_check_covers_dicts(tmp_path):
    spec = tiny_spec()
    spec["data"]["source"]["targets"] = [[1e39], [1], [1], [0]]
    assert spec_from_dict(spec).network.dtype == "float64"
    spec["network"]["dtype"] = "float32"
    with pytest.raises(SpecError, match=r"data\.source\.targets\[0\]\[0\]: .*too large for float32"):
        spec_from_dict(spec)


def test_scaled_inline_inputs_may_be_large_they_are_scaled_in_float64(tmp_path):
    path = float32_spec(tmp_path)
    spec = load_spec(path, ["data.source.inputs=[[0,0],[0,1e39],[1e39,0],[1e39,1e39]]", "data.scale=standardize"])
    x = load_datasets(spec, {"training": spec.data.training})["training"].x
    assert x.dtype == np.float32 and np.isfinite(x).all() and np.allclose(np.abs(x), 1)


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def npz_spec(tmp_path, x_train, scale="none"):
    y = np.array([0, 1, 2, 0, 1, 2, 0, 1])
    np.savez(tmp_path / "d.npz", x_train=x_train, y_train=y, x_test=np.full((3, 2, 2), 0.5), y_test=y[:3])
    spec = {"specnet": 1, "data": {"source": {"type": "npz", "path": "d.npz", "sha256": sha(tmp_path / "d.npz"),
                                              "validation": 2}, "scale": scale},
            "network": {"input": 4, "layers": [{"size": 3, "activation": "softmax"}], "cost": "log_likelihood"},
            "training": {"epochs": 1, "mini_batch_size": 2, "optimizer": {"type": "sgd", "eta": 0.5}}}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec))
    return tmp_path / "s.yaml"


def test_file_data_beyond_float32_is_one_data_error_naming_the_file_and_split(tmp_path, capsys):
    x = np.full((8, 2, 2), 0.5)
    x[3, 1, 0] = 1e39
    path = npz_spec(tmp_path, x)
    code, out = cli(capsys, "run", path, "--runs-dir", tmp_path / "runs")
    assert code == 2 and len(out.strip().splitlines()) == 1, out
    assert out.startswith(f"{path}:3: data.source: ") and "d.npz" in out and "training" in out
    assert "float32" in out and "Got 1e+39" in out and "row 3" in out
    assert not (tmp_path / "runs").exists()


def test_standardize_makes_such_data_usable(tmp_path):
    x = np.full((8, 2, 2), 0.5)
    x[:, 1, 0] = np.arange(8) * 1e39
    spec = load_spec(npz_spec(tmp_path, x, scale="standardize"))
    data = load_datasets(spec, {"training": spec.data.training})["training"]
    assert data.x.dtype == np.float32 and np.isfinite(data.x).all()


def test_csv_data_beyond_float32(tmp_path, capsys):
    (tmp_path / "t.csv").write_text("a,b,kind\n1,10,cat\n2,3e39,dog\n3,30,cat\n4,40,bird\n5,50,dog\n6,60,cat\n")
    spec = {"specnet": 1, "seed": 3,
            "data": {"source": {"type": "csv", "path": "t.csv", "sha256": sha(tmp_path / "t.csv"), "label": "kind",
                                "shuffle": False, "validation": 1}},
            "network": {"input": 2, "layers": [{"size": 3, "activation": "softmax"}], "cost": "log_likelihood"},
            "training": {"epochs": 1, "mini_batch_size": 2, "optimizer": {"type": "sgd", "eta": 0.5}}}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec))
    code, out = cli(capsys, "run", tmp_path / "s.yaml", "--runs-dir", tmp_path / "runs")
    assert code == 2 and "t.csv" in out and "Got 3e+39" in out and "row 1, column 1" in out, out


@pytest.mark.parametrize("kind", ["standardize", "minmax"])
def test_scaling_huge_values_is_computed_without_overflow(kind):
    x = np.array([[1e200, 1.0], [-1e200, 3.0], [1e200, 5.0], [-1e200, 7.0]])
    s = fit(kind, x)
    assert np.isfinite(s.shift).all() and np.isfinite(s.scale).all() and (s.scale > 0).all()
    assert np.isfinite(s(x)).all()
    expected = {"standardize": [1, -1, 1, -1], "minmax": [1, 0, 1, 0]}[kind]
    assert np.allclose(s(x)[:, 0], expected)
    small = x[:, 1:]
    assert np.allclose(s(x)[:, 1], fit(kind, small)(small)[:, 0])  # ordinary columns as before


@pytest.mark.parametrize("override,path", [
    ("training.optimizer.eta=1e308", "training.optimizer.eta"),
    ("training.regularization={type: l2, lambda: 1e308}", "training.regularization.lambda"),
    ("training.regularization={type: l1, lambda: 1e7}", "training.regularization.lambda"),
    ("training.schedule={type: steps, at: [2], etas: [1e308]}", "training.schedule.etas[0]"),
])
def test_hyper_parameters_whose_products_overflow_are_refused(tmp_path, capsys, override, path):
    code, out = cli(capsys, "run", float32_spec(tmp_path), "--set", override, "--runs-dir", tmp_path / "runs")
    assert code == 2 and len(out.strip().splitlines()) == 1, out
    assert f": {path}: must be at most 1,000,000: larger, the products of a step" in out
    assert "'too large' η is 100" in out


def test_the_largest_legal_eta_and_lambda_diverge_without_crashing(tmp_path):
    spec = load_spec(float32_spec(tmp_path), ["training.optimizer.eta=1e6",
                                              "training.regularization={type: l2, lambda: 1e6}"])
    with pytest.raises(Diverged) as stopped:  # reported as divergence (issue 14), not a crash
        run_spec(spec, tmp_path / "runs")
    assert stopped.value.epoch == 0 and any(w in stopped.value.why for w in ("nan", "inf", "past max_weight"))
