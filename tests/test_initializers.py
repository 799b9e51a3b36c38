import numpy as np
import pytest

from specnet.components.initializers import INITIALIZERS

RANDOM = ["gaussian", "gaussian_scaled", "zeros"]


@pytest.mark.parametrize("name", RANDOM)
def test_shapes(name, rng):
    w, b = INITIALIZERS.get(name)()(784, 30, rng)
    assert w.shape == (30, 784) and b.shape == (30, 1)


@pytest.mark.parametrize("name", RANDOM)
def test_same_generator_seed_same_weights(name):
    init = INITIALIZERS.get(name)()
    w1, b1 = init(50, 20, np.random.default_rng(7))
    w2, b2 = init(50, 20, np.random.default_rng(7))
    assert np.array_equal(w1, w2) and np.array_equal(b1, b2)


def test_scales(rng):
    w, b = INITIALIZERS.get("gaussian")()(1000, 200, rng)
    assert w.std() == pytest.approx(1.0, rel=0.02) and b.std() == pytest.approx(1.0, rel=0.15)
    w, b = INITIALIZERS.get("gaussian_scaled")()(1000, 200, rng)
    assert w.std() == pytest.approx(1 / np.sqrt(1000), rel=0.02)  # 1/√n_in
    assert b.std() == pytest.approx(1.0, rel=0.15)                 # biases stay N(0, 1)


def test_weighted_input_spread_of_the_two_inits(rng):  # R19: sd √501 ≈ 22.4 against √(3/2) ≈ 1.22
    x = np.r_[np.ones(500), np.zeros(500)].reshape(-1, 1)
    for name, expected in (("gaussian", np.sqrt(501)), ("gaussian_scaled", np.sqrt(1.5))):
        w, b = INITIALIZERS.get(name)()(1000, 4000, rng)
        assert (w @ x + b).std() == pytest.approx(expected, rel=0.05)


def test_explicit_weights():
    w, b = INITIALIZERS.get("explicit")(weights=[[-2, -2]], biases=[3])(2, 1, None)
    assert w.tolist() == [[-2.0, -2.0]] and b.tolist() == [[3.0]]
