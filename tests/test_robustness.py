"""Regression tests for problems found in review: each must stay a clear one-line user error, or work."""
import hashlib
import json
import shutil

import numpy as np
import pytest
import yaml

from conftest import ROOT, tiny_spec
from specnet.commands.cli import main
from specnet.errors import SpecError
from specnet.spec.load import load_spec


def cli(capsys, *args):
    with pytest.raises(SystemExit) as e:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return e.value.code, out, err


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def npz_spec(tmp_path, arrays, **source):
    np.savez(tmp_path / "d.npz", **arrays)
    spec = {"specnet": 1, "data": {"source": {"type": "npz", "path": "d.npz", "sha256": sha(tmp_path / "d.npz"),
                                              "validation": 2, **source}},
            "network": {"input": 4, "layers": [{"size": 3, "activation": "sigmoid"}], "cost": "cross_entropy"},
            "training": {"epochs": 1, "mini_batch_size": 2, "optimizer": {"type": "sgd", "eta": 0.5}}}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec))
    return tmp_path / "s.yaml"


GOOD = {"x_train": np.full((8, 2, 2), 0.5), "y_train": np.array([0, 1, 2, 0, 1, 2, 0, 1]),
        "x_test": np.full((3, 2, 2), 0.5), "y_test": np.array([0, 1, 2])}


@pytest.mark.parametrize("overrides", [["training.epochs=2.0"], ["seed=3.0", "training.mini_batch_size=2e0"],
                                       ["network.layers[0].size=3.0"]])
def test_whole_number_floats_are_integers(tmp_path, overrides):
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(tiny_spec()))
    spec = load_spec(path, overrides)
    assert all(isinstance(v, int) for v in (spec.seed, spec.training.epochs, spec.training.mini_batch_size,
                                            *spec.network.sizes))


def test_a_fractional_integer_is_refused(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(tiny_spec()))
    with pytest.raises(SpecError, match="must be an integer"):
        load_spec(path, ["training.epochs=2.5"])


@pytest.mark.parametrize("damage", ["not-a-zip", "empty"])
def test_damaged_npz_is_one_line(tmp_path, capsys, damage):
    path = npz_spec(tmp_path, GOOD)
    data = (tmp_path / "d.npz").read_bytes()
    (tmp_path / "d.npz").write_bytes(data[:200] if damage == "not-a-zip" else b"")
    text = path.read_text().replace(yaml.safe_load(path.read_text())["data"]["source"]["sha256"], sha(tmp_path / "d.npz"))
    path.write_text(text)
    code, out, err = cli(capsys, "validate", path)
    assert code == 2 and "cannot read" in out and "Traceback" not in out + err


@pytest.mark.parametrize("body", [b"\x1f\x8b" + b"garbage" * 10, b"\x1f\x8b\x08\x00" + b"\0" * 8])
def test_damaged_gzip_idx_is_one_line(tmp_path, capsys, body):
    for name in ("a", "b", "c", "d"):
        (tmp_path / name).write_bytes(body)
    files = {r: {"path": n, "sha256": sha(tmp_path / n)}
             for r, n in zip(("train_images", "train_labels", "test_images", "test_labels"), "abcd")}
    spec = {"specnet": 1, "data": {"source": {"type": "idx", "files": files}},
            "network": {"input": 4, "layers": [{"size": 2, "activation": "sigmoid"}], "cost": "quadratic"}}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec))
    code, out, err = cli(capsys, "validate", tmp_path / "s.yaml")
    assert code == 2, (out, err)
    assert "Traceback" not in out + err and "Interrupted" not in err
    assert f"{tmp_path / 's.yaml'}:" in out and "data.source.files.train_images" in out


@pytest.mark.parametrize("labels,words", [(np.array([-1, 0, 1, 2, 0, 1, 2, 0]), "whole-number class labels"),
                                          (np.array([0.5, 0, 1, 2, 0, 1, 2, 0]), "whole-number class labels"),
                                          (np.eye(3)[[0, 1, 2, 0, 1, 2, 0, 1]], "one per example")])
def test_bad_npz_labels(tmp_path, labels, words):
    with pytest.raises(SpecError, match=words):
        load_spec(npz_spec(tmp_path, {**GOOD, "y_train": labels}))


@pytest.mark.parametrize("x", [np.full((8, 2, 2), np.nan), np.full((8, 2, 2), np.inf)])
def test_bad_npz_inputs(tmp_path, x):
    with pytest.raises(SpecError, match=r"bytes \(uint8, scaled to \[0, 1\]\) or finite numbers"):
        load_spec(npz_spec(tmp_path, {**GOOD, "x_train": x}))


def test_npz_inputs_outside_0_1_are_data_to_scale(tmp_path):
    # Since data.scale exists, real-valued arrays (200.0) are accepted, as a CSV's columns are.
    assert load_spec(npz_spec(tmp_path, {**GOOD, "x_train": np.full((8, 2, 2), 200.0)})).data.source.type == "npz"


