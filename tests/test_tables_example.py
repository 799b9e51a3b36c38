"""The shipped Breast Cancer table and its example spec (specs/examples/breast_cancer.yaml); bench/tables.py's
parts that need no scikit-learn. Fast: three epochs on 398 rows."""
import json
import sys

import numpy as np
import pytest

import specnet
from specnet.commands.cli import main
from specnet.training.compiler import build

from conftest import ROOT

SPEC = ROOT / "specs" / "examples" / "breast_cancer.yaml"


def cli(capsys, *args):
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return info.value.code, out, err


def test_the_table_is_the_wisconsin_diagnostic_table():
    spec = specnet.load_spec(SPEC)
    source = build("source", spec.data.source)
    x, y, classes, features = source.table(spec.base)
    assert x.shape == (569, 30) and classes == ["benign", "malignant"]
    assert np.bincount(y).tolist() == [357, 212]
    assert features[:3] == ["mean_radius", "mean_texture", "mean_perimeter"] and features[-1] == "worst_fractal_dimension"
    assert x[0, :4].tolist() == [17.99, 10.38, 122.8, 1001.0]   # the first row of scikit-learn's copy
    rows = source.load(spec.base, ("training", "validation", "test"))
    assert {s: len(v[1]) for s, v in rows.items()} == {"training": 398, "validation": 57, "test": 114}


def test_the_spec_validates_and_three_epochs_beat_chance_on_the_test_rows(capsys, tmp_path):
    code, out, err = cli(capsys, "validate", SPEC)
    assert code == 0, err
    code, out, err = cli(capsys, "run", SPEC, "--set", "training.epochs=3", "--set", "expect=[]",
                         "--runs-dir", tmp_path, "--json")
    assert code == 0, err
    run = json.loads(out)
    assert len(run["history"]) == 3
    code, out, err = cli(capsys, "evaluate", run["run"], "--split", "test", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["total"] == 114
    spec = specnet.load_spec(SPEC)
    _, test_labels = build("source", spec.data.source).load(spec.base, ("test",))["test"]
    chance = np.bincount(test_labels).max() / len(test_labels)   # always answering the commoner class
    assert 0.5 < chance < 0.75
    # 93.9-95.6% after 3 epochs for seeds 0-7; an untrained network (eta 0.0001) scores 41-82%
    assert result["accuracy"] >= 0.9 > chance + 0.15, (result["accuracy"], chance)


def test_bench_tables_without_scikit_learn_says_so_in_one_line(capsys, monkeypatch, tmp_path):
    from bench.tables import main as tables

    monkeypatch.setitem(sys.modules, "sklearn", None)   # import sklearn now raises ImportError
    assert tables(["--seeds", "1", "--out", str(tmp_path / "t.md")]) == 2
    out, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1 and "scikit-learn is not installed" in err and not out
    assert not (tmp_path / "t.md").exists()


def test_bench_tables_matches_the_recipe_and_maps_l2_to_alpha():
    from bench.tables import matched_arguments

    spec = specnet.load_spec(SPEC, ["training.regularization={type: l2, lambda: 2.0}", "training.optimizer.mu=0.5"])
    args, notes = matched_arguments(spec, 398)
    assert args["hidden_layer_sizes"] == (30,) and args["activation"] == "logistic" and args["solver"] == "sgd"
    assert (args["learning_rate_init"], args["batch_size"], args["max_iter"]) == (0.1, 10, 50)
    assert args["n_iter_no_change"] == args["max_iter"] and args["momentum"] == 0.5
    # the book's decay per step, ηλ/n, is scikit-learn's η·alpha/m
    assert args["alpha"] == pytest.approx(2.0 * 10 / 398)
    assert any("one logistic output unit" in n for n in notes)
