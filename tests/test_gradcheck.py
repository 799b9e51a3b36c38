import numpy as np
import pytest

from conftest import tiny_spec
from specnet.errors import SpecError
from specnet.training.gradcheck import TOLERANCE, gradcheck
from specnet.spec.load import spec_from_dict


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu", "linear"])
def test_a_correct_network_passes(hidden):
    t = tiny_spec()
    t["network"]["layers"][0]["activation"] = hidden
    report = gradcheck(spec_from_dict(t), examples=4)
    assert [r["layer"] for r in report] == [1, 2]
    assert all(r["ok"] and r["weights"] < TOLERANCE and r["biases_checked"] == r["size"] for r in report)


def test_a_broken_backprop_fails(monkeypatch):
    from specnet.components.activations import Sigmoid
    monkeypatch.setattr(Sigmoid, "prime", staticmethod(lambda z, a, out=None: np.ones_like(a)))  # a wrong σ'
    report = gradcheck(spec_from_dict(tiny_spec()), examples=4)
    assert not report[0]["ok"] and report[0]["weights"] > 1e-3


def test_perceptrons_have_no_gradient():
    t = tiny_spec()
    t["network"]["layers"][0]["activation"] = "perceptron"
    del t["training"]
    with pytest.raises(SpecError, match="no gradient"):
        gradcheck(spec_from_dict(t))


def test_the_command_says_what_the_check_leaves_out(capsys):
    from conftest import ROOT
    from test_cli import cli
    code, out, err = cli(capsys, "gradcheck", str(ROOT / "specs" / "ch3_l1.yaml"), "--samples", "5", "--examples", "2")
    assert code == 0, err
    assert out.splitlines()[-1] == ("Checked: the cost C_0's backpropagation; this spec's regularization is not "
                                    "part of the check.")
