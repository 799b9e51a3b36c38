"""Schedules, early stopping, dropout and intra-epoch monitoring."""
import re

import numpy as np
import pytest

from conftest import tiny_spec
from specnet.training.compiler import compile_trainer, compile_spec, generator
from specnet.datasets.dataset import load_datasets
from specnet.errors import SpecError
from specnet.components.schedules import SCHEDULES, EarlyStopping
from specnet.spec.load import spec_from_dict


def rows(values, metric="evaluation_accuracy"):
    return [{"epoch": i, metric: v} for i, v in enumerate(values)]


def test_constant():
    assert SCHEDULES.get("constant")().rate(0.5, rows([0.1, 0.2])) == 0.5


def test_steps_the_books_two_phases():  # η = 0.25 for 20 epochs, then 0.025
    steps = SCHEDULES.get("steps")(at=[20], etas=[0.025])
    assert [steps.rate(0.25, rows([0.5] * k)) for k in (0, 19, 20, 29)] == [0.25, 0.25, 0.025, 0.025]


def test_plateau_halves_until_one_128th_then_stops():
    plateau = SCHEDULES.get("plateau")("evaluation_accuracy", patience=10, factor=0.5, min_ratio=0.0078125)
    flat = rows([0.9] + [0.9] * 200)
    etas = [plateau.rate(1.0, flat[:k]) for k in range(1, 80)]
    changes = [k + 1 for k in range(1, len(etas)) if etas[k] != etas[k - 1]]
    assert changes == [11, 21, 31, 41, 51, 61, 71]            # every 10 epochs without improvement
    assert etas[69] == 1 / 64 and etas[70] is None            # 1/128 reached: stop


def test_plateau_counts_afresh_after_an_improvement():
    plateau = SCHEDULES.get("plateau")("evaluation_accuracy", patience=3, factor=0.1, min_ratio=0.0078125)
    assert plateau.rate(1.0, rows([0.5, 0.5, 0.6, 0.6, 0.6])) == 1.0
    assert plateau.rate(1.0, rows([0.5, 0.5, 0.6, 0.6, 0.6, 0.6])) == pytest.approx(0.1)


def test_plateau_on_a_cost_wants_it_lower():
    plateau = SCHEDULES.get("plateau")(metric="training_cost", patience=1, factor=0.5, min_ratio=0.1)
    assert plateau.rate(1.0, rows([3.0, 2.0], "training_cost")) == 1.0
    assert plateau.rate(1.0, rows([3.0, 3.5], "training_cost")) == 0.5


def test_early_stopping_rule():
    stop = EarlyStopping("evaluation_accuracy", patience=2, restore_best=True)
    assert not stop.should_stop(rows([0.1, 0.3, 0.2]))
    assert stop.should_stop(rows([0.1, 0.3, 0.2, 0.3]))  # equal is no improvement


def training_spec(**training):
    t = tiny_spec()
    t["training"].update(training)
    return spec_from_dict(t)


def run(spec, epochs=None):
    data = load_datasets(spec, {"training": spec.data.training})["training"]
    net = compile_spec(spec)
    trainer = compile_trainer(spec)
    if epochs:
        trainer.epochs = epochs
    return net, trainer.train(net, data, generator(spec.seed, "shuffle"), data)


def test_early_stopping_stops_and_restores_the_best_epoch():
    spec = training_spec(epochs=200, early_stopping={"metric": "evaluation_cost", "patience": 3},
                         optimizer={"type": "sgd", "eta": 40.0})  # so large that the cost soon rises
    net, history = run(spec)
    last = history[-1]
    assert len(history) < 200 and "early stopping" in last["stop"]
    best_epoch = min(history, key=lambda r: r["evaluation_cost"])["epoch"]
    assert last["restored_epoch"] == best_epoch == len(history) - 4
    data = load_datasets(spec, {"training": spec.data.training})["training"]
    assert net.total_cost(data, len(data)) == pytest.approx(history[best_epoch]["evaluation_cost"])


def test_the_schedule_sets_eta_each_epoch_and_can_end_training():
    spec = training_spec(epochs=100, schedule={"type": "plateau", "metric": "evaluation_cost", "patience": 1,
                                               "min_ratio": 0.25}, optimizer={"type": "sgd", "eta": 40.0})
    net, history = run(spec)
    assert history[0]["eta"] == 40.0 and {r["eta"] for r in history} <= {40.0, 20.0}
    trainer = compile_trainer(spec)
    assert "schedule" in history[-1]["stop"] and trainer.optimizer.eta == 40.0
    data = load_datasets(spec, {"training": spec.data.training})["training"]
    trainer.train(net, data, generator(spec.seed, "shuffle"), data)
    assert trainer.optimizer.eta == 40.0  # the schedule's η is the Trainer's: the optimizer's own is never changed


def test_watched_metric_must_be_monitored():
    with pytest.raises(SpecError, match="watched but not monitored"):
        training_spec(schedule={"type": "plateau", "metric": "training_accuracy"})


def test_steps_need_one_eta_per_epoch():
    with pytest.raises(SpecError, match="same length"):
        training_spec(schedule={"type": "steps", "at": [2, 4], "etas": [0.1]})


