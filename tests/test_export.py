"""`specnet export`: the book's network2 JSON read back by `specnet evaluate`, and ONNX run by onnxruntime on
MNIST's test images, for every activation and output layer, against specnet's own outputs."""
import json
import sys

import numpy as np
import pytest

from specnet.datasets.sources import source_of
from specnet.runs.evaluate import evaluate_path
from specnet.runs.io import load_model
from specnet.runs.run import run_spec
from specnet.spec.load import load_spec, spec_from_dict

from conftest import ROOT, tiny_spec
from test_cli import cli

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

# NOTE: onnxruntime's Gemm and NumPy's BLAS add a neuron's 784 products in different orders, in float32: each
# is within about 1e-6 of the float64 value, so the two differ by up to about 2 units of 1e-6. Measured on
# the project's machine over seeds 0-2 of these five networks: at most 1.25e-6 (relu-softmax), 1.2e-6
# (linear), 9.2e-7 (tanh), 7.2e-7 (relu), 1.8e-7 (sigmoid); the class of every image the same. The gap grows
# with |z|: ch1_sgd trained in full (|z| up to 142) gives 5.6e-6 (docs/commands.md#export).
FLOAT32_TOLERANCE = 2e-6
# (hidden activation, output activation, cost, eta): every activation specnet trains, hidden and output
NETWORKS = [("sigmoid", "sigmoid", "cross_entropy", 0.5), ("tanh", "tanh", "quadratic", 0.1),
            ("relu", "relu", "quadratic", 0.05), ("linear", "linear", "quadratic", 0.002),
            ("relu", "softmax", "log_likelihood", 0.5)]


def mnist_spec(hidden, output, cost, eta, **network):
    """A [784, 30, 10] network trained for one epoch on 300 MNIST images and evaluated on the 10,000 test ones."""
    return spec_from_dict({
        "specnet": 1, "name": f"{hidden}-{output}", "seed": 0,
        "data": {"source": "mnist", "training": {"split": "training", "take": 300}, "evaluation": "test"},
        "network": {"input": 784, "layers": [{"size": 30, "activation": hidden}, {"size": 10, "activation": output}],
                    "cost": cost, **network},
        "training": {"epochs": 1, "mini_batch_size": 10, "optimizer": {"type": "sgd", "eta": eta}, "monitor": []}})


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs")
    return {f"{h}-{o}": run_spec(mnist_spec(h, o, c, eta), folder).folder for h, o, c, eta in NETWORKS}


def one_line(capsys, *args) -> str:
    code, out, err = cli(capsys, *args)
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err.strip()


def onnx_outputs(path, x):
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"input": x})[0]


# --- network2 --------------------------------------------------------------------------------------------------

def test_network2_round_trip_gives_the_same_accuracy_to_the_image(runs, tmp_path, capsys):
    code, _, err = cli(capsys, "export", runs["sigmoid-sigmoid"], "--format", "network2", "-o", tmp_path / "net.json")
    assert code == 0 and "Wrote" in err
    saved = json.loads((tmp_path / "net.json").read_text())
    assert set(saved) == {"sizes", "weights", "biases", "cost"} and saved["cost"] == "CrossEntropyCost"
    assert np.array(saved["weights"][0]).shape == (30, 784) and np.array(saved["biases"][1]).shape == (10, 1)
    run, exported = evaluate_path(runs["sigmoid-sigmoid"]), evaluate_path(tmp_path / "net.json")
    assert exported["correct"] == run["correct"] and exported["total"] == 10_000
    assert (exported["outputs"].argmax(axis=1) == run["outputs"].argmax(axis=1)).all()
    assert abs(exported["cost"] - run["cost"]) < 1e-5
    code, out, _ = cli(capsys, "evaluate", tmp_path / "net.json")
    assert code == 0 and f"accuracy {run['correct']} / 10000" in out


