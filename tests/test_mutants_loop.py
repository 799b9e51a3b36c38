"""Tests that kill mutants of the training loop (issue 13, bench/mutation.md): network.py, trainer.py,
executor.py, optimizers.py and schedules.py, checked against the per-example reference of tests/reference.py,
finite differences, or values computed by hand (a resumed training against the uninterrupted one, float32
against float64). NumPy executor only: the compiled loops' rule is tested by hand, directly.
"""
import dataclasses
import warnings

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from reference import ReferenceNetwork, sigma, sigma_prime
from test_loop_oracles import (assert_same_parameters, compiled, data, reference_correct, reference_cost,
                               reference_epoch, reference_of, reference_run, snapshots)
from specnet.components.optimizers import OPTIMIZERS, sgd_rule
from specnet.components.regularizers import REGULARIZERS
from specnet.datasets.dataset import Dataset
from specnet.spec.load import spec_from_dict
from specnet.training import executor as executor_module
from specnet.training import network as network_module
from specnet.training.compiler import compile_spec, compile_trainer, generator
from specnet.training.executor import blas_threads
from specnet.training.network import Network, Workspace
from specnet.training.trainer import Diverged, divergence

LAYERS = [(4, "sigmoid"), (3, "sigmoid")]
L2 = {"type": "l2", "lambda": 3.0}


def batches(training, order, m):
    """The mini-batches of m examples in `order` as the reference takes them: lists of (x, y) columns."""
    return [[(training.x[i].reshape(-1, 1), training.y[i].reshape(-1, 1)) for i in order[k:k + m]]
            for k in range(0, len(order), m)]


# --- trainer.py: checks every monitor_every images, progress, shuffling, n, expansion, early stopping -----------

def test_checks_fall_after_the_mini_batch_that_reaches_each_multiple_of_monitor_every():
    """23 images in mini-batches of 5 (ending after 5, 10, 15, 20, 23 images), a check every 7 images, 3 epochs:
    the multiples 7, 14, 21 | 28, 35, 42 | 49, 56, 63 of the run fall in the mini-batches that end at images
    10, 15, 23 | 28, 38, 43 | 51, 56, 66. Each check measures the evaluation set at that point, as the
    reference stepped mini-batch by mini-batch does (L2 with the training set's n = 23, momentum)."""
    training, evaluation = data(23, 6, 3, seed=1), data(9, 6, 3, seed=2)
    _, net, trainer = compiled(training, LAYERS, "cross_entropy", L2, 0.5, eta=0.5, m=5, epochs=3, monitor_every=7)
    ref = reference_of(net, LAYERS, "cross_entropy")
    checks, ticks = [], []
    trainer.train(net, training, generator(11, "shuffle"), evaluation, on_check=checks.append,
                  on_batch=lambda done, total: ticks.append((done, total)))
    assert [(c["epoch"], c["images"]) for c in checks] == [(0, 10), (0, 15), (0, 23), (1, 28), (1, 38), (1, 43),
                                                           (2, 51), (2, 56), (2, 66)]
    shuffle, seen, expected = generator(11, "shuffle"), 0, []
    for epoch in range(3):
        for batch in batches(training, shuffle.permutation(23), 5):
            ref.update_mini_batch(batch, eta=0.5, n=23, regularization="l2", lmbda=3.0, mu=0.5)
            seen += len(batch)
            if seen % 7 < len(batch):
                expected.append((epoch, seen, reference_cost(ref, evaluation, 23, L2), reference_correct(ref, evaluation)))
    assert len(checks) == len(expected)
    for check, (epoch, images, cost, correct) in zip(checks, expected):
        assert set(check) == {"epoch", "images", "evaluation_accuracy", "evaluation_correct", "evaluation_total",
                              "evaluation_cost"}
        assert (check["epoch"], check["images"]) == (epoch, images) and type(check["images"]) is int
        assert check["evaluation_cost"] == pytest.approx(cost, abs=1e-10)
        assert (check["evaluation_correct"], check["evaluation_total"]) == (correct, 9)
        assert check["evaluation_accuracy"] == correct / 9
    # progress after every mini-batch (fewer than 100 per epoch); the last one reports the whole epoch
    assert len(ticks) == 15 and all(total == 23 for _, total in ticks)
    assert [done for done, _ in ticks[:4]] == [5, 10, 15, 20] and min(ticks[4][0], 23) == 23


