"""Full-network gradient check: backprop against central finite differences, for every activation x cost pair."""
import itertools

import numpy as np
import pytest

from specnet.training.compiler import compile_spec
from specnet.spec.load import spec_from_dict

OUTPUTS = [("quadratic", "sigmoid"), ("quadratic", "tanh"), ("quadratic", "linear"), ("quadratic", "relu"),
           ("cross_entropy", "sigmoid"), ("log_likelihood", "softmax")]
HIDDEN = ["sigmoid", "tanh", "relu", "linear"]


def make_net(hidden, output, cost, rng, n_in=3, n_out=2, m=5):
    x = rng.uniform(0, 1, size=(m, n_in))
    if output == "softmax":
        y = np.eye(n_out)[rng.integers(0, n_out, size=m)]
    else:
        y = rng.uniform(0.1, 0.9, size=(m, n_out))
    spec = spec_from_dict({
        "specnet": 1, "seed": 1,
        "data": {"source": {"type": "inline", "inputs": x.tolist(), "targets": y.tolist()}},
        "network": {"input": n_in, "layers": [{"size": 4, "activation": hidden}, {"size": 3, "activation": hidden},
                                              {"size": n_out, "activation": output}],
                    "init": "gaussian", "cost": cost, "dtype": "float64"}})
    return compile_spec(spec), x.T, y.T


def total_cost(net, x, y):
    return net.cost.fn(net.feedforward(x), y)


@pytest.mark.parametrize("hidden,output_cost", list(itertools.product(HIDDEN, OUTPUTS)))
def test_backprop_matches_finite_differences(hidden, output_cost):
    cost, output = output_cost
    net, x, y = make_net(hidden, output, cost, np.random.default_rng(42))
    nabla_b, nabla_w = net.backprop(x, y)
    eps = 1e-6
    for params, grads in ((net.weights, nabla_w), (net.biases, nabla_b)):
        for p, g in zip(params, grads):
            numeric = np.zeros_like(p)
            for idx in np.ndindex(p.shape):
                old = p[idx]
                p[idx] = old + eps
                up = total_cost(net, x, y)
                p[idx] = old - eps
                down = total_cost(net, x, y)
                p[idx] = old
                numeric[idx] = (up - down) / (2 * eps)
            np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-8)


def test_scale_multiplies_every_gradient(rng):
    net, x, y = make_net("tanh", "sigmoid", "cross_entropy", rng)
    b1, w1 = net.backprop(x, y)
    b2, w2 = net.backprop(x, y, scale=-0.25)
    for g1, g2 in zip(b1 + w1, b2 + w2):
        np.testing.assert_allclose(g2, -0.25 * g1, rtol=1e-14)
