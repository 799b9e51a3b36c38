import numpy as np
import pytest

from specnet.components.activations import ACTIVATIONS

Z = np.array([[-30.0, -2.0, -0.3, 0.0, 0.4, 2.5, 30.0]])
REFERENCE = {  # tiny NumPy references, written from the definitions
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)),
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "linear": lambda z: z,
    "perceptron": lambda z: np.where(z > 0, 1.0, 0.0),
}
DIFFERENTIABLE = ["sigmoid", "tanh", "relu", "linear"]


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_fn_matches_reference(name):
    np.testing.assert_allclose(ACTIVATIONS.get(name).fn(Z.copy()), REFERENCE[name](Z), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_prime_matches_finite_differences(name):
    act, eps = ACTIVATIONS.get(name), 1e-6
    z = np.array([[-2.0, -0.3, 0.4, 2.5]])  # away from ReLU's kink
    numeric = (act.fn(z + eps) - act.fn(z - eps)) / (2 * eps)
    np.testing.assert_allclose(act.prime(z, act.fn(z)), numeric, rtol=1e-6, atol=1e-9)


def test_every_registered_activation_is_tested():
    assert set(ACTIVATIONS.names()) == set(REFERENCE) | {"softmax"}


def test_sigmoid_does_not_overflow_and_is_half_at_zero():
    with np.errstate(all="raise"):
        a = ACTIVATIONS.get("sigmoid").fn(np.array([[-1000.0, 0.0, 1000.0]]))
    assert a.tolist() == [[0.0, 0.5, 1.0]]


def test_relu_prime_at_zero_is_zero():
    relu = ACTIVATIONS.get("relu")
    assert relu.prime(np.array([0.0]), relu.fn(np.array([0.0]))).tolist() == [0.0]


def test_perceptron_outputs_zero_at_exactly_zero():  # (1.2): strict >, unlike a step function
    assert ACTIVATIONS.get("perceptron").fn(np.array([0.0, 1e-12, -1e-12])).tolist() == [0.0, 1.0, 0.0]
    assert ACTIVATIONS.get("perceptron").trainable is False


def test_softmax_columns_are_distributions(rng):  # (79)
    z = rng.normal(size=(10, 7)) * 20
    a = ACTIVATIONS.get("softmax").fn(z)
    assert np.all(a > 0)
    np.testing.assert_allclose(a.sum(axis=0), 1.0, rtol=1e-12)


def test_softmax_is_monotonic_and_invertible(rng):  # EX21, EX23
    softmax = ACTIVATIONS.get("softmax").fn
    z = rng.normal(size=(4, 1))
    bumped = z.copy()
    bumped[2] += 0.1
    change = softmax(bumped) - softmax(z)
    assert change[2, 0] > 0 and np.all(np.delete(change[:, 0], 2) < 0)
    recovered = np.log(softmax(z))
    np.testing.assert_allclose(recovered - recovered[0], z - z[0], rtol=1e-10)


def test_softmax_has_no_elementwise_prime():
    with pytest.raises(NotImplementedError, match="log-likelihood"):
        ACTIVATIONS.get("softmax").prime(Z, Z)