def test_progress_comes_about_a_hundred_times_an_epoch():
    """200 mini-batches of 10: progress after every other one, 100 times, evenly spaced."""
    _, net, trainer = compiled(data(23, 6, 3, seed=1), LAYERS, "cross_entropy", m=10, epochs=1)
    big = data(2000, 6, 3, seed=5)
    ticks = []
    trainer.train(net, big, generator(11, "shuffle"), on_batch=lambda done, total: ticks.append((done, total)))
    assert ticks == [(done, 2000) for done in range(10, 2000, 20)]


def test_no_checks_without_monitor_every_or_without_a_callback():
    training = data(23, 6, 3, seed=1)
    _, net, trainer = compiled(training, LAYERS, "cross_entropy", epochs=1)
    checks = []
    trainer.train(net, training, generator(11, "shuffle"), training, on_check=checks.append)  # monitor_every: none
    assert checks == []
    _, net, trainer = compiled(training, LAYERS, "cross_entropy", epochs=1, monitor_every=3)
    assert len(trainer.train(net, training, generator(11, "shuffle"), training)) == 1  # no on_check: no checks


def test_without_shuffling_every_epoch_takes_the_examples_in_order_and_draws_nothing():
    training = data(23, 6, 3, seed=1)
    _, net, trainer = compiled(training, LAYERS, "cross_entropy", L2, epochs=2, shuffle=False)
    ref = reference_of(net, LAYERS, "cross_entropy")
    rng = generator(11, "shuffle")
    trainer.train(net, training, rng, training)
    for _ in range(2):
        reference_epoch(ref, training, np.arange(23), 5, 0.5, L2, 0.0)
    assert_same_parameters((net.weights, net.biases), ref)
    assert rng.permutation(10).tolist() == generator(11, "shuffle").permutation(10).tolist()


class Jitter:
    """A stand-in expansion: `copies` noisy copies of the originals, drawn from the generator it is given."""
    copies = 2

    def __call__(self, x, rng):
        return np.concatenate([np.clip(x + rng.normal(0, 0.2, x.shape), 0, 1) for _ in range(self.copies)])


def test_expansion_per_epoch_trains_on_the_originals_and_fresh_copies_with_n_of_all_of_them():
    """Each epoch: the 12 originals then 2 fresh copies (36 rows, targets repeated), one shuffle of the 36,
    weight decay and the cost's regularization term with n = 36; the metrics on the 12 originals."""
    training = data(12, 6, 3, seed=1)
    _, net, trainer = compiled(training, LAYERS, "cross_entropy", L2, 0.5, eta=0.5, m=5, epochs=2)
    trainer = dataclasses.replace(trainer, expansion=Jitter(), expand_rng=generator(11, "expand"))
    ref = reference_of(net, LAYERS, "cross_entropy")
    kept, on_epoch = snapshots(net)
    trainer.train(net, training, generator(11, "shuffle"), training, on_epoch=on_epoch)
    shuffle, expand = generator(11, "shuffle"), generator(11, "expand")
    for weights, biases, record in kept:
        x = np.concatenate([training.x, Jitter()(training.x, expand)])
        epoch = Dataset(x, np.tile(training.y, (3, 1)), None)
        reference_epoch(ref, epoch, shuffle.permutation(36), 5, 0.5, L2, 0.5)
        assert_same_parameters((weights, biases), ref)
        assert record["training_total"] == 12
        assert record["training_cost"] == pytest.approx(reference_cost(ref, training, 36, L2), abs=1e-10)


def test_a_plateau_with_min_ratio_1_ends_training_after_the_first_epoch():
    """min_ratio: 1 (the schema's largest) stops as soon as η is at most η0, which it is from the start: the
    first epoch runs at η0 and training ends after it."""
    training = data(23, 6, 3, seed=1)
    plateau = {"type": "plateau", "metric": "training_cost", "patience": 1, "factor": 0.5, "min_ratio": 1}
    _, net, trainer = compiled(training, LAYERS, "cross_entropy", epochs=5, schedule=plateau)
    history = trainer.train(net, training, generator(11, "shuffle"), training)
    assert [r["eta"] for r in history] == [0.5]
    assert history[0]["stop"] == "the schedule ended training (eta fell to its minimum)"


def flipping_case(schedule="constant", **early_stopping):
    """The case of test_loop_oracles' early stopping: the evaluation cost falls, then rises."""
    training = data(20, 5, 2, seed=6)
    flipped = training.y.copy()
    flipped[:12] = flipped[:12, ::-1]
    evaluation = Dataset(training.x, flipped, flipped.argmax(axis=1))
    layers = [(6, "sigmoid"), (2, "sigmoid")]
    _, net, trainer = compiled(training, layers, "cross_entropy", eta=1.5, m=4, epochs=12,
                               early_stopping={"metric": "evaluation_cost", **early_stopping}, schedule=schedule)
    return training, evaluation, layers, net, trainer


