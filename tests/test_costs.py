import numpy as np
import pytest

from specnet.components.activations import ACTIVATIONS
from specnet.components.costs import COSTS

PAIRS = [("quadratic", "sigmoid"), ("quadratic", "tanh"), ("quadratic", "linear"), ("quadratic", "relu"),
         ("cross_entropy", "sigmoid"), ("log_likelihood", "softmax")]


def test_every_cost_is_paired():
    assert {c for c, _ in PAIRS} == set(COSTS.names())


def test_quadratic_value():
    a, y = np.array([[0.8], [0.2]]), np.array([[1.0], [0.0]])
    assert COSTS.get("quadratic").fn(a, y) == pytest.approx(0.5 * (0.04 + 0.04))


def test_cross_entropy_sanity_values():  # R17
    ce = COSTS.get("cross_entropy")
    assert ce.fn(np.array([[0.00001]]), np.array([[0.0]])) == pytest.approx(1.00000500002878e-5, rel=1e-12)
    assert ce.fn(np.array([[0.99999]]), np.array([[1.0]])) == pytest.approx(1.00000500005137e-5, rel=1e-9)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["cross_entropy", "log_likelihood"])
def test_log_costs_are_finite_when_saturated(name, dtype):  # COST12
    a = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=dtype)
    y = np.array([[1.0, 1.0], [0.0, 0.0]], dtype=dtype)
    value = COSTS.get(name).fn(a, y)
    assert np.isfinite(value) and value > 10


def test_cross_entropy_is_binary_entropy_at_its_minimum():  # EX16
    y = np.array([[0.3]])
    expected = -(0.3 * np.log(0.3) + 0.7 * np.log(0.7))
    assert COSTS.get("cross_entropy").fn(y.copy(), y) == pytest.approx(expected)


def test_log_likelihood_is_minus_log_of_the_right_output():  # (80)
    a = np.array([[0.1], [0.7], [0.2]])
    y = np.array([[0.0], [1.0], [0.0]])
    assert COSTS.get("log_likelihood").fn(a, y) == pytest.approx(-np.log(0.7))


@pytest.mark.parametrize("cost_name,act_name", PAIRS)
def test_delta_is_the_derivative_of_the_cost_wrt_z(cost_name, act_name, rng):  # (BP1), (3.12), (81)
    cost, act, eps = COSTS.get(cost_name), ACTIVATIONS.get(act_name), 1e-6
    z = rng.normal(size=(3, 4))
    y = np.eye(3)[:, rng.integers(0, 3, size=4)] if act_name == "softmax" else rng.uniform(0.05, 0.95, (3, 4))
    numeric = np.zeros_like(z)
    for idx in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[idx] += eps
        zm[idx] -= eps
        numeric[idx] = (cost.fn(act.fn(zp), y) - cost.fn(act.fn(zm), y)) / (2 * eps)
    np.testing.assert_allclose(cost.delta(z, act.fn(z), y, act), numeric, rtol=1e-6, atol=1e-8)