def test_network2_spells_the_quadratic_cost_as_its_class(tmp_path, capsys):
    run = run_spec(spec_from_dict(tiny_spec(network={**tiny_spec()["network"], "cost": "quadratic"})), tmp_path)
    assert cli(capsys, "export", run.folder, "-o", tmp_path / "net.json")[0] == 0
    assert json.loads((tmp_path / "net.json").read_text())["cost"] == "QuadraticCost"
    model, original = load_model(tmp_path / "net.json"), load_model(run.folder / "model.json")
    assert model["cost"] == "quadratic" and all(np.array_equal(a, b) for a, b in zip(model["weights"], original["weights"]))


@pytest.mark.parametrize("name, why", [("tanh-tanh", "network2.py's neurons are all sigmoid, and this network has tanh ones"),
                                       ("relu-softmax", "has relu, softmax ones")])
def test_network2_cannot_hold_other_neurons(runs, tmp_path, capsys, name, why):
    line = one_line(capsys, "export", runs[name], "-o", tmp_path / "net.json")
    assert why in line and "--format onnx" in line and not (tmp_path / "net.json").exists()


def test_network2_cannot_hold_a_scaled_network(tmp_path, capsys):
    run = run_spec(load_spec(ROOT / "specs/examples/iris.yaml", ["training.epochs=1", "network.cost=cross_entropy",
                                                                  "network.layers[1].activation=sigmoid"]), tmp_path)
    line = one_line(capsys, "export", run.folder, "-o", tmp_path / "net.json")
    assert "trained on inputs scaled by data.scale: standardize" in line


def test_a_network2_file_of_wrong_shapes_names_the_layer_and_the_shapes(runs, tmp_path, capsys):
    cli(capsys, "export", runs["sigmoid-sigmoid"], "-o", tmp_path / "net.json")
    saved = json.loads((tmp_path / "net.json").read_text())
    saved["weights"][1] = saved["weights"][1][:7]
    (tmp_path / "bad.json").write_text(json.dumps(saved))
    assert one_line(capsys, "evaluate", tmp_path / "bad.json") == (
        f"{tmp_path / 'bad.json'}: weights[1] has shape (7, 30), sizes need (10, 30). Layer 2 has 30 inputs and 10 "
        "neurons: give the JSON file that network2.py's save() writes.")
    saved["weights"][1], saved["biases"][0][3] = [[0.5] * 30] * 10, ["x"]
    (tmp_path / "bad.json").write_text(json.dumps(saved))
    assert "biases[0] must be a matrix of numbers of shape (30, 1). Layer 1 has 784 inputs and 30 neurons" in \
        one_line(capsys, "evaluate", tmp_path / "bad.json")
    saved["weights"][1][2], saved["biases"] = [1e400] * 30, json.loads((tmp_path / "net.json").read_text())["biases"]
    (tmp_path / "bad.json").write_text(json.dumps(saved))  # 1e400 is read as infinity
    assert "weights[1] holds NaN or an infinity" in one_line(capsys, "evaluate", tmp_path / "bad.json")


# --- ONNX ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [f"{h}-{o}" for h, o, *_ in NETWORKS])
def test_onnxruntime_gives_specnets_outputs_on_the_test_images(runs, tmp_path, capsys, name):
    code, _, err = cli(capsys, "export", runs[name], "-o", tmp_path / "net.onnx")
    assert code == 0, err
    r = evaluate_path(runs[name])
    x = r["data"].x  # the 10,000 test images, as specnet feeds them: float32 pixels in [0, 1]
    a = onnx_outputs(tmp_path / "net.onnx", x)
    assert a.dtype == np.float32 and a.shape == (10_000, 10)
    assert np.abs(a - r["outputs"]).max() <= FLOAT32_TOLERANCE
    assert (a.argmax(axis=1) == r["outputs"].argmax(axis=1)).all()
    assert int((a.argmax(axis=1) == r["data"].labels).sum()) == r["correct"]
    props = {p.key: p.value for p in onnx.load(tmp_path / "net.onnx").metadata_props}
    assert "scaled to [0, 1] (byte / 255), white on black" in props["specnet.input"] and props["specnet.scale"] == "none"
    assert json.loads(props["specnet.activations"]) == name.split("-")