def test_without_restore_best_the_last_epochs_parameters_stay():
    training, evaluation, layers, net, trainer = flipping_case(patience=3, restore_best=False)
    params, costs = reference_run(training, evaluation, layers, net, 12, 3)
    history = trainer.train(net, training, generator(11, "shuffle"), evaluation)
    assert len(history) == len(costs) < 12
    assert history[-1]["stop"] == "early stopping: no improvement in evaluation_cost for 3 epochs"
    assert not any("restored_epoch" in r for r in history) and not any("stop" in r for r in history[:-1])
    assert_same_parameters(params[-1], ReferenceNetwork(net.weights, net.biases, ["sigmoid"] * 2, "cross_entropy"))


def test_when_the_schedule_ends_training_the_best_epoch_is_put_back():
    """The schedule halves η after every epoch without improvement and ends training at η0/4; early stopping
    (patience 50) never fires, yet the best epoch's parameters are restored when the schedule stops."""
    plateau = {"type": "plateau", "metric": "evaluation_cost", "patience": 1, "factor": 0.5, "min_ratio": 0.25}
    training, evaluation, _, net, trainer = flipping_case(plateau, patience=50, restore_best=True)
    on_epoch = []
    history = trainer.train(net, training, generator(11, "shuffle"), evaluation, on_epoch=on_epoch.append)
    last = history[-1]
    assert last["stop"] == "the schedule ended training (eta fell to its minimum)" and len(history) < 12
    best = int(np.argmin([r["evaluation_cost"] for r in history]))
    assert best < len(history) - 1 and last["restored_epoch"] == best
    assert net.total_cost(evaluation, 20) == pytest.approx(history[best]["evaluation_cost"], abs=1e-12)
    assert on_epoch == history  # every record, the last one with its stop and restored epoch, went to on_epoch


# --- network.py: the workspace, measure, evaluation without a regularizer, the model file --------------------

def test_backprop_leaves_every_intermediate_array_in_its_workspace():
    """After backprop(x, y, scale, ws): ws.z[l], ws.a[l] are z^l and σ(z^l), ws.scratch[l] σ'(z^l),
    ws.delta[l] scale·δ^l, per example as the reference computes them, and the gradients returned are the
    workspace's own arrays (the next call overwrites them)."""
    training = data(6, 4, 3, seed=3)
    _, net, _ = compiled(training, [(5, "sigmoid"), (3, "sigmoid")], "quadratic")
    ref = ReferenceNetwork(net.weights, net.biases, ["sigmoid", "sigmoid"], "quadratic")
    ws = Workspace(net.sizes, 6, net.dtype, dropout=False)
    nabla_b, nabla_w = net.backprop(training.x.T, training.y.T, -0.3, None, ws)
    assert all(g is h for g, h in zip(nabla_b + nabla_w, ws.nabla_b + ws.nabla_w))
    for i, (x, y) in enumerate(zip(training.x, training.y)):
        a, zs = x.reshape(-1, 1), []
        for w, b in zip(ref.weights, ref.biases):
            zs.append(w @ a + b)
            a = sigma("sigmoid", zs[-1])
        deltas, _ = ref.backprop(x.reshape(-1, 1), y.reshape(-1, 1))  # nabla_b of one example: δ^l (BP3)
        for l, z in enumerate(zs):
            np.testing.assert_allclose(ws.z[l][:, [i]], z, rtol=0, atol=1e-13)
            np.testing.assert_allclose(ws.a[l][:, [i]], sigma("sigmoid", z), rtol=0, atol=1e-13)
            np.testing.assert_allclose(ws.scratch[l][:, [i]], sigma_prime("sigmoid", z), rtol=0, atol=1e-13)
            np.testing.assert_allclose(ws.delta[l][:, [i]], -0.3 * deltas[l], rtol=0, atol=1e-13)


class Made(list):
    """The mini-batch size of each Workspace made, in order; `workspaces`: the Workspaces themselves."""


