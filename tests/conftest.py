"""Shared fixtures: a fixed Generator, tiny spec dicts and helpers to write spec files."""
import textwrap
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def rng():
    return np.random.default_rng(0)


NO_NUMBA = pytest.mark.skipif(__import__("importlib").util.find_spec("numba") is None, reason="numba is not installed")
# An executor for the tests' parametrizations: the numba executor with its loops for large mini-batches
# (specnet/training/wide.py) from 3 examples on, where specnet takes them above 32; the spec says "numba".
NUMBA_WIDE = pytest.param("numba-wide", marks=NO_NUMBA)


@pytest.fixture(autouse=True)
def _wide_loops(request, monkeypatch):
    """A test run with executor "numba-wide" (NUMBA_WIDE) takes the wide loops for any mini-batch above 2."""
    if getattr(request.node, "callspec", None) is not None and request.node.callspec.params.get("executor") == "numba-wide":
        import specnet.training.compiled as compiled
        monkeypatch.setattr(compiled, "LOOPS_UP_TO", 2)


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path_factory, monkeypatch):
    """Keep decoded-data caches of tests out of the user's home (one cache for the whole session)."""
    monkeypatch.setenv("SPECNET_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


def tiny_spec(**over) -> dict:
    """A 2-3-1 sigmoid network learning XOR from an inline table; keyword arguments replace sections."""
    spec = {
        "specnet": 1, "name": "tiny", "seed": 3,
        "data": {"source": {"type": "inline", "inputs": [[0, 0], [0, 1], [1, 0], [1, 1]],
                            "targets": [[0], [1], [1], [0]]}},
        "network": {"input": 2, "layers": [{"size": 3, "activation": "sigmoid"},
                                           {"size": 1, "activation": "sigmoid"}],
                    "cost": "cross_entropy", "dtype": "float64"},
        "training": {"epochs": 5, "mini_batch_size": 2, "optimizer": {"type": "sgd", "eta": 2.0},
                     "monitor": ["evaluation_accuracy", "evaluation_cost", "training_cost"]},
    }
    spec.update(over)
    return spec


@pytest.fixture
def write_spec(tmp_path):
    """Write YAML text (dedented) to a file in tmp_path and return its path."""
    def write(text: str, name: str = "spec.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path
    return write


# Training recipes that between them exercise every activation, cost, regularizer and momentum:
# (hidden activation, output activation, cost, regularization, mu).
CASES = [
    ("sigmoid", "sigmoid", "quadratic", "none", 0.0),
    ("sigmoid", "sigmoid", "cross_entropy", {"type": "l2", "lambda": 5.0}, 0.0),
    ("tanh", "sigmoid", "cross_entropy", {"type": "l1", "lambda": 3.0}, 0.0),
    ("relu", "softmax", "log_likelihood", {"type": "l2", "lambda": 1.0}, 0.9),
    ("sigmoid", "linear", "quadratic", "none", 0.5),
]
