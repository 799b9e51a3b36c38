"""The maths against hand-computed values and its documented contracts: the tests that kill the mutants
which survived the first mutation run (bench/mutation.md).

The `out` contract of activations.py and costs.py: given `out`, a function writes its result into that
array and returns it (the executor reuses its arrays from one mini-batch to the next); without it, it
returns a new array of z's dtype, so float32 stays float32.
"""
import math
import warnings

import numpy as np
import pytest

from specnet.components.activations import ACTIVATIONS
from specnet.components.costs import COSTS
from specnet.components.initializers import INITIALIZERS
from specnet.components.metrics import best, better, epochs_since_best, final
from specnet.components.regularizers import REGULARIZERS

FORWARD = ["sigmoid", "tanh", "relu", "linear", "softmax", "perceptron"]
BACKWARD = ["sigmoid", "tanh", "relu", "linear"]
PAIRS = [("quadratic", "sigmoid"), ("quadratic", "tanh"), ("quadratic", "relu"), ("quadratic", "linear"),
         ("cross_entropy", "sigmoid"), ("log_likelihood", "softmax")]
DTYPES = [np.float32, np.float64]


def batch(dtype):
    """Two neurons by three examples, with a z of exactly 0 (ReLU's kink, the perceptron's threshold)."""
    return np.array([[-2.0, 0.0, 0.5], [1.0, -0.5, 3.0]], dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", FORWARD)
def test_fn_writes_into_out_returns_it_and_keeps_the_dtype(name, dtype):
    fn, z = ACTIVATIONS.get(name).fn, batch(dtype)
    fresh = fn(z)
    assert fresh.dtype == dtype and fresh is not z
    np.testing.assert_array_equal(z, batch(dtype))  # z itself is left alone
    out = np.full_like(z, np.nan)
    assert fn(z, out=out) is out
    np.testing.assert_array_equal(out, fresh)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", BACKWARD)
def test_prime_writes_into_out_returns_it_and_keeps_the_dtype(name, dtype):
    act, z = ACTIVATIONS.get(name), batch(dtype)
    a = act.fn(z)
    fresh = act.prime(z, a)
    assert fresh.dtype == dtype
    out = np.full_like(z, np.nan)
    assert act.prime(z, a, out=out) is out
    np.testing.assert_array_equal(out, fresh)


def test_primes_at_hand_computed_points():
    z = np.array([0.0, math.log(3.0)])  # σ(ln 3) = 3/4
    sigmoid, tanh = ACTIVATIONS.get("sigmoid"), ACTIVATIONS.get("tanh")
    np.testing.assert_allclose(sigmoid.prime(z, sigmoid.fn(z)), [0.25, 3 / 16], rtol=1e-12)  # σ(1 − σ)
    z = np.array([0.0, math.atanh(0.5)])
    np.testing.assert_allclose(tanh.prime(z, tanh.fn(z)), [1.0, 0.75], rtol=1e-12)           # 1 − tanh²
    relu = ACTIVATIONS.get("relu")
    z = np.array([-1.0, 0.0, 1e-12, 2.0])
    assert relu.prime(z, relu.fn(z)).tolist() == [0.0, 0.0, 1.0, 1.0]  # ReLU'(0) = 0, and float, not bool


def test_softmax_normalises_each_column_by_its_own_maximum():
    # Columns 2,000 apart: shifting by one maximum for the whole batch would give e^−2000 = 0 and 0/0 in the
    # second column. Each is softmax(1, 0) = (e/(e + 1), 1/(e + 1)), whatever the shift.
    z = np.array([[1000.0, -1000.0], [999.0, -1001.0]])
    with np.errstate(all="raise"):
        a = ACTIVATIONS.get("softmax").fn(z)
    expected = [math.e / (math.e + 1), 1 / (math.e + 1)]
    np.testing.assert_allclose(a, np.array([expected, expected]).T, rtol=1e-12)


def test_the_untrainable_primes_say_why():
    with pytest.raises(NotImplementedError, match=r"^softmax has no elementwise derivative; its δ\^L comes from "
                                                  r"the log-likelihood cost \(81\)$"):
        ACTIVATIONS.get("softmax").prime(np.zeros((2, 1)), np.full((2, 1), 0.5))
    with pytest.raises(NotImplementedError, match="^a perceptron cannot be trained by gradient descent: its step "
                                                  "has derivative 0$"):
        ACTIVATIONS.get("perceptron").prime(np.zeros((1, 1)), np.zeros((1, 1)))


@pytest.mark.parametrize("cost_name, act_name", PAIRS)
def test_delta_writes_into_out_and_returns_it(cost_name, act_name, rng):
    cost, act = COSTS.get(cost_name), ACTIVATIONS.get(act_name)
    z = rng.normal(size=(3, 4))
    a, y = act.fn(z), np.eye(3)[:, [0, 2, 1, 2]]
    fresh = cost.delta(z, a, y, act)
    out, scratch = np.full_like(z, np.nan), np.full_like(z, np.nan)
    assert cost.delta(z, a, y, act, out=out, scratch=scratch) is out
    np.testing.assert_array_equal(out, fresh)
    np.testing.assert_array_equal(a, act.fn(z))  # a is read, never written


@pytest.mark.parametrize("act_name", ["sigmoid", "tanh", "relu", "linear"])
def test_quadratic_delta_leaves_sigma_prime_in_scratch(act_name, rng):  # BP1: (a − y) ⊙ σ'(z)
    act = ACTIVATIONS.get(act_name)
    z = rng.normal(size=(2, 3))
    a, y = act.fn(z), rng.uniform(size=(2, 3))
    scratch = np.full_like(z, np.nan)
    delta = COSTS.get("quadratic").delta(z, a, y, act, scratch=scratch)
    np.testing.assert_array_equal(scratch, act.prime(z, a))
    np.testing.assert_allclose(delta, (a - y) * scratch, rtol=1e-15)


def test_cross_entropy_and_log_likelihood_delta_is_a_minus_y():  # (3.12), (81): σ'(z) cancels
    a, y = np.array([[0.8], [0.2]]), np.array([[1.0], [0.0]])
    for name, act in (("cross_entropy", "sigmoid"), ("log_likelihood", "softmax")):
        np.testing.assert_allclose(COSTS.get(name).delta(None, a, y, ACTIVATIONS.get(act)), [[-0.2], [0.2]])


@pytest.mark.parametrize("dtype, bits", [(np.float32, 23), (np.float64, 52)])
def test_a_saturated_output_is_clipped_at_its_own_dtype_epsilon(dtype, bits):  # COST12
    # Wrong by the whole range, each log term is −ln ε = bits·ln 2, ε = 2^−bits the dtype's machine epsilon.
    a, y = np.array([[0.0], [1.0]], dtype=dtype), np.array([[1.0], [0.0]], dtype=dtype)
    assert COSTS.get("cross_entropy").fn(a, y) == pytest.approx(2 * bits * math.log(2), rel=1e-5)
    assert COSTS.get("log_likelihood").fn(a, y) == pytest.approx(bits * math.log(2), rel=1e-5)


def test_integer_outputs_that_match_their_targets_cost_nothing():
    # Not floats: clipped with float64's ε, without np.finfo of an integer type (an error) or of None
    # (deprecated since NumPy 1.25, to become an error).
    a, y = np.array([[1], [0]]), np.array([[1.0], [0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert COSTS.get("cross_entropy").fn(a, y) == pytest.approx(0.0, abs=1e-12)
        assert COSTS.get("log_likelihood").fn(a, y) == pytest.approx(0.0, abs=1e-12)


def test_a_regularizer_holds_lambda_as_a_float():
    reg = REGULARIZERS.get("l2")(5)
    assert reg.lmbda == 5.0 and isinstance(reg.lmbda, float)
    assert REGULARIZERS.get("none")().lmbda == 0.0  # C = C_0: no term, whatever penalty() says


def test_explicit_integer_weights_become_float64():  # e.g. the NAND perceptron: weights [[-2, -2]], biases [3]
    w, b = INITIALIZERS.get("explicit")(weights=[[-2, -2]], biases=[3])(2, 1, None)
    assert w.dtype == np.float64 and b.dtype == np.float64
    assert w.shape == (1, 2) and b.shape == (1, 1)


@pytest.mark.parametrize("metric, value, than, expected", [
    ("evaluation_accuracy", 0.1, None, True),     # the first value is always the best so far
    ("training_cost", 9.0, None, True),
    ("evaluation_accuracy", 0.95, 0.9, True),     # accuracy: higher is better
    ("evaluation_accuracy", 0.9, 0.9, False),     # a tie is no improvement
    ("evaluation_accuracy", 0.8, 0.9, False),
    ("training_cost", 0.4, 0.5, True),            # cost: lower is better
    ("training_cost", 0.5, 0.5, False),
    ("evaluation_cost", 0.6, 0.5, False),
])
def test_better(metric, value, than, expected):
    assert better(metric, value, than) is expected


HISTORY = [{"epoch": 0, "evaluation_accuracy": 0.90, "evaluation_cost": 0.50},
           {"epoch": 1, "evaluation_accuracy": 0.95, "evaluation_cost": 0.40},
           {"epoch": 2, "evaluation_accuracy": 0.95, "evaluation_cost": 0.45},
           {"epoch": 3, "evaluation_accuracy": 0.93}]  # a row without the cost (monitored every other epoch)


def test_best_is_the_first_epoch_that_reached_the_best_value():
    assert best(HISTORY, "evaluation_accuracy") == (0.95, 1)
    assert best(HISTORY, "evaluation_cost") == (0.40, 1)
    assert best(HISTORY, "training_cost") == (None, None)
    assert best([], "evaluation_accuracy") == (None, None)


def test_final_is_the_last_value_given():
    assert final(HISTORY, "evaluation_accuracy") == 0.93
    assert final(HISTORY, "evaluation_cost") == 0.45
    assert final(HISTORY, "training_cost") is None
    assert final([], "evaluation_cost") is None


def test_epochs_since_best():
    assert epochs_since_best(HISTORY, "evaluation_accuracy") == 2  # best at epoch 1, two epochs ago
    costs = [{"epoch": i, "training_cost": c} for i, c in enumerate([0.5, 0.4, 0.45, 0.3])]
    assert epochs_since_best(costs, "training_cost") == 0           # the last one is the best
    assert epochs_since_best(costs[:3], "training_cost") == 1
    assert epochs_since_best(costs[:1], "training_cost") == 0