@pytest.mark.parametrize("scale", [1.0, 2.0])
def test_backprop_gives_scale_times_the_sum_of_the_per_example_gradients(scale):
    training = data(6, 4, 3, seed=3)
    _, net, _ = compiled(training, [(5, "tanh"), (3, "sigmoid")], "cross_entropy")
    ref = ReferenceNetwork(net.weights, net.biases, ["tanh", "sigmoid"], "cross_entropy")
    nabla_b, nabla_w = net.backprop(training.x.T, training.y.T, scale)
    per_example = [ref.backprop(x.reshape(-1, 1), y.reshape(-1, 1)) for x, y in zip(training.x, training.y)]
    for l in range(2):
        np.testing.assert_allclose(nabla_b[l], scale * sum(b[l] for b, _ in per_example), rtol=0, atol=1e-13)
        np.testing.assert_allclose(nabla_w[l], scale * sum(w[l] for _, w in per_example), rtol=0, atol=1e-13)


def counting(monkeypatch):
    """Count the Workspaces made by the executor and by backprop (which makes one when given none)."""
    made = Made()

    class Counted(Workspace):
        def __init__(self, sizes, m, dtype, dropout=True):
            made.append(m)
            super().__init__(sizes, m, dtype, dropout)
            made.workspaces = getattr(made, "workspaces", []) + [self]
    monkeypatch.setattr(executor_module, "Workspace", Counted)
    monkeypatch.setattr(network_module, "Workspace", Counted)
    return made


def test_an_epoch_makes_one_workspace_per_mini_batch_size(monkeypatch):
    """23 examples in mini-batches of 5: one Workspace for the four of 5 and one for the last of 3, per epoch
    (Workspace: "made once and reused"); the steps are still the reference's."""
    training = data(23, 6, 3, seed=1)
    _, net, trainer = compiled(training, LAYERS, "cross_entropy", L2, epochs=2)
    ref = reference_of(net, LAYERS, "cross_entropy")
    made = counting(monkeypatch)
    trainer.train(net, training, generator(11, "shuffle"), training)
    assert made == [5, 3, 5, 3]
    shuffle = generator(11, "shuffle")
    for _ in range(2):
        reference_epoch(ref, training, shuffle.permutation(23), 5, 0.5, L2, 0.0)
    assert_same_parameters((net.weights, net.biases), ref)


def test_an_epoch_of_more_rows_than_one_block_follows_the_reference():
    """The executor copies 511 shuffled rows at a time when m = 7 (73 mini-batches); an epoch of 600 examples
    takes a second block of 89 rows, ending with a mini-batch of 5: the steps are still the reference's."""
    training = data(600, 6, 3, seed=9)
    _, net, trainer = compiled(data(23, 6, 3, seed=1), LAYERS, "cross_entropy", L2, 0.5, m=7, epochs=1)
    ref = reference_of(net, LAYERS, "cross_entropy")
    trainer.train(net, training, generator(11, "shuffle"))
    reference_epoch(ref, training, generator(11, "shuffle").permutation(600), 7, 0.5, L2, 0.5)
    assert_same_parameters((net.weights, net.biases), ref)


def dropout_network(p=0.5, dtype="float64", seed=2):
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 1, size=(6, 3)), rng.uniform(0.1, 0.9, size=(6, 2))
    spec = spec_from_dict({
        "specnet": 1, "seed": 2, "data": {"source": {"type": "inline", "inputs": x.tolist(), "targets": y.tolist()}},
        "network": {"input": 3, "layers": [{"size": 4, "activation": "sigmoid", "dropout": p},
                                           {"size": 2, "activation": "sigmoid"}],
                    "cost": "cross_entropy", "dtype": dtype},
        "training": {"epochs": 1, "mini_batch_size": 3, "executor": "numpy", "monitor": ["training_cost"],
                     "optimizer": {"type": "sgd", "eta": 1.0}}})
    return spec, compile_spec(spec), compile_trainer(spec), Dataset(x, y, None)


def thinned_cost(weights, biases, masks, x, y):
    """The mean cross-entropy over the columns of x of the network thinned by `masks`, written out."""
    a = x
    for w, b, mask in zip(weights, biases, masks):
        a = sigma("sigmoid", w @ a + b) * (1.0 if mask is None else mask)
    return float(-np.sum(y * np.log(a) + (1 - y) * np.log(1 - a))) / x.shape[1]


