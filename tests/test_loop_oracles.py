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

from conftest import NUMBA_WIDE

from reference import ReferenceNetwork
from specnet.training.compiler import compile_trainer, compile_spec, generator
from specnet.datasets.dataset import Dataset, labels_of
from specnet.spec.load import spec_from_dict

EXECUTORS = ["numpy", pytest.param("numba", marks=pytest.mark.skipif(
    __import__("importlib").util.find_spec("numba") is None, reason="numba is not installed"))]


def data(n, n_in, n_out, seed):
    """A small classification table: inputs in [0, 1] (some exactly 0, as in MNIST), one-hot targets."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, size=(n, n_in)) * (rng.uniform(0, 1, size=(n, n_in)) < 0.7)
    labels = rng.integers(0, n_out, size=n)
    return Dataset(x, np.eye(n_out)[labels], labels)


def compiled(training, layers, cost, regularization="none", mu=0.0, eta=0.5, m=5, epochs=2, executor="numpy",
             nesterov=False, **more):
    """The Network and the Trainer of a spec over `training` (float64, weights from the spec's seed)."""
    d = {"specnet": 1, "seed": 11,
         "data": {"source": {"type": "inline", "inputs": training.x.tolist(), "targets": training.y.tolist()}},
         "network": {"input": training.x.shape[1], "layers": [{"size": k, "activation": a} for k, a in layers],
                     "init": "gaussian_scaled", "cost": cost, "dtype": "float64"},
         "training": {"epochs": epochs, "mini_batch_size": m, "executor": executor.removesuffix("-wide"),
                      "optimizer": {"type": "sgd", "eta": eta, "mu": mu, "nesterov": nesterov}, "regularization": regularization,
                      "monitor": ["training_cost", "training_accuracy", "evaluation_cost", "evaluation_accuracy"],
                      **more}}
    spec = spec_from_dict(d)
    return spec, compile_spec(spec), compile_trainer(spec)


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


@pytest.mark.parametrize("executor", [*EXECUTORS, NUMBA_WIDE])
@pytest.mark.parametrize("case", LOOPS, ids=["sigmoid-l2", "tanh-l1", "softmax-l2-momentum"])
def test_two_epochs_of_the_loop_follow_the_reference(case, executor):
    """Kills: one shuffle order for every epoch (c); the L2/L1 term of a cost divided by the evaluated
    set's size (b); and any change to n, the short last mini-batch, the schedule's η or the metrics."""
    layers, cost, regularization, mu = case
    training, evaluation = data(23, 6, 3, seed=1), data(9, 6, 3, seed=2)  # 4 mini-batches of 5, then one of 3
    _, net, trainer = compiled(training, layers, cost, regularization, mu, eta=0.5, m=5, epochs=3,
                              executor=executor, schedule={"type": "steps", "at": [1, 2], "etas": [0.3, 0.1]})
    ref = reference_of(net, layers, cost)
    kept, on_epoch = snapshots(net)
    history = trainer.train(net, training, generator(11, "shuffle"), evaluation, on_epoch=on_epoch)

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
    _, net, trainer = compiled(training, layers, "cross_entropy", epochs=2)
    ref, repeated = reference_of(net, layers, "cross_entropy"), reference_of(net, layers, "cross_entropy")
    trainer.train(net, training, generator(11, "shuffle"), training)
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
    _, net, trainer = compiled(training, layers, "cross_entropy", eta=1.5, m=4, epochs=epochs, executor=executor,
                              early_stopping={"metric": "evaluation_cost", "patience": patience,
                                              "restore_best": True})
    return training, evaluation, layers, net, trainer


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


@pytest.mark.parametrize("executor", [*EXECUTORS, NUMBA_WIDE])
@pytest.mark.parametrize("epochs, patience", [(12, 3), (6, 50)], ids=["stopped-by-patience", "ran-to-the-end"])
def test_restore_best_puts_back_the_reference_parameters_of_the_best_epoch(executor, epochs, patience):
    """Early stopping with restore_best: at the end (whether the patience ran out or the epochs did) the
    parameters are the reference's after the epoch of lowest evaluation cost, not the last epoch's (a)."""
    training, evaluation, layers, net, trainer = early_stopping_case(executor, epochs, patience)
    params, costs = reference_run(training, evaluation, layers, net, epochs, patience)
    best = int(np.argmin(costs))
    assert 0 < best < len(costs) - 1, costs  # the case is one where the best is neither the first nor the last
    history = trainer.train(net, training, generator(11, "shuffle"), evaluation)
    assert len(history) == len(costs)
    assert [r["evaluation_cost"] for r in history] == pytest.approx(costs, abs=1e-10)
    assert history[-1]["restored_epoch"] == best
    assert ("stop" in history[-1]) == (len(costs) < epochs)
    assert_same_parameters(params[best], ReferenceNetwork(net.weights, net.biases, ["sigmoid"] * 2, "cross_entropy"))


@pytest.mark.parametrize("executor", [*EXECUTORS, NUMBA_WIDE])
def test_l1_leaves_a_zero_weight_to_its_gradient(executor):
    """sgn(0) = 0 (96): a weight at exactly 0 gets the plain update, no L1 push; the reference uses
    np.sign, whose sign of 0 is 0 (e)."""
    training = data(23, 6, 3, seed=1)
    training.x[:, 2] = 0.0  # input 2 is never lit: the weights it feeds have no gradient
    layers = [(4, "sigmoid"), (3, "sigmoid")]
    regularization = {"type": "l1", "lambda": 5.0}
    _, net, trainer = compiled(training, layers, "cross_entropy", regularization, epochs=1, executor=executor)
    net.weights[0][:, 2] = 0.0  # zero, and zero gradient: must stay exactly 0
    net.weights[0][1, 0] = 0.0  # zero, with a gradient: moves by the gradient alone on the first step
    net.weights[1][2, 3] = 0.0
    ref = reference_of(net, layers, "cross_entropy")
    trainer.train(net, training, generator(11, "shuffle"), training)
    reference_epoch(ref, training, generator(11, "shuffle").permutation(23), 5, 0.5, regularization, 0.0)
    assert_same_parameters((net.weights, net.biases), ref)
    assert np.all(net.weights[0][:, 2] == 0.0)


# --- edge cases against hand-computed values ------------------------------------------------------------------

LARGE_Z = np.array([[1000.0, -1000.0], [999.0, -1001.0], [0.0, -3000.0]])  # two columns (examples)
# softmax is unchanged by subtracting a constant (78): e^{z - 1000} = (1, e^-1, e^-1000), and likewise
# for the second column with e^{z + 1000}; e^-1000 is 0 in float64.
SOFTMAX_OF_LARGE_Z = np.array([[1 / (1 + np.exp(-1.0)), 1 / (1 + np.exp(-1.0))],
                               [np.exp(-1.0) / (1 + np.exp(-1.0)), np.exp(-1.0) / (1 + np.exp(-1.0))],
                               [0.0, 0.0]])


def test_softmax_of_large_inputs_is_finite_and_exact():
    """Kills a softmax that overflows (e^1000 = inf, inf/inf = nan) in the NumPy activation (d)."""
    from specnet.components.activations import ACTIVATIONS
    softmax = ACTIVATIONS.get("softmax")
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow, not even a warning
        np.testing.assert_allclose(softmax.fn(LARGE_Z.copy()), SOFTMAX_OF_LARGE_Z, rtol=1e-15, atol=1e-300)
        out = np.empty_like(LARGE_Z)
        softmax.fn(LARGE_Z.copy(), out=out)  # the executor's form, writing into its workspace
    np.testing.assert_allclose(out, SOFTMAX_OF_LARGE_Z, rtol=1e-15, atol=1e-300)


def test_softmax_of_large_inputs_in_the_compiled_loops():
    """The same values from the numba kernel's softmax, one example at a time (d)."""
    compiled = pytest.importorskip("specnet.training.compiled")
    pytest.importorskip("numba")
    for column in range(LARGE_Z.shape[1]):
        a = np.empty(3)
        compiled._activate(compiled.ACTIVATIONS["softmax"], LARGE_Z[:, column].copy(), a)
        np.testing.assert_allclose(a, SOFTMAX_OF_LARGE_Z[:, column], rtol=1e-15, atol=1e-300)


def test_a_softmax_network_with_large_inputs_trains_as_the_reference():
    """End to end: inputs of 1e3 saturate the softmax; one epoch of the loop matches the reference, whose
    softmax subtracts the maximum (d)."""
    training = data(12, 4, 3, seed=8)
    training.x *= 1e3
    layers = [(3, "softmax")]
    _, net, trainer = compiled(training, layers, "log_likelihood", eta=0.01, m=4, epochs=1)
    ref = reference_of(net, layers, "log_likelihood")
    history = trainer.train(net, training, generator(11, "shuffle"), training)
    reference_epoch(ref, training, generator(11, "shuffle").permutation(12), 4, 0.01, "none", 0.0)
    assert_same_parameters((net.weights, net.biases), ref, atol=1e-9)
    assert np.isfinite(history[0]["training_cost"])


def test_a_single_output_of_exactly_one_half_is_class_1():
    """One sigmoid output counts as class 1 when a >= 0.5 (ch. 1): for targets (labels_of) and for the
    network's outputs (evaluate); hand-made values on both sides of 0.5 and at it (f)."""
    targets = np.array([[0.5], [0.4999], [0.5001], [0.0], [1.0]])
    assert labels_of(targets).tolist() == [1, 0, 1, 0, 1]
    layers = [(1, "sigmoid")]
    tiny = Dataset(np.zeros((5, 2)), targets, np.array([1, 0, 1, 0, 1]))
    _, net, _ = compiled(tiny, layers, "cross_entropy")
    assert net.evaluate(tiny, outputs=targets.copy()) == 5
    assert net.evaluate(Dataset(np.zeros((2, 2)), np.zeros((2, 1)), np.array([1, 0])),
                        outputs=np.array([[0.5], [0.5]])) == 1


def test_a_single_output_spec_with_targets_of_one_half():
    """The labels of an inline table with one output: 0.5 is class 1, so a net whose output is exactly 0.5
    (all weights and biases 0: σ(0) = 1/2) predicts class 1 for every example: 3 of 4 right (f)."""
    training = Dataset(np.zeros((4, 2)), np.array([[0.5], [1.0], [0.6], [0.2]]), None)
    spec, net, _ = compiled(training, [(1, "sigmoid")], "cross_entropy")
    from specnet.datasets.dataset import load_datasets
    loaded = load_datasets(spec, {"training": spec.data.training})["training"]
    assert loaded.labels.tolist() == [1, 1, 1, 0]
    net.weights[0][...] = 0.0
    net.biases[0][...] = 0.0
    assert net.feedforward(np.zeros((2, 1)))[0, 0] == 0.5
    assert net.measure(("training_accuracy",), loaded, None, 4)["training_correct"] == 3


class Extreme:
    """A stand-in Generator whose uniform(low, high, size) draws `high` every time: the largest rotation,
    zoom and shift the Expansion allows, so that its result can be computed by hand."""

    def uniform(self, low, high, size):
        return np.full(size, float(high))


def test_a_rotation_by_90_degrees_turns_an_edge_pixel_a_quarter_turn():
    """rotate is in degrees: rotate=90 moves the middle of the top edge of a 3x3 image, exactly, to the
    middle of a side edge (a rotation about the centre pixel by a quarter turn maps grid points to grid
    points, so bilinear resampling is exact) (g)."""
    from specnet.datasets.expand import Expansion
    image = np.zeros((1, 9))
    image[0, 1] = 1.0  # row 0, column 1
    turned = Expansion(1, 90, 0, 0, False)(image, Extreme()).reshape(3, 3)
    sides = {(1, 0), (1, 2)}
    lit = {(int(r), int(c)) for r, c in np.argwhere(turned > 1e-12)}
    assert len(lit) == 1 and lit <= sides, turned
    assert turned[lit.pop()] == pytest.approx(1.0, abs=1e-12)
    # 180 degrees: the pixel goes to the middle of the bottom edge
    half = Expansion(1, 180, 0, 0, False)(image, Extreme()).reshape(3, 3)
    expected = np.zeros((3, 3))
    expected[2, 1] = 1.0
    np.testing.assert_allclose(half, expected, rtol=0, atol=1e-12)


def test_a_rotation_of_at_most_one_degree_barely_moves_a_smooth_image():
    """With the real generator: a rotation by at most 1 degree moves a point at distance r from the centre
    by at most r·π/180 (< 0.2 pixel on a 28x28 image), so a smooth image changes little; 1 radian (57
    degrees) would change it a lot (g)."""
    from specnet.datasets.expand import Expansion
    side = 28
    r, c = np.divmod(np.arange(side * side), side)
    image = np.exp(-((r - 13.5) ** 2 + (c - 8.0) ** 2) / 30.0)[None, :]  # a blob off the centre
    copies = Expansion(copies=20, rotate=1.0, shift=0, scale=0, per_epoch=False)(np.repeat(image, 5, axis=0), np.random.default_rng(0))
    # the blob's gradient is at most 0.25 per pixel, so a move of 0.2 pixel changes a pixel by < 0.05
    assert np.max(np.abs(copies - image)) < 0.05


def test_the_line_of_each_list_item_is_its_own():
    """Each item of a list is reported at its own line: `- {size: 30}` on line N at line N, a block
    mapping item at the line of its first key, scalars at theirs (h)."""
    from specnet.spec.document import parse_yaml
    text = ("specnet: 1\n"                                  # 1
            "network:\n"                                    # 2
            "  layers:\n"                                   # 3
            "    - {size: 3, activation: sigmoid}\n"        # 4
            "    - {size: 30}\n"                            # 5
            "    - size: 1\n"                               # 6
            "      activation: sigmoid\n"                   # 7
            "training:\n"                                   # 8
            "  monitor:\n"                                  # 9
            "    - evaluation_accuracy\n"                   # 10
            "    - training_cost\n"                         # 11
            "  schedule: {type: steps, at: [1, 2],\n"       # 12
            "             etas: [0.1,\n"                    # 13
            "                    0.01]}\n")                 # 14
    doc = parse_yaml(text, "x.yaml")
    expected = {("network", "layers", 0): 4, ("network", "layers", 1): 5, ("network", "layers", 2): 6,
                ("network", "layers", 2, "activation"): 7, ("training", "monitor", 0): 10,
                ("training", "monitor", 1): 11, ("training", "schedule", "at", 1): 12,
                ("training", "schedule", "etas", 0): 13, ("training", "schedule", "etas", 1): 14}
    assert {path: doc.where(path)[1] for path in expected} == expected


def test_a_problem_with_a_list_item_names_its_line(write_spec):
    """The error message of a layer missing its activation points at the layer's own line (h)."""
    from specnet.errors import SpecError
    from specnet.spec.load import load_spec
    path = write_spec("""
        specnet: 1
        data: {source: {type: inline, inputs: [[0, 0], [1, 1]], targets: [[1], [0]]}}
        network:
          input: 2
          layers:
            - {size: 3, activation: sigmoid}
            - {size: 30}
            - size: 1
              activation: sigmoid
          cost: quadratic
        """)
    with pytest.raises(SpecError) as caught:
        load_spec(path, [])
    assert str(caught.value).startswith(f"{path}:7: network.layers[1]: missing required key 'activation'")
