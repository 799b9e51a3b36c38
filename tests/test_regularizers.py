import numpy as np
import pytest

from specnet.components.regularizers import REGULARIZERS


@pytest.mark.parametrize("name", REGULARIZERS.names())
def test_grad_matches_finite_differences(name, rng):
    reg, eps = (REGULARIZERS.get(name)() if name == "none" else REGULARIZERS.get(name)(1.0)), 1e-6
    w = rng.normal(size=(3, 4))
    numeric = np.zeros_like(w)
    for idx in np.ndindex(w.shape):
        wp, wm = w.copy(), w.copy()
        wp[idx] += eps
        wm[idx] -= eps
        numeric[idx] = (reg.penalty(wp) - reg.penalty(wm)) / (2 * eps)
    np.testing.assert_allclose(reg.grad(w), numeric, rtol=1e-6, atol=1e-9)


def test_penalties():
    w = np.array([[3.0, -4.0]])
    assert REGULARIZERS.get("l2")(1.0).penalty(w) == 12.5      # ½ Σ w² (87)
    assert REGULARIZERS.get("l1")(1.0).penalty(w) == 7.0       # Σ |w| (95)
    assert REGULARIZERS.get("none")().penalty(w) == 0.0


def test_l1_gradient_at_zero_is_zero():  # sgn(0) = 0 (REG3)
    assert REGULARIZERS.get("l1")(1.0).grad(np.array([0.0, -0.0, 2.0])).tolist() == [0.0, 0.0, 1.0]