def test_a_dropout_step_follows_finite_differences_of_the_thinned_network(monkeypatch):
    """Each mini-batch step with dropout is −η times the gradient, by central differences, of the mean cost of
    the network thinned by that step's masks (drawn from the executor's dropout stream, one set per step);
    the workspaces hold the dropped-out activations."""
    _, net, trainer, training = dropout_network()
    drawn, made = [], counting(monkeypatch)
    draw = net.dropout_masks
    net.dropout_masks = lambda m, rng: drawn.append(draw(m, rng)) or drawn[-1]
    weights, biases = [w.copy() for w in net.weights], [b.copy() for b in net.biases]
    trainer.train(net, training, generator(2, "shuffle"), training)
    assert made == [3] and len(drawn) == 2 and all(masks[1] is None for masks in drawn)
    assert all(set(np.unique(masks[0])) == {0.0, 2.0} for masks in drawn)
    order = generator(2, "shuffle").permutation(6)
    for k, masks in zip((0, 3), drawn):
        x, y = training.x[order[k:k + 3]].T, training.y[order[k:k + 3]].T
        params = weights + biases
        thinned = sigma("sigmoid", weights[0] @ x + biases[0]) * masks[0]  # what the step's layer 1 passes on
        grads = []
        for p in params:
            g = np.zeros_like(p)
            for idx in np.ndindex(p.shape):
                old = p[idx]
                p[idx] = old + 1e-6
                up = thinned_cost(weights, biases, masks, x, y)
                p[idx] = old - 1e-6
                down = thinned_cost(weights, biases, masks, x, y)
                p[idx] = old
                g[idx] = (up - down) / 2e-6
            grads.append(g)
        for p, g in zip(params, grads):
            p -= 1.0 * g
    np.testing.assert_allclose(made.workspaces[0].dropped[0], thinned, rtol=0, atol=1e-8)  # the last step's
    for mine, theirs in zip(net.weights + net.biases, weights + biases):
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-8)


def test_a_float32_network_trains_in_float32_as_float64_does():
    training = data(23, 6, 3, seed=1)
    _, net, trainer = compiled(training, LAYERS, "cross_entropy", L2, 0.5, epochs=2)
    net32 = Network(net.sizes, net.activations, net.cost, [w.astype(np.float32) for w in net.weights],
                    [b.astype(np.float32) for b in net.biases], net.regularizer, net.dropout)
    trainer32 = compiled(training, LAYERS, "cross_entropy", L2, 0.5, epochs=2)[2]
    single = Dataset(training.x.astype(np.float32), training.y.astype(np.float32), training.labels)
    trainer.train(net, training, generator(11, "shuffle"), training)
    history = trainer32.train(net32, single, generator(11, "shuffle"), single)
    assert all(p.dtype == np.float32 for p in net32.weights + net32.biases)
    for mine, theirs in zip(net32.weights + net32.biases, net.weights + net.biases):
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-5)
    assert history[-1]["training_cost"] == pytest.approx(net.total_cost(training, 23), abs=1e-5)
    _, net32, _, x = dropout_network(p=0.3, dtype="float32")
    assert net32.dropout_masks(5, np.random.default_rng(0))[0].dtype == np.float32


def test_evaluate_and_measure_feed_each_set_forward_once(monkeypatch):
    """evaluate(data) alone counts what the reference gets right; measure with accuracy and cost of both sets
    computes the outputs of each set once, and shares them."""
    training, evaluation = data(23, 6, 3, seed=1), data(9, 6, 3, seed=2)
    _, net, _ = compiled(training, LAYERS, "cross_entropy", L2)
    ref = reference_of(net, LAYERS, "cross_entropy")
    assert net.evaluate(training) == reference_correct(ref, training)
    fed, outputs = [], net.outputs
    monkeypatch.setattr(net, "outputs", lambda d: fed.append(len(d)) or outputs(d))
    everything = ("training_cost", "training_accuracy", "evaluation_cost", "evaluation_accuracy")
    measured = net.measure(everything, training, evaluation, 23)
    assert fed == [23, 9] and measured["evaluation_correct"] == reference_correct(ref, evaluation)
    assert measured["evaluation_cost"] == pytest.approx(reference_cost(ref, evaluation, 23, L2), abs=1e-12)


def test_measure_gives_each_monitored_metric_of_each_set_given():
    training, evaluation = data(23, 6, 3, seed=1), data(9, 6, 3, seed=2)
    _, net, _ = compiled(training, LAYERS, "cross_entropy", L2)
    ref = reference_of(net, LAYERS, "cross_entropy")
    everything = ("training_cost", "training_accuracy", "evaluation_cost", "evaluation_accuracy")
    correct = reference_correct(ref, training)
    assert net.measure(everything, training, None, 23) == pytest.approx({
        "training_accuracy": correct / 23, "training_correct": correct, "training_total": 23,
        "training_cost": reference_cost(ref, training, 23, L2)}, abs=1e-12)
    assert net.measure(("training_cost",), None, evaluation, 23) == {}  # the training set not given: skipped
    assert set(net.measure(("evaluation_accuracy",), training, evaluation, 23)) == {
        "evaluation_accuracy", "evaluation_correct", "evaluation_total"}


