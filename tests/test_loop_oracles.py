"""The training loop both executors share, and a few edge cases, against oracles independent of specnet.

The loop (Executor._train: shuffling, mini-batches, n, schedules, early stopping, the metrics of each
epoch) is driven here as a spec drives it, and checked against the per-example reference of
tests/reference.py fed the same mini-batches: the orders come from the spec's "shuffle" stream, a fresh
permutation of the n examples every epoch. Every metric is recomputed from the reference's weights with
the book's formulas: C = (1/N) Σ_x C_x + (λ/2n) Σ w² (L2, 85) or + (λ/n) Σ |w| (L1, 95), n the size of
the training set whatever the size N of the data evaluated.

The other tests pin values computed by hand (softmax of large z, sgn(0) = 0, the 0.5 threshold of a single
output, a rotation by 90 degrees, the line of a list item in a spec).
"""
import numpy as np
import pytest

from reference import ReferenceNetwork
from specnet.compiler import compile_recipe, compile_spec, generator
from specnet.datasets import Dataset, labels_of
from specnet.spec import spec_from_dict

EXECUTORS = ["numpy", pytest.param("numba", marks=pytest.mark.skipif(
    __import__("importlib").util.find_spec("numba") is None, reason="numba is not installed"))]


def data(n, n_in, n_out, seed):
    """A small classification table: inputs in [0, 1] (some exactly 0, as in MNIST), one-hot targets."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, size=(n, n_in)) * (rng.uniform(0, 1, size=(n, n_in)) < 0.7)
    labels = rng.integers(0, n_out, size=n)
    return Dataset(x, np.eye(n_out)[labels], labels)


def compiled(training, layers, cost, regularization="none", mu=0.0, eta=0.5, m=5, epochs=2, executor="numpy",
             **more):
    """The executor and the Recipe of a spec over `training` (float64, weights from the spec's seed)."""
    d = {"specnet": 1, "seed": 11,
         "data": {"source": {"type": "inline", "inputs": training.x.tolist(), "targets": training.y.tolist()}},
         "network": {"input": training.x.shape[1], "layers": [{"size": k, "activation": a} for k, a in layers],
                     "init": "gaussian_scaled", "cost": cost, "dtype": "float64"},
         "training": {"epochs": epochs, "mini_batch_size": m, "executor": executor,
                      "optimizer": {"type": "sgd", "eta": eta, "mu": mu}, "regularization": regularization,
                      "monitor": ["training_cost", "training_accuracy", "evaluation_cost", "evaluation_accuracy"],
                      **more}}
    spec = spec_from_dict(d)
    return spec, compile_spec(spec), compile_recipe(spec)


def reference_of(net, layers, cost):
    return ReferenceNetwork([w.copy() for w in net.weights], [b.copy() for b in net.biases],
                            [a for _, a in layers], cost)


def reg_of(regularization):
    return ("none", 0.0) if isinstance(regularization, str) else (regularization["type"], regularization["lambda"])


def reference_cost(ref, data, n, regularization):
    """C = (1/N) Σ_x C_x + the regularization term with the training set's n (85, 95)."""
    kind, lmbda = reg_of(regularization)
    c0 = sum(ref.cost_of(x.reshape(-1, 1), y.reshape(-1, 1)) for x, y in zip(data.x, data.y)) / len(data)
    if kind == "l2":
        return c0 + lmbda / (2 * n) * sum(float(np.sum(w * w)) for w in ref.weights)
    if kind == "l1":
        return c0 + lmbda / n * sum(float(np.sum(np.abs(w))) for w in ref.weights)
    return c0


def reference_correct(ref, data):
    outputs = [ref.feedforward(x.reshape(-1, 1)) for x in data.x]
    predicted = [int(a[0, 0] >= 0.5) if len(a) == 1 else int(np.argmax(a)) for a in outputs]
    return sum(p == label for p, label in zip(predicted, data.labels))


def reference_epoch(ref, training, order, m, eta, regularization, mu):
    """One epoch of the book's loop: the mini-batches of m examples in `order`, the last one shorter."""
    kind, lmbda = reg_of(regularization)
    n = len(training)
    for k in range(0, n, m):
        batch = [(training.x[i].reshape(-1, 1), training.y[i].reshape(-1, 1)) for i in order[k:k + m]]
        ref.update_mini_batch(batch, eta=eta, n=n, regularization=kind, lmbda=lmbda, mu=mu)


def snapshots(net):
    """An on_epoch callback that keeps a copy of the parameters after every epoch, and the records."""
    kept = []

    def on_epoch(record):
        kept.append(([w.copy() for w in net.weights], [b.copy() for b in net.biases], record))
    return kept, on_epoch


def assert_same_parameters(net_params, ref, atol=1e-10):
    weights, biases = net_params
    for mine, theirs in zip(list(weights) + list(biases), ref.weights + ref.biases):
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=atol)


