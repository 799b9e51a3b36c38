"""The matrix-form executor against the per-example reference in tests/reference.py (the book's loop)."""
import numpy as np
import pytest

from conftest import CASES
from reference import ReferenceNetwork
from specnet.training.compiler import compile_spec, compile_trainer
from specnet.training.executor import NumpyExecutor
from specnet.spec.load import spec_from_dict


def build(hidden, output, cost, regularization, mu, rng, n=40, n_in=6, n_out=3):
    x = rng.uniform(0, 1, size=(n, n_in))
    labels = rng.integers(0, n_out, size=n)
    y = np.eye(n_out)[labels]
    spec = spec_from_dict({
        "specnet": 1, "seed": 5,
        "data": {"source": {"type": "inline", "inputs": x.tolist(), "targets": y.tolist()}},
        "network": {"input": n_in, "layers": [{"size": 5, "activation": hidden},
                                              {"size": n_out, "activation": output}],
                    "init": "gaussian_scaled", "cost": cost, "dtype": "float64"},
        "training": {"epochs": 1, "mini_batch_size": 8, "optimizer": {"type": "sgd", "eta": 0.7, "mu": mu},
                     "regularization": regularization}})
    net = compile_spec(spec)
    ref = ReferenceNetwork(net.weights, net.biases, [hidden, output], cost)
    return net, ref, x, y, compile_trainer(spec).optimizer


def step(net, optimizer, x, y, n, eta=0.7):
    """One mini-batch step of the NumPy executor, as the Trainer takes it."""
    decay = (net.regularizer, n) if net.regularizer.lmbda else None
    NumpyExecutor(None).update_mini_batch(net, optimizer, x, y, eta, decay)


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(str(v) if not isinstance(v, dict) else v["type"] for v in c))
def test_mini_batch_updates_agree(case, rng):
    hidden, output, cost, regularization, mu = case
    net, ref, x, y, opt = build(*case, rng)
    reg = regularization if isinstance(regularization, str) else regularization["type"]
    lmbda = 0.0 if isinstance(regularization, str) else regularization["lambda"]
    opt.start(net.weights + net.biases)
    for k in range(0, 24, 8):  # three mini-batches, so momentum's velocity carries over
        xb, yb = x[k:k + 8], y[k:k + 8]
        step(net, opt, xb.T, yb.T, len(x))
        ref.update_mini_batch([(xi.reshape(-1, 1), yi.reshape(-1, 1)) for xi, yi in zip(xb, yb)],
                              eta=0.7, n=len(x), regularization=reg, lmbda=lmbda, mu=mu)
    for mine, theirs in zip(net.weights + net.biases, ref.weights + ref.biases):
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-10)


def test_feedforward_agrees_column_by_column(rng):
    net, ref, x, _, _ = build("tanh", "sigmoid", "quadratic", "none", 0.0, rng)
    batch = net.feedforward(x.T)
    for i, xi in enumerate(x):
        np.testing.assert_allclose(batch[:, [i]], ref.feedforward(xi.reshape(-1, 1)), atol=1e-14)


def test_float32_follows_float64(rng):
    net, _, x, y, opt = build("sigmoid", "sigmoid", "cross_entropy", "none", 0.0, rng)
    net32 = type(net)(net.sizes, net.activations, net.cost, [w.astype(np.float32) for w in net.weights],
                      [b.astype(np.float32) for b in net.biases], net.regularizer, net.dropout)
    opt.start(net.weights + net.biases)
    step(net, opt, x.T, y.T, len(x))
    step(net32, opt, x.T.astype(np.float32), y.T.astype(np.float32), len(x))
    assert net32.weights[0].dtype == np.float32
    np.testing.assert_allclose(net32.weights[0], net.weights[0], atol=1e-5)