def test_a_network_without_a_regularizer_costs_and_trains_as_unregularized():
    training = data(23, 6, 3, seed=1)
    _, net, trainer = compiled(training, LAYERS, "cross_entropy", epochs=1)
    net = Network(net.sizes, net.activations, net.cost, net.weights, net.biases, None, net.dropout)
    ref = reference_of(net, LAYERS, "cross_entropy")
    assert net.total_cost(training, 23) == pytest.approx(reference_cost(ref, training, 23, "none"), abs=1e-12)
    trainer.train(net, training, generator(11, "shuffle"), training)
    reference_epoch(ref, training, generator(11, "shuffle").permutation(23), 5, 0.5, "none", 0.0)
    assert_same_parameters((net.weights, net.biases), ref)


def test_what_a_network_saves_and_loads():
    _, net, _ = compiled(data(23, 6, 3, seed=1), [(4, "tanh"), (3, "softmax")], "log_likelihood")
    assert repr(net) == "Network(sizes=[6, 4, 3], cost='log_likelihood')"
    assert net.saved() == {"format": "specnet-model", "version": 1, "sizes": [6, 4, 3],
                           "activations": ["tanh", "softmax"], "cost": "log_likelihood", "dtype": "float64"}
    arrays = net.arrays()
    assert list(arrays) == ["w0", "b0", "w1", "b1"]
    assert [arrays[k] for k in arrays] == [net.weights[0], net.biases[0], net.weights[1], net.biases[1]]
    single = Network(net.sizes, net.activations, net.cost, [w.astype(np.float32) for w in net.weights],
                     [b.astype(np.float32) for b in net.biases], net.regularizer, net.dropout)
    weights = [np.arange(24.0).reshape(4, 6) / 10, np.arange(12.0).reshape(3, 4) / 10]
    assert single.loaded({"weights": [w.tolist() for w in weights], "biases": [[1, 2, 3, 4], [5, 6, 7]]}) is single
    assert [w.dtype for w in single.weights + single.biases] == [np.float32] * 4
    assert [b.tolist() for b in single.biases] == [[[1], [2], [3], [4]], [[5], [6], [7]]]
    np.testing.assert_allclose(single.weights[1], weights[1], rtol=1e-7)


# --- executor.py: BLAS threads ---------------------------------------------------------------------------------

def blas_thread_counts():
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


@pytest.mark.parametrize("sizes, m, one", [([784, 30, 10], 10, True), ([784, 30, 10], 100, False),
                                           ([2, 1000, 1999], 1, True), ([2, 1000, 2000], 1, False),
                                           ([2000, 1000, 2], 1, False)])
def test_one_blas_thread_for_products_under_two_million_multiply_adds(sizes, m, one):
    """m × the largest n_l·n_{l−1}: 235,200 and 1,999,000 run on one BLAS thread; 2,352,000 and exactly
    2,000,000 keep them all (two here)."""
    if not blas_thread_counts():
        pytest.skip("no BLAS library that threadpoolctl can see")
    with threadpool_limits(limits=2, user_api="blas"):
        with blas_threads(sizes, m):
            inside = blas_thread_counts()
        assert blas_thread_counts() == [2] * len(inside)
    assert inside == ([1] if one else [2]) * len(inside)


# --- optimizers.py: SGD by hand --------------------------------------------------------------------------------

def sgd(eta=0.1, mu=0.0, nesterov=False):
    return OPTIMIZERS.get("sgd")(eta=eta, mu=mu, nesterov=nesterov)


@pytest.mark.parametrize("kind, expected", [("l2", [1.5, -0.75, 0.0]), ("l1", [1.75, -0.75, 0.0])])
def test_weight_decay_by_hand(kind, expected):
    """With no gradient, λ = 3, n = 6 and the step's η = 0.5 (not the optimizer's 0.1): ηλ/n = 0.25, so
    w → 0.75 w (L2, 93) or w − 0.25 sgn(w) (L1, 97); biases do not decay. gradient() is asked for −η·∇C."""
    w, b, scales = np.array([2.0, -1.0, 0.0]), np.array([1.0]), []
    sgd().step([w], [b], lambda scale: scales.append(scale) or ([np.zeros(3)], [np.zeros(1)]), 0.5,
               (REGULARIZERS.get(kind)(lmbda=3.0), 6))
    assert w.tolist() == expected and b.tolist() == [1.0] and scales == [-0.5]