# (layers, cost, regularization, mu): regularized costs, both regularizers, momentum across epochs
LOOPS = [
    ([(4, "sigmoid"), (3, "sigmoid")], "cross_entropy", {"type": "l2", "lambda": 4.0}, 0.0),
    ([(4, "tanh"), (3, "sigmoid")], "quadratic", {"type": "l1", "lambda": 3.0}, 0.0),
    ([(5, "relu"), (3, "softmax")], "log_likelihood", {"type": "l2", "lambda": 2.0}, 0.6),
]


@pytest.mark.parametrize("executor", EXECUTORS)
@pytest.mark.parametrize("case", LOOPS, ids=["sigmoid-l2", "tanh-l1", "softmax-l2-momentum"])
def test_two_epochs_of_the_loop_follow_the_reference(case, executor):
    """Kills: one shuffle order for every epoch (c); the L2/L1 term of a cost divided by the evaluated
    set's size (b); and any change to n, the short last mini-batch, the schedule's η or the metrics."""
    layers, cost, regularization, mu = case
    training, evaluation = data(23, 6, 3, seed=1), data(9, 6, 3, seed=2)  # 4 mini-batches of 5, then one of 3
    _, net, recipe = compiled(training, layers, cost, regularization, mu, eta=0.5, m=5, epochs=3,
                              executor=executor, schedule={"type": "steps", "at": [1, 2], "etas": [0.3, 0.1]})
    ref = reference_of(net, layers, cost)
    kept, on_epoch = snapshots(net)
    history = net.train(training, recipe, generator(11, "shuffle"), evaluation, on_epoch=on_epoch)

    shuffle = generator(11, "shuffle")  # the spec's stream: a fresh permutation of the n examples each epoch
    assert len(history) == 3
    for epoch, eta in enumerate([0.5, 0.3, 0.1]):
        order = shuffle.permutation(len(training))
        reference_epoch(ref, training, order, 5, eta, regularization, mu)
        weights, biases, record = kept[epoch]
        assert_same_parameters((weights, biases), ref)
        assert record["eta"] == eta
        assert record["training_cost"] == pytest.approx(reference_cost(ref, training, 23, regularization), abs=1e-10)
        assert record["evaluation_cost"] == pytest.approx(reference_cost(ref, evaluation, 23, regularization),
                                                          abs=1e-10)
        assert record["training_correct"] == reference_correct(ref, training)
        assert record["evaluation_correct"] == reference_correct(ref, evaluation)
        assert (record["evaluation_total"], record["training_total"]) == (9, 23)


def test_the_orders_of_two_epochs_differ():
    """A property of the book's SGD: every epoch reshuffles, so (with this seed) the epochs see other
    mini-batches; a loop that repeats epoch 0's order ends elsewhere than the reference (c)."""
    training = data(23, 6, 3, seed=1)
    layers = [(4, "sigmoid"), (3, "sigmoid")]
    _, net, recipe = compiled(training, layers, "cross_entropy", epochs=2)
    ref, repeated = reference_of(net, layers, "cross_entropy"), reference_of(net, layers, "cross_entropy")
    net.train(training, recipe, generator(11, "shuffle"), training)
    shuffle = generator(11, "shuffle")
    first, second = shuffle.permutation(23), shuffle.permutation(23)
    assert first.tolist() != second.tolist()
    for order in (first, second):
        reference_epoch(ref, training, order, 5, 0.5, "none", 0.0)
    for _ in range(2):
        reference_epoch(repeated, training, first, 5, 0.5, "none", 0.0)
    assert_same_parameters((net.weights, net.biases), ref)
    assert not np.allclose(repeated.weights[0], ref.weights[0], rtol=0, atol=1e-6)  # the test can tell them apart


@pytest.mark.parametrize("regularization", [{"type": "l2", "lambda": 5.0}, {"type": "l1", "lambda": 5.0}])
def test_the_regularization_term_of_a_cost_uses_the_training_sets_n(regularization):
    """total_cost on 7 examples of a net trained on 40: the term is (λ/2n) Σ w² or (λ/n) Σ |w| with n = 40,
    hand-computed from the weights (b)."""
    training, evaluation = data(40, 6, 3, seed=3), data(7, 6, 3, seed=4)
    layers = [(4, "sigmoid"), (3, "sigmoid")]
    _, net, _ = compiled(training, layers, "cross_entropy", regularization)
    ref = reference_of(net, layers, "cross_entropy")
    expected = reference_cost(ref, evaluation, 40, regularization)
    assert net.total_cost(evaluation, 40) == pytest.approx(expected, abs=1e-12)
    assert net.measure(("evaluation_cost",), None, evaluation, 40)["evaluation_cost"] == pytest.approx(expected,
                                                                                                      abs=1e-12)
    wrong = reference_cost(ref, evaluation, 7, regularization)
    assert abs(expected - wrong) > 1e-3  # the two readings of n give costs the test tells apart