def test_swapped_idx_files_are_named(tmp_path):
    from test_data import write_idx
    images, labels = np.zeros((5, 2, 2), np.uint8), np.zeros(5, np.uint8)
    files = {}
    for role, array in (("train_images", labels), ("train_labels", images), ("test_images", images),
                        ("test_labels", labels)):
        files[role] = {"path": role, "sha256": write_idx(tmp_path / role, array)}
    spec = {"specnet": 1, "data": {"source": {"type": "idx", "files": files}},
            "network": {"input": 4, "layers": [{"size": 1, "activation": "sigmoid"}], "cost": "quadratic"}}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec))
    with pytest.raises(SpecError, match="swapped"):
        load_spec(tmp_path / "s.yaml")


def test_corrupt_data_at_run_time_names_the_spec_line(tmp_path, capsys):
    path = npz_spec(tmp_path, GOOD)
    spec = load_spec(path)  # valid now
    np.savez(tmp_path / "d.npz", **{**GOOD, "y_test": np.array([2, 1, 0])})  # changed after validation
    from specnet.datasets.dataset import load_datasets
    with pytest.raises(SpecError) as e:
        load_datasets(spec, {"training": spec.data.training})
    assert e.value.file == str(path) and e.value.line == 3 and "corrupt" in e.value.message


def test_runs_are_usable_from_another_folder(tmp_path, capsys, monkeypatch):
    npz_spec(tmp_path, GOOD)
    monkeypatch.chdir(tmp_path)
    assert cli(capsys, "run", "s.yaml", "--runs-dir", "runs")[0] == 0
    assert cli(capsys, "run", "s.yaml", "--runs-dir", "runs")[0] == 0
    a, b = sorted((tmp_path / "runs").iterdir())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, out, err = cli(capsys, "evaluate", a, "--split", "test")
    assert code == 0 and "test: accuracy" in out, err
    code, out, err = cli(capsys, "diff", a, b)
    assert code == 0 and "the same" in out, err
    assert json.loads((a / "run.json").read_text())["spec_dir"] == str(tmp_path.resolve())


def test_zero_epochs(tmp_path, capsys):
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump({**tiny_spec(), "expect": []}))
    code, out, err = cli(capsys, "run", path, "--set", "training.epochs=0", "--runs-dir", tmp_path / "runs")
    assert code == 0 and "Run saved in" in out, err


def test_validate_folder_skips_run_folders_and_hidden_folders(tmp_path, capsys):
    shutil.copy(ROOT / "specs" / "ch1_sgd.yaml", tmp_path / "good.yaml")
    (tmp_path / "runs" / "x").mkdir(parents=True)
    (tmp_path / "runs" / "x" / "run.json").write_text("{}")
    (tmp_path / "runs" / "x" / "spec.yaml").write_text("not: a spec")
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "ci.yml").write_text("on: push")
    code, out, err = cli(capsys, "validate", tmp_path)
    assert code == 0 and "1 spec checked: 1 valid" in err


def test_misplaced_key_says_where_it_belongs(write_spec):
    path = write_spec("""
        specnet: 1
        network: {input: 784, layers: [{size: 10, activation: sigmoid}], cost: quadratic}
        training: {epochs: 1, eta: 3.0, optimizer: {type: sgd, eta: 1.0}}
    """)
    with pytest.raises(SpecError) as e:
        load_spec(path)
    assert e.value.path == "training.eta" and "belongs in training.optimizer.eta" in e.value.hint


def test_extends_merges_a_mapping_onto_a_bare_split_name(write_spec):
    write_spec("""
        specnet: 1
        description: the base
        data: {training: training}
        network: {input: 784, layers: [{size: 10, activation: sigmoid}], cost: quadratic}
    """, "base.yaml")
    child = write_spec("""
        extends: base.yaml
        data:
          training: {take: 1000}
    """, "child.yaml")
    spec = load_spec(child)
    assert spec.data.training.split == "training" and spec.data.training.take == 1000
    assert spec.description == ""  # a description is the file's own


def test_unwritable_runs_dir_is_one_line(tmp_path, capsys):
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(tiny_spec()))
    (tmp_path / "file").write_text("")
    code, out, err = cli(capsys, "run", path, "--runs-dir", tmp_path / "file" / "runs")
    assert code == 2 and err.startswith("--runs-dir: cannot create a run folder")


def test_evaluate_with_missing_model_arrays(tmp_path, capsys):
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(tiny_spec()))
    cli(capsys, "run", path, "--runs-dir", tmp_path / "runs")
    (run,) = (tmp_path / "runs").iterdir()
    (run / "model.npz").unlink()
    code, out, err = cli(capsys, "evaluate", run)
    assert code == 2 and "missing" in err and "Traceback" not in err