def test_momentum_by_hand_without_start_and_with_weight_decay():
    """On C(w) = w²/2 from w = 1 (∇C = w), η = 0.1, μ = 0.9, velocities made on the first step: 0.9, then
    0.9 − 0.09 − 0.09 = 0.72. With L2 instead (λ = 1, n = 1, no gradient of C_0), μ = 0.5: the decay is part
    of ∇C, so it goes into the velocity: v = −0.1, w = 0.9; v = −0.05 − 0.09, w = 0.76."""
    opt, w, b, seen = sgd(mu=0.9), np.ones(1), np.zeros(1), []
    for _ in range(2):
        opt.step([w], [b], lambda scale: ([scale * w.copy()], [scale * b.copy()]), 0.1)
        seen.append(float(w[0]))
    assert seen == pytest.approx([0.9, 0.72], abs=1e-15)
    opt, w, seen = sgd(mu=0.5), np.ones(1), []
    opt.start([w, b])
    for _ in range(2):
        opt.step([w], [b], lambda scale: ([np.zeros(1)], [np.zeros(1)]), 0.1, (REGULARIZERS.get("l2")(lmbda=1.0), 1))
        seen.append(float(w[0]))
    assert seen == pytest.approx([0.9, 0.76], abs=1e-15)


@pytest.mark.parametrize("penalty, expected", [(0, [2.1, -0.9, 0.1]), (1, [1.6, -0.65, 0.1]), (2, [1.85, -0.65, 0.1])])
def test_the_rule_decays_the_weights_by_hand(penalty, expected):
    """The rule the compiled loops run, plain SGD, u = 0.1 for each number and ηλ/n = 0.25: no decay (penalty
    0, the biases), L2 (1): u − 0.25 p, L1 (2): u − 0.25 sgn(p), with sgn(0) = 0 (96)."""
    p = np.array([2.0, -1.0, 0.0])
    sgd_rule(p, np.zeros(1), np.full(3, 0.1), (0.0, False), 0.25, penalty)
    assert p.tolist() == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize("nesterov, expected", [(False, [1.5, 0.875]), (True, [1.25, 0.65625])])
def test_the_rule_puts_the_decay_into_the_velocity_by_hand(nesterov, expected):
    """p = 2, no gradient of C_0, L2 with ηλ/n = 0.25, μ = 0.5. Momentum: u = −0.5, v = −0.5, p = 1.5; then
    u = −0.375, v = −0.625, p = 0.875. Nesterov: p = 2 − 0.5 − 0.25 = 1.25; then u = −0.3125,
    v = −0.5625, p = 1.25 − 0.3125 − 0.28125 = 0.65625."""
    p, v, seen = np.array([2.0]), np.zeros(1), []
    for _ in range(2):
        sgd_rule(p, v, np.zeros(1), (0.5, nesterov), 0.25, 1)
        seen.append(float(p[0]))
    assert seen == pytest.approx(expected, abs=1e-15)


# --- trainer.py: divergence -------------------------------------------------------------------------------------

def test_what_diverged_is_said_in_words():
    """The first parameter that is not finite (layers counted from 1), else the first monitored cost that is
    not finite or is above max_cost (4 significant digits); accuracies, costs of None and a cost equal to
    max_cost are not divergence."""
    _, net, _ = compiled(data(23, 6, 3, seed=1), LAYERS, "cross_entropy")
    fine = {"epoch": 0, "eta": 0.5, "training_cost": 10.0, "evaluation_cost": None, "evaluation_accuracy": np.nan}
    assert divergence(net, fine, 10.0) is None and divergence(net, fine, None) is None
    assert divergence(net, {"training_cost": 12.345678}, 10.0) == "the training cost 12.35 is above max_cost 10"
    assert divergence(net, {"evaluation_cost": np.inf}, None) == "the evaluation cost is inf"
    assert divergence(net, {"training_cost": 1.0, "evaluation_cost": np.nan}, 2.5) == "the evaluation cost is nan"
    net.biases[0][1, 0] = np.inf
    assert divergence(net, fine, None) == "a bias of layer 1 is inf"
    net.weights[1][0, 0] = np.nan
    assert divergence(net, {"training_cost": np.nan}, None) == "a weight of layer 2 is nan"