def early_stopping_case(executor, epochs, patience):
    """A net whose evaluation cost falls, then rises: it is trained on targets that an evaluation set of the
    same inputs contradicts for some examples."""
    training = data(20, 5, 2, seed=6)
    flipped = training.y.copy()
    flipped[:12] = flipped[:12, ::-1]
    evaluation = Dataset(training.x, flipped, flipped.argmax(axis=1))
    layers = [(6, "sigmoid"), (2, "sigmoid")]
    _, net, recipe = compiled(training, layers, "cross_entropy", eta=1.5, m=4, epochs=epochs, executor=executor,
                              early_stopping={"metric": "evaluation_cost", "patience": patience,
                                              "restore_best": True})
    return training, evaluation, layers, net, recipe


def reference_run(training, evaluation, layers, net0, epochs, patience, m=4, eta=1.5):
    """The reference trained epoch by epoch with the spec's orders: its parameters and evaluation cost after
    each epoch, up to the epoch where no improvement in `patience` epochs stops it."""
    ref = reference_of(net0, layers, "cross_entropy")
    shuffle = generator(11, "shuffle")
    params, costs = [], []
    for epoch in range(epochs):
        reference_epoch(ref, training, shuffle.permutation(len(training)), m, eta, "none", 0.0)
        params.append(([w.copy() for w in ref.weights], [b.copy() for b in ref.biases]))
        costs.append(reference_cost(ref, evaluation, len(training), "none"))
        if epoch - int(np.argmin(costs)) >= patience:
            break
    return params, costs


@pytest.mark.parametrize("executor", EXECUTORS)
@pytest.mark.parametrize("epochs, patience", [(12, 3), (6, 50)], ids=["stopped-by-patience", "ran-to-the-end"])
def test_restore_best_puts_back_the_reference_parameters_of_the_best_epoch(executor, epochs, patience):
    """Early stopping with restore_best: at the end (whether the patience ran out or the epochs did) the
    parameters are the reference's after the epoch of lowest evaluation cost, not the last epoch's (a)."""
    training, evaluation, layers, net, recipe = early_stopping_case(executor, epochs, patience)
    params, costs = reference_run(training, evaluation, layers, net, epochs, patience)
    best = int(np.argmin(costs))
    assert 0 < best < len(costs) - 1, costs  # the case is one where the best is neither the first nor the last
    history = net.train(training, recipe, generator(11, "shuffle"), evaluation)
    assert len(history) == len(costs)
    assert [r["evaluation_cost"] for r in history] == pytest.approx(costs, abs=1e-10)
    assert history[-1]["restored_epoch"] == best
    assert ("stop" in history[-1]) == (len(costs) < epochs)
    assert_same_parameters(params[best], ReferenceNetwork(net.weights, net.biases, ["sigmoid"] * 2, "cross_entropy"))


@pytest.mark.parametrize("executor", EXECUTORS)
def test_l1_leaves_a_zero_weight_to_its_gradient(executor):
    """sgn(0) = 0 (96): a weight at exactly 0 gets the plain update, no L1 push; the reference uses
    np.sign, whose sign of 0 is 0 (e)."""
    training = data(23, 6, 3, seed=1)
    training.x[:, 2] = 0.0  # input 2 is never lit: the weights it feeds have no gradient
    layers = [(4, "sigmoid"), (3, "sigmoid")]
    regularization = {"type": "l1", "lambda": 5.0}
    _, net, recipe = compiled(training, layers, "cross_entropy", regularization, epochs=1, executor=executor)
    net.weights[0][:, 2] = 0.0  # zero, and zero gradient: must stay exactly 0
    net.weights[0][1, 0] = 0.0  # zero, with a gradient: moves by the gradient alone on the first step
    net.weights[1][2, 3] = 0.0
    ref = reference_of(net, layers, "cross_entropy")
    net.train(training, recipe, generator(11, "shuffle"), training)
    reference_epoch(ref, training, generator(11, "shuffle").permutation(23), 5, 0.5, regularization, 0.0)
    assert_same_parameters((net.weights, net.biases), ref)
    assert np.all(net.weights[0][:, 2] == 0.0)