def test_onnx_applies_a_fitted_scaling_to_raw_inputs(tmp_path, capsys):
    spec = load_spec(ROOT / "specs/examples/iris.yaml", ["training.epochs=20"])
    run = run_spec(spec, tmp_path)
    cli(capsys, "export", run.folder, "-o", tmp_path / "iris.onnx")
    raw, _ = source_of(spec.data.source).load(spec.base, {"test"})["test"]  # centimetres, as in the CSV
    r = evaluate_path(run.folder)
    a = onnx_outputs(tmp_path / "iris.onnx", raw.astype(np.float32))
    assert np.abs(a - r["outputs"]).max() <= FLOAT32_TOLERANCE
    assert [n.op_type for n in onnx.load(tmp_path / "iris.onnx").graph.node][:3] == ["Sub", "Mul", "Gemm"]
    props = {p.key: p.value for p in onnx.load(tmp_path / "iris.onnx").metadata_props}
    assert props["specnet.scale"] == "standardize" and json.loads(props["specnet.classes"]) == [
        "setosa", "versicolor", "virginica"]


def test_onnx_of_a_float64_network_is_float64(tmp_path, capsys):
    run = run_spec(spec_from_dict(tiny_spec()), tmp_path)  # XOR, float64
    cli(capsys, "export", run.folder, "-o", tmp_path / "xor.onnx")
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    a = onnx_outputs(tmp_path / "xor.onnx", x)
    assert a.dtype == np.float64
    np.testing.assert_allclose(a, evaluate_path(run.folder, "training")["outputs"], rtol=0, atol=1e-14)


def test_onnx_of_perceptrons_is_their_step(tmp_path, capsys):
    run = run_spec(load_spec(ROOT / "specs/ch1_perceptron_nand.yaml"), tmp_path)
    cli(capsys, "export", run.folder, "-o", tmp_path / "nand.onnx")
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    assert onnx_outputs(tmp_path / "nand.onnx", x).ravel().tolist() == [1, 1, 1, 0]


def test_without_the_onnx_package_one_line_names_the_extra(runs, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    line = one_line(capsys, "export", runs["sigmoid-sigmoid"], "-o", tmp_path / "net.onnx")
    assert 'pip install "specnet[onnx]"' in line and not (tmp_path / "net.onnx").exists()


# --- what cannot be exported, and the file written ----------------------------------------------------------------

def test_the_darkness_baseline_cannot_be_exported(tmp_path, capsys):
    run = run_spec(load_spec(ROOT / "specs/ch1_average_darkness.yaml", ["data.training.take=500", "expect=[]"]), tmp_path)
    line = one_line(capsys, "export", run.folder, "-o", tmp_path / "net.onnx")
    assert "the average_darkness baseline has no weights to export" in line
    assert "average_darkness baseline" in one_line(capsys, "predict", run.folder, tmp_path / "x.csv")


def test_export_never_replaces_a_file_unless_forced(runs, tmp_path, capsys):
    (tmp_path / "net.json").write_text("mine")
    assert "the file exists" in one_line(capsys, "export", runs["sigmoid-sigmoid"], "-o", tmp_path / "net.json")
    assert (tmp_path / "net.json").read_text() == "mine"
    assert cli(capsys, "export", runs["sigmoid-sigmoid"], "-o", tmp_path / "net.json", "--force")[0] == 0
    assert "cannot tell the format" in one_line(capsys, "export", runs["sigmoid-sigmoid"], "-o", tmp_path / "net.bin")
    assert cli(capsys, "export", runs["sigmoid-sigmoid"], "-o", tmp_path / "net.bin", "--format", "onnx")[0] == 0
    assert onnx.load(tmp_path / "net.bin").graph.output[0].name == "output"
    assert "the file's extension says onnx, and --format says network2" in one_line(
        capsys, "export", runs["sigmoid-sigmoid"], "-o", tmp_path / "net.onnx", "--format", "network2")
    assert cli(capsys, "export", runs["sigmoid-sigmoid"], "-o", tmp_path / "new" / "net.onnx")[0] == 0  # folder made
