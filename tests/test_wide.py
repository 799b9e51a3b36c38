"""The compiled executor's loops for large mini-batches (specnet/training/wide.py) against the NumPy executor,
and their determinism: the same numbers on any number of threads, and in a thread that is not the main one."""
import threading

import numpy as np
import pytest

from conftest import CASES
from test_compiled import pair, train
from specnet.spec.load import spec_from_dict

numba = pytest.importorskip("numba")


@pytest.fixture
def wide(monkeypatch):
    """Mini-batches above 4 examples take the wide loops (in specnet, above 32); count their epochs."""
    import specnet.training.compiled as compiled
    import specnet.training.wide as w
    monkeypatch.setattr(compiled, "LOOPS_UP_TO", 4)
    calls = []
    real = w.prepare
    monkeypatch.setattr(w, "prepare", lambda *a: calls.append(1) or real(*a))
    return calls


def params(net):
    return net.weights + net.biases


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(str(v) if not isinstance(v, dict) else v["type"] for v in c))
@pytest.mark.parametrize("dtype, tolerance", [("float64", 1e-10), ("float32", 1e-5)])
def test_two_epochs_agree_with_the_numpy_executor(wide, case, dtype, tolerance):
    a, b = (train(spec) for spec in pair(case, dtype, m=8))
    assert len(wide) == 2  # an epoch each, in the wide loops
    for p, q in zip(params(a[0]), params(b[0])):
        np.testing.assert_allclose(q, p, rtol=0, atol=tolerance)
    assert [r["evaluation_correct"] for r in a[1]] == [r["evaluation_correct"] for r in b[1]]


@pytest.mark.parametrize("hidden", [(), (8,), (9, 7), (33, 7, 5)], ids=["none", "8", "9-7", "33-7-5"])
def test_every_depth_and_width_agrees(wide, hidden):
    """Layer 1 is padded to a multiple of 8 neurons in these loops; deeper layers take the dense rows."""
    a, b = (train(spec) for spec in pair(CASES[3], "float64", m=8, hidden=hidden))
    for p, q in zip(params(a[0]), params(b[0])):
        assert q.shape == p.shape
        np.testing.assert_allclose(q, p, rtol=0, atol=1e-10)


def test_dropout_and_a_shorter_last_mini_batch_agree(wide):
    specs = []
    for spec in pair(CASES[1], "float64", n=43, m=8):  # 5 mini-batches of 8, then one of 3
        d = dict(spec.resolved, network=dict(spec.resolved["network"]))
        d["network"]["layers"] = [dict(layer, dropout=p) for layer, p in zip(d["network"]["layers"], (0.5, 0.2, 0.0))]
        specs.append(spec_from_dict(d))
    (a, _), (b, _) = train(specs[0]), train(specs[1])
    for p, q in zip(params(a), params(b)):
        np.testing.assert_allclose(q, p, rtol=0, atol=1e-10)


def test_the_same_numbers_on_one_thread_on_two_and_outside_the_main_thread(wide):
    _, spec = pair(CASES[3], "float32", m=16, n=64)
    two = params(train(spec)[0])
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        one = params(train(spec)[0])
    finally:
        numba.set_num_threads(threads)
    elsewhere = []
    worker = threading.Thread(target=lambda: elsewhere.append(params(train(spec)[0])))  # the loops without threads
    worker.start()
    worker.join()
    for p, q, r in zip(two, one, elsewhere[0]):
        assert np.array_equal(p, q) and np.array_equal(p, r)


def test_dense_wide_inputs_still_take_numpys_steps(wide):
    """The choice by density comes first: 300 inputs, all nonzero, take NumPy's steps at any m."""
    rng = np.random.default_rng(3)
    x = rng.uniform(0.1, 1, size=(60, 300))
    y = np.eye(3)[rng.integers(0, 3, size=60)]
    d = {"specnet": 1, "seed": 5, "data": {"source": {"type": "inline", "inputs": x.tolist(), "targets": y.tolist()}},
         "network": {"input": 300, "layers": [{"size": 8, "activation": "sigmoid"}, {"size": 3, "activation": "softmax"}],
                     "cost": "log_likelihood", "dtype": "float64"},
         "training": {"epochs": 1, "mini_batch_size": 10, "optimizer": {"type": "sgd", "eta": 0.3}, "executor": "numba"}}
    train(spec_from_dict(d))
    assert wide == []