def dropout_net(rng, p=0.5):
    x = rng.uniform(0, 1, size=(6, 4))
    y = rng.uniform(0.1, 0.9, size=(6, 2))
    spec = spec_from_dict({
        "specnet": 1, "seed": 2, "data": {"source": {"type": "inline", "inputs": x.tolist(), "targets": y.tolist()}},
        "network": {"input": 4, "layers": [{"size": 8, "activation": "sigmoid", "dropout": p},
                                           {"size": 2, "activation": "sigmoid"}],
                    "cost": "cross_entropy", "dtype": "float64"},
        "training": {"epochs": 1, "optimizer": {"type": "sgd", "eta": 1.0}}})
    return compile_spec(spec), x.T, y.T


def test_dropout_gradients_match_finite_differences_of_the_thinned_network(rng):
    net, x, y = dropout_net(rng)
    masks = net.dropout_masks(x.shape[1], generator(2, "dropout"))
    assert masks[1] is None and set(np.unique(masks[0])) == {0.0, 2.0}   # kept neurons scaled by 1/(1 - p)

    def cost():
        a = x
        for w, b, act, mask in zip(net.weights, net.biases, net.activations, masks):
            a = act.fn(w @ a + b) * (1 if mask is None else mask)
        return net.cost.fn(a, y)
    nabla_b, nabla_w = net.backprop(x, y, masks=masks)
    w, eps = net.weights[0], 1e-6
    for idx in [(0, 0), (3, 2), (7, 3)]:
        old = w[idx]
        w[idx] = old + eps
        up = cost()
        w[idx] = old - eps
        down = cost()
        w[idx] = old
        assert nabla_w[0][idx] == pytest.approx((up - down) / (2 * eps), rel=1e-6, abs=1e-9)


def test_dropout_drops_about_p_of_the_neurons_and_only_while_training(rng):
    net, x, _ = dropout_net(rng, p=0.3)
    dropped = np.mean([np.mean(net.dropout_masks(1000, rng)[0] == 0) for _ in range(5)])
    assert dropped == pytest.approx(0.3, abs=0.02)
    assert np.array_equal(net.feedforward(x), net.feedforward(x))  # evaluation draws no masks


def test_monitor_every_reports_within_epochs():
    spec = training_spec(epochs=2, mini_batch_size=1, monitor_every=2)
    data = load_datasets(spec, {"training": spec.data.training})["training"]
    checks = []
    compile_trainer(spec).train(compile_spec(spec), data, generator(3, "shuffle"), data,
                             on_check=checks.append)
    assert [(c["epoch"], c["images"]) for c in checks] == [(0, 2), (0, 4), (1, 6), (1, 8)]
    assert set(checks[0]) == {"epoch", "images", "evaluation_accuracy", "evaluation_correct", "evaluation_total",
                              "evaluation_cost"}


def expanding_spec(**expand):
    t = tiny_spec()
    t["data"] = {"source": {"type": "inline", "inputs": np.eye(9)[[0, 4, 8]].tolist(), "targets": [[0], [1], [0]]},
                 "expand": {"rotate": 90, **expand}}
    t["network"]["input"] = 9
    return spec_from_dict(t)


def test_expansion_made_once_grows_the_training_set_deterministically():
    spec = expanding_spec(copies=2)
    a = load_datasets(spec, {"training": spec.data.training, "evaluation": spec.data.evaluation})
    b = load_datasets(spec, {"training": spec.data.training})
    assert len(a["training"]) == 9 and len(a["evaluation"]) == 3
    assert np.array_equal(a["training"].x, b["training"].x)
    assert np.array_equal(a["training"].x[:3], a["evaluation"].x)           # the originals come first
    assert a["training"].labels.tolist() == [0, 1, 0] * 3
    assert np.allclose(a["training"].x[3:, 4], [0, 1, 0] * 2)              # the centre pixel survives rotation


def test_expansion_per_epoch_draws_fresh_copies(monkeypatch):
    spec = expanding_spec(per_epoch=True)
    data = load_datasets(spec, {"training": spec.data.training})["training"]
    assert len(data) == 3  # nothing made at load time
    trainer = compile_trainer(spec)
    seen = []
    original = trainer.expansion.__class__.__call__
    monkeypatch.setattr(trainer.expansion.__class__, "__call__",
                        lambda self, x, rng: seen.append(original(self, x, rng)) or seen[-1])
    trainer.train(compile_spec(spec), data, generator(3, "shuffle"), data)
    assert len(seen) == spec.training.epochs and not np.array_equal(seen[0], seen[1])


def test_expansion_must_change_something():
    with pytest.raises(SpecError, match="equal the originals"):
        expanding_spec(rotate=0)


def test_run_says_when_eta_changes_when_it_stopped_and_which_epoch_it_kept(tmp_path, capsys):
    import yaml
    from test_cli import cli
    t = tiny_spec()
    t["training"].update(epochs=200, optimizer={"type": "sgd", "eta": 40.0},
                         monitor=["evaluation_accuracy", "evaluation_cost"],
                         schedule={"type": "plateau", "metric": "evaluation_cost", "patience": 1, "min_ratio": 0.01},
                         early_stopping={"metric": "evaluation_cost", "patience": 3})
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(t))
    code, out, err = cli(capsys, "run", str(tmp_path / "s.yaml"), "--runs-dir", str(tmp_path / "runs"))
    assert code == 0, err
    epochs = [line for line in out.splitlines() if line.startswith("Epoch ")]
    assert "η" not in epochs[0] and any("; η 20  [" in line for line in epochs), out
    assert re.search(r"^Stopped after epoch \d+ of 200: early stopping: no improvement", out, re.M), out
    assert re.search(r"^The model keeps the parameters of epoch \d+, the best on evaluation cost\.$", out, re.M)
