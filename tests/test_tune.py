"""`specnet tune` on real MNIST (a small subset, a few epochs): the chosen η is half the largest η whose
training cost fell in each of the first epochs, as the trials' own metrics.jsonl show; the epochs are where
the no-improvement rule stopped; λ is the best of its trials, scaled to the spec's training size; the tuned
spec is a valid spec that extends the original; run again, nothing is trained."""
import json
import math
from pathlib import Path

import yaml

from test_cli import cli
from specnet.spec.load import load_spec
from specnet.datasets.dataset import load_datasets
from specnet.training.compiler import compile_spec

TUNE = {"training_take": 500, "validation_take": 200, "first_epochs": 2, "patience": 2, "max_epochs": 6}


def rises(checks) -> float:
    """The largest rise of the validation cost between two measures, as a fraction."""
    costs = [c["evaluation_cost"] for c in checks]
    return max([0.0] + [(b - a) / a for a, b in zip(costs, costs[1:])])


def untrained_cost(path) -> float:
    """The training cost of the quick subset before any step, computed here on its own."""
    spec = load_spec(path, ["data.training={split: training, take: 500}", "training.regularization.lambda=0"])
    data = load_datasets(spec, {"training": spec.data.training})["training"]
    return compile_spec(spec).total_cost(data, len(data))


def test_tune_follows_the_books_heuristics(tmp_path, capsys):
    spec = tmp_path / "quick.yaml"
    spec.write_text(yaml.safe_dump({"extends": "ch3_l2", "data": {"training": {"split": "training", "take": 5000}},
                                    "tune": TUNE}))
    code, out, err = cli(capsys, "tune", spec, "--runs-dir", tmp_path / "runs", "--json")
    assert code == 0, err
    chosen = json.loads(out)
    folder = Path(chosen["spec"]).parent
    assert folder.parent == tmp_path / "runs" and folder.name.startswith("quick-tune-")
    trials = {}
    for stage in folder.iterdir():
        for run in (p for p in stage.iterdir() if p.is_dir()) if stage.is_dir() else ():
            resolved = yaml.safe_load((run / "spec.yaml").read_text())
            history = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines()]
            checks = [json.loads(x) for x in (run / "checks.jsonl").read_text().splitlines()]
            trials.setdefault(stage.name, []).append((resolved, history, checks))
    assert sorted(trials) == ["1-eta-decades", "2-eta-halving", "3-epochs", "4-lambda-decades", "5-lambda-refined"]
    # η: the oracle recomputes the threshold from the runs' own training costs
    eta_trials = trials["1-eta-decades"] + trials["2-eta-halving"]
    assert all(r["training"]["regularization"]["lambda"] == 0.0 and len(h) == 2 and len(c) == 20
               for r, h, c in eta_trials)  # ten measures of the validation cost an epoch
    untrained = untrained_cost(spec)
    falling = [r["training"]["optimizer"]["eta"] for r, h, c in eta_trials
               if untrained > h[0]["training_cost"] > h[1]["training_cost"] and rises(c) <= 0.1]
    decades = [r["training"]["optimizer"]["eta"] for r, h, c in trials["1-eta-decades"]]
    assert sorted(decades) == [0.001, 0.01, 0.1, 1.0, 10.0, 100.0]
    assert set(falling) != set(decades), "every η fell: the search found no threshold and proves little"
    assert chosen["values"]["training.optimizer.eta"] == max(falling) / 2
    # epochs: the no-improvement-in-2 rule on the validation accuracy
    ((resolved, history, _),) = trials["3-epochs"]
    accuracies = [r["evaluation_accuracy"] for r in history]
    best_at = accuracies.index(max(accuracies))
    assert chosen["values"]["training.epochs"] == len(history) == min(best_at + 3, 6)
    # λ: the best validation accuracy of its nine trials, × 5,000 / 500
    lambdas = [(max(x["evaluation_accuracy"] for x in h), r["training"]["regularization"]["lambda"])
               for r, h, _ in trials["4-lambda-decades"] + trials["5-lambda-refined"]]
    assert len(lambdas) == 9
    assert math.isclose(chosen["values"]["training.regularization.lambda"],
                        float(f"{max(lambdas, key=lambda s: s[0])[1] * 10:.3g}"))
    tuned = load_spec(chosen["spec"])
    assert tuned.training.optimizer.params["eta"] == chosen["values"]["training.optimizer.eta"]
    assert tuned.training.epochs == chosen["values"]["training.epochs"] and tuned.data.training.take == 5000
    text = (folder / "quick_tuned.yaml").read_text()
    assert "# Tuned by `specnet tune" in text and "without oscillating, for η up to" in text and "× 5,000/500" in text
    assert (folder / "tune.md").read_text().count("\n| ") == 1 + 6 + 3 + 1 + 9
    assert f"The untrained network's training cost: {untrained:.4g}." in (folder / "tune.md").read_text()
    code, out, err = cli(capsys, "tune", spec, "--runs-dir", tmp_path / "runs", "--json")
    assert code == 0 and json.loads(out)["values"] == chosen["values"] and " 0 to train" in err and " 1 to train" not in err


def test_tune_without_regularization_keeps_what_it_was_told(tmp_path, capsys):
    """A spec with no L1/L2 (ch. 1's) is tuned for η and the epochs only; a --set given to tune stays in the
    tuned spec; a tuning with other --set values gets a folder of its own."""
    spec = tmp_path / "ch1.yaml"
    spec.write_text(yaml.safe_dump({"extends": "ch1_sgd", "tune": {**TUNE, "max_epochs": 3}}))
    code, out, err = cli(capsys, "tune", spec, "--set", "training.mini_batch_size=20", "--runs-dir", tmp_path, "--json")
    assert code == 0, err
    chosen = json.loads(out)
    assert sorted(chosen["values"]) == ["training.epochs", "training.optimizer.eta"] and "λ:" not in err
    tuned = load_spec(chosen["spec"])
    assert tuned.training.mini_batch_size == 20 and tuned.training.optimizer.params["eta"] == chosen["values"][
        "training.optimizer.eta"]
    code, out, err = cli(capsys, "tune", spec, "--runs-dir", tmp_path, "--json")
    assert code == 0 and Path(json.loads(out)["spec"]).parent != Path(chosen["spec"]).parent
    code, out, err = cli(capsys, "tune", spec, "--jobs", "2", "--dask", "tcp://127.0.0.1:9")
    assert code == 2 and err.strip().startswith("--jobs: --jobs and --dask are two engines: give one.")
