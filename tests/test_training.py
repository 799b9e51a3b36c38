"""Training end to end: determinism on a tiny table, and brief integration runs on the bundled MNIST."""
import dataclasses

import numpy as np
import pytest

from conftest import ROOT, tiny_spec
from specnet.training.compiler import compile_spec, compile_trainer, generator
from specnet.datasets.dataset import load_datasets
from specnet.runs.run import run_spec
from specnet.spec.load import load_spec, spec_from_dict


def test_same_spec_and_seed_give_identical_metrics_and_weights(tmp_path):
    spec = spec_from_dict(tiny_spec())
    a, b = run_spec(spec, tmp_path), run_spec(spec, tmp_path)
    assert a.folder != b.folder
    assert (a.folder / "metrics.jsonl").read_bytes() == (b.folder / "metrics.jsonl").read_bytes()
    assert all(np.array_equal(x, y) for x, y in zip(a.model.weights, b.model.weights))


def test_another_seed_gives_another_run(tmp_path):
    a = run_spec(spec_from_dict(tiny_spec()), tmp_path)
    b = run_spec(spec_from_dict({**tiny_spec(), "seed": 4}), tmp_path)
    assert not np.array_equal(a.model.weights[0], b.model.weights[0])


def test_learns_xor():
    spec = spec_from_dict({**tiny_spec(), "seed": 1})
    data = load_datasets(spec, {"training": spec.data.training})["training"]
    net = compile_spec(spec)
    trainer = dataclasses.replace(compile_trainer(spec), epochs=2000, mini_batch_size=4, monitor=("evaluation_accuracy",))
    history = trainer.train(net, data, generator(spec.seed, "shuffle"), data)
    assert history[-1]["evaluation_accuracy"] == 1.0


def test_cost_falls_when_training(tmp_path):
    run = run_spec(spec_from_dict({**tiny_spec(), "training": {**tiny_spec()["training"], "epochs": 50}}), tmp_path)
    costs = [r["training_cost"] for r in run.history]
    assert costs[-1] < costs[0]


def test_unmet_expectation_is_reported(tmp_path):
    spec = spec_from_dict({**tiny_spec(), "expect": [{"metric": "evaluation_cost", "max": 1e-9}]})
    run = run_spec(spec, tmp_path)
    assert len(run.failures) == 1 and "evaluation_cost" in run.failures[0]


@pytest.mark.mnist
def test_one_epoch_of_ch1_reaches_90_percent(tmp_path):
    spec = load_spec(ROOT / "specs" / "ch1_sgd.yaml", ["training.epochs=1"])
    run = run_spec(spec, tmp_path)
    assert run.history[0]["evaluation_accuracy"] >= 0.90
    assert run.history[0]["evaluation_total"] == 10_000


@pytest.mark.mnist
def test_mnist_subset_is_deterministic(tmp_path):
    spec = load_spec(ROOT / "specs" / "ch3_l2.yaml", ["training.epochs=2", "data.training.take=2000",
                                                      "data.evaluation.take=1000"])
    a, b = run_spec(spec, tmp_path), run_spec(spec, tmp_path)
    assert (a.folder / "metrics.jsonl").read_bytes() == (b.folder / "metrics.jsonl").read_bytes()