def test_a_weight_or_bias_past_max_weight_is_divergence():
    """|w| or |b| above max_weight (the largest magnitude, 3 significant digits); at it, or with no limit, not."""
    _, net, _ = compiled(data(23, 6, 3, seed=1), LAYERS, "cross_entropy")
    net.weights = [np.full_like(w, 0.5) for w in net.weights]
    net.biases = [np.zeros_like(b) for b in net.biases]
    net.weights[1][2, 1] = -2.0
    assert divergence(net, {}, None, 2.0) is None and divergence(net, {}, None, None) is None
    net.weights[1][2, 1] = -2.0001
    assert divergence(net, {}, None, 2.0) == "a weight of layer 2 grew to 2, past max_weight 2"
    net.biases[0][3, 0] = 12345.0
    assert divergence(net, {}, None, 2.5) == "a bias of layer 1 grew to 1.23e+04, past max_weight 2.5"
    assert divergence(net, {"training_cost": 1e9}, 1.0, None) == "the training cost 1e+09 is above max_cost 1"


def test_a_weight_past_max_weight_stops_training_with_diverged():
    training = data(23, 6, 3, seed=1)
    _, net, trainer = compiled(training, LAYERS, "cross_entropy", epochs=3)
    trainer = dataclasses.replace(trainer, max_weight=0.01)
    with pytest.raises(Diverged) as stopped:
        trainer.train(net, training, generator(11, "shuffle"), training)
    largest = np.abs(net.weights[0]).max()
    assert largest > 0.01 and stopped.value.epoch == 0
    assert stopped.value.why == f"a weight of layer 1 grew to {largest:.3g}, past max_weight 0.01"


def test_a_cost_above_max_cost_stops_training_with_diverged():
    """max_cost 0.01 is below any cost here: epoch 0's record says why, goes to on_epoch, and Diverged is raised
    with the epoch, the reason and η."""
    training = data(23, 6, 3, seed=1)
    _, net, trainer = compiled(training, LAYERS, "cross_entropy", epochs=3)
    trainer = dataclasses.replace(trainer, max_cost=0.01)
    records = []
    with pytest.raises(Diverged) as stopped:
        trainer.train(net, training, generator(11, "shuffle"), training, on_epoch=records.append)
    cost = records[0]["training_cost"]
    why = f"the training cost {cost:.4g} is above max_cost 0.01"
    assert (stopped.value.epoch, stopped.value.why, stopped.value.eta) == (0, why, 0.5)
    assert str(stopped.value) == f"diverged at epoch 0: {why}" and stopped.value.folder is None
    assert len(records) == 1 and records[0]["stop"] == f"diverged: {why}"



# --- trainer.py: resuming, checkpoints, NumPy's warnings -----------------------------------------------------

def test_a_resumed_training_runs_only_the_epochs_after_its_state():
    """Checkpoints come after every epoch but the last (0 and 1 of 3); resumed from the one after epoch 0,
    a training runs epochs 1 and 2 only (on_epoch sees those), counts images on from 23 for its checks, and
    returns the whole history. Without momentum the state keeps no velocities."""
    training = data(23, 6, 3, seed=1)
    states, checks, full = [], [], compiled(training, LAYERS, "cross_entropy", L2, epochs=3, monitor_every=7)
    history = full[2].train(full[1], training, generator(11, "shuffle"), training, on_check=checks.append,
                            on_checkpoint=states.append)
    assert [(s.epochs, s.batches) for s in states] == [(1, 0), (2, 0)] and states[0].velocities == []
    _, net, trainer = compiled(training, LAYERS, "cross_entropy", L2, epochs=3, monitor_every=7)
    records, later = [], []
    again = trainer.train(net, training, generator(11, "shuffle"), training, on_epoch=records.append,
                          on_check=later.append, resume=states[0])
    assert [r["epoch"] for r in records] == [1, 2] and again == history
    assert later == checks[3:] and [c["images"] for c in later] == [28, 38, 43, 51, 56, 66]
    assert all(type(c["images"]) is int for c in later)
    assert_same_parameters((net.weights, net.biases), ReferenceNetwork(full[1].weights, full[1].biases,
                                                                       ["sigmoid"] * 2, "cross_entropy"), atol=0)


def test_a_training_that_overflows_shows_no_numpy_warning():
    """η = λ = 1e6 and m = 1 overflow the weights within the first epoch: the Trainer silences NumPy's warnings
    (divergence is reported by itself), so even with warnings as errors it trains or diverges."""
    training = data(23, 6, 3, seed=1)
    _, net, trainer = compiled(training, LAYERS, "cross_entropy", {"type": "l2", "lambda": 1e6}, eta=1e6, m=1,
                               epochs=2)  # w → (1 − ηλ/n) w: ×4e10 a step, past 1e308 within the first epoch
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            trainer.train(net, training, generator(11, "shuffle"), training)
        except Diverged:
            pass
    with np.errstate(over="warn"), pytest.warns(RuntimeWarning):
        np.exp(np.array([1e6]))  # outside the Trainer, the same overflow warns
