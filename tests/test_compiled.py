"""The optional compiled executor (training.executor: numba) against the NumPy executor it stands in for."""
import numpy as np
import pytest

from conftest import CASES, tiny_spec
from specnet.training.compiler import compile_trainer, compile_spec, generator
from specnet.datasets.dataset import load_datasets
from specnet.errors import SpecError
from specnet.spec.load import spec_from_dict

numba = pytest.importorskip("numba")


def pair(case, dtype, n=40, n_in=12, n_out=3, m=8, hidden=(5, 4)):
    """The same spec, for each executor, and its data (inputs with zeros, like MNIST's)."""
    activation, output, cost, regularization, mu = case
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 1, size=(n, n_in)) * (rng.uniform(0, 1, size=(n, n_in)) < 0.3)
    y = np.eye(n_out)[rng.integers(0, n_out, size=n)]
    d = {"specnet": 1, "seed": 5,
         "data": {"source": {"type": "inline", "inputs": x.tolist(), "targets": y.tolist()}},
         "network": {"input": n_in, "layers": [*({"size": k, "activation": activation} for k in hidden),
                                               {"size": n_out, "activation": output}],
                     "init": "gaussian_scaled", "cost": cost, "dtype": dtype},
         "training": {"epochs": 2, "mini_batch_size": m, "optimizer": {"type": "sgd", "eta": 0.7, "mu": mu},
                      "regularization": regularization, "executor": "numpy"}}
    numpy_spec = spec_from_dict(d)
    d["training"]["executor"] = "numba"
    return numpy_spec, spec_from_dict(d)


def train(spec):
    data = load_datasets(spec, {"training": spec.data.training})["training"]
    net = compile_spec(spec)
    history = compile_trainer(spec).train(net, data, generator(spec.seed, "shuffle"), data)
    return net, history


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(str(v) if not isinstance(v, dict) else v["type"] for v in c))
@pytest.mark.parametrize("dtype, tolerance", [("float64", 1e-10), ("float32", 1e-5)])
def test_two_epochs_agree_with_the_numpy_executor(case, dtype, tolerance):
    a, b = (train(spec) for spec in pair(case, dtype))
    assert compile_trainer(pair(case, dtype)[1]).executor.name == "numba" and b[0].weights[0].dtype == np.dtype(dtype)
    for p, q in zip(a[0].weights + a[0].biases, b[0].weights + b[0].biases):
        np.testing.assert_allclose(q, p, rtol=0, atol=tolerance)
    assert [r["evaluation_correct"] for r in a[1]] == [r["evaluation_correct"] for r in b[1]]


@pytest.mark.parametrize("case", [CASES[0], CASES[3]], ids=["plain-sgd", "momentum-l2"])
@pytest.mark.parametrize("hidden", [(), (32,), (33, 7)], ids=["no-hidden-layer", "32", "33-7"])
def test_first_layers_of_other_widths_agree(hidden, case):
    """Layer 1 is padded to a multiple of 32 neurons inside the kernel; the padding must never show."""
    a, b = (train(spec) for spec in pair(case, "float64", hidden=hidden))
    for p, q in zip(a[0].weights + a[0].biases, b[0].weights + b[0].biases):
        assert q.shape == p.shape
        np.testing.assert_allclose(q, p, rtol=0, atol=1e-10)


def test_a_shorter_last_mini_batch_and_early_stopping_agree():
    specs = []
    for spec in pair(CASES[1], "float64", n=43, m=8):  # 5 mini-batches of 8, then one of 3
        d = dict(spec.resolved)
        d["training"] = {**d["training"], "epochs": 12, "monitor": ["evaluation_accuracy", "evaluation_cost"],
                         "early_stopping": {"metric": "evaluation_cost", "patience": 1, "restore_best": True}}
        specs.append(spec_from_dict(d))
    (na, ha), (nb, hb) = train(specs[0]), train(specs[1])
    assert ha[-1]["restored_epoch"] == hb[-1]["restored_epoch"] == len(ha) - 2  # stopped, the best put back
    for p, q in zip(na.weights + na.biases, nb.weights + nb.biases):
        np.testing.assert_allclose(q, p, rtol=0, atol=1e-10)


def test_an_activation_the_loops_lack_is_refused(monkeypatch):
    import specnet.training.compiled as compiled
    monkeypatch.setattr(compiled, "ACTIVATIONS", {"sigmoid": 0})
    with pytest.raises(SpecError, match=r"the numba executor has no tanh activation \(layer 0\).*It has sigmoid"):
        compile_trainer(pair(CASES[2], "float64")[1])


def test_checks_within_epochs_come_at_the_same_images():
    t = tiny_spec()
    t["training"].update(epochs=3, monitor_every=3, executor="numba")
    spec = spec_from_dict(t)
    data = load_datasets(spec, {"training": spec.data.training})["training"]
    checks, ticks = [], []
    compile_trainer(spec).train(compile_spec(spec), data, generator(spec.seed, "shuffle"), data,
                             on_check=checks.append, on_batch=lambda done, total: ticks.append(done))
    assert [c["images"] for c in checks] == [4, 6, 10, 12] and ticks == [2, 4] * 3


def test_the_same_spec_gives_bitwise_the_same_run():
    _, spec = pair(CASES[1], "float32")
    (n1, h1), (n2, h2) = train(spec), train(spec)
    assert h1 == h2 and all(np.array_equal(p, q) for p, q in zip(n1.weights, n2.weights))


@pytest.mark.parametrize("dtype, tolerance", [("float64", 1e-10), ("float32", 1e-5)])
@pytest.mark.parametrize("case", [CASES[0], CASES[3]], ids=["plain-sgd", "momentum-l2"])
def test_dropout_agrees_with_the_numpy_executor_draw_for_draw(case, dtype, tolerance):
    """Dropout in the loops: the masks are the NumPy executor's, drawn from the same stream in the same order
    (a mini-batch at a time, layer after layer), so the two executors agree to rounding; auto takes numba."""
    specs = []
    for spec in pair(case, dtype):
        d = dict(spec.resolved, network=dict(spec.resolved["network"]))
        d["network"]["layers"] = [dict(layer, dropout=p) for layer, p in zip(d["network"]["layers"], (0.5, 0.2, 0.0))]
        specs.append(spec_from_dict(d))
    (a, ha), (b, hb) = train(specs[0]), train(specs[1])
    for p, q in zip(a.weights + a.biases, b.weights + b.biases):
        np.testing.assert_allclose(q, p, rtol=0, atol=tolerance)
    assert [r["evaluation_correct"] for r in ha] == [r["evaluation_correct"] for r in hb]
    without = train(pair(case, dtype)[1])[0]  # and the masks did something
    assert max(float(np.abs(p - q).max()) for p, q in zip(b.weights, without.weights)) > 100 * tolerance
    d = dict(specs[1].resolved, training=dict(specs[1].resolved["training"], executor="auto"))
    assert compile_trainer(spec_from_dict(d)).executor.name == "numba"


def test_without_numba_the_choice_is_one_clear_error(monkeypatch):
    import specnet.training.compiled as compiled
    monkeypatch.setattr(compiled, "njit", None)
    monkeypatch.setattr(compiled, "MISSING", "No module named 'numba'")
    t = tiny_spec()
    t["training"]["executor"] = "numba"
    with pytest.raises(SpecError) as caught:  # the compiler says it (and `validate`, see test_cli)
        compile_trainer(spec_from_dict(t))
    assert str(caught.value).startswith("training.executor: needs the numba package, which is not installed.")
    assert 'pip install -e ".[fast]"' in str(caught.value)
    monkeypatch.setattr(compiled, "MISSING", "numba needs NumPy 2.3 or less")
    with pytest.raises(SpecError, match=r"which cannot be imported \(numba needs NumPy 2.3 or less\)"):
        compile_trainer(spec_from_dict(t))
    t["training"]["executor"] = "auto"  # auto takes NumPy's steps instead
    assert compile_trainer(spec_from_dict(t)).executor.name == "numpy"


@pytest.mark.parametrize("columns, dtype", [(12, np.uint16), (70_000, np.uint32)])
def test_nonzeros_lists_each_rows_nonzero_columns_and_values(columns, dtype):
    from specnet.training.epochdata import nonzeros
    rng = np.random.default_rng(3)
    x = rng.uniform(size=(9, columns)) * (rng.uniform(size=(9, columns)) < 0.2)
    x[4] = 0.0  # a row with no nonzero entry
    indptr, indices, values = nonzeros(x)
    assert indices.dtype == dtype and indptr[0] == 0 and values.dtype == x.dtype
    for r in range(len(x)):
        assert indices[indptr[r]:indptr[r + 1]].tolist() == np.flatnonzero(x[r]).tolist()
        assert values[indptr[r]:indptr[r + 1]].tolist() == x[r][x[r] != 0].tolist()


def test_an_epoch_is_copied_in_its_order():
    from specnet.training.epochdata import in_order
    rng = np.random.default_rng(4)
    x = rng.uniform(size=(30, 7)) * (rng.uniform(size=(30, 7)) < 0.4)
    y = rng.uniform(size=(30, 2))
    order = rng.permutation(30)
    eptr, eindices, evalues, ey = in_order(x, y, order)
    for e, r in enumerate(order):
        assert eindices[eptr[e]:eptr[e + 1]].tolist() == np.flatnonzero(x[r]).tolist()
        assert evalues[eptr[e]:eptr[e + 1]].tolist() == x[r][x[r] != 0].tolist() and ey[e].tolist() == y[r].tolist()


def test_run_json_records_numbas_version_for_the_compiled_executor(tmp_path):
    from importlib.metadata import version

    from specnet.runs.provenance import versions
    from specnet.spec.load import spec_from_dict
    from conftest import tiny_spec
    d = tiny_spec()
    d["training"]["executor"] = "numba"
    assert versions(spec_from_dict(d))["numba"] == version("numba")
    assert "numba" not in versions(spec_from_dict(tiny_spec()))


@pytest.mark.parametrize("density, numpy_steps", [(1.0, True), (0.2, False)], ids=["dense", "sparse"])
def test_wide_dense_inputs_take_numpys_steps(density, numpy_steps):
    """300 inputs, all nonzero (Fashion-MNIST's kind of data): the numba executor takes NumPy's steps, which
    are faster there, so the two runs are the same bit for bit; with 20% nonzero it runs its own loops."""
    rng = np.random.default_rng(3)
    x = rng.uniform(0.1, 1, size=(60, 300)) * (rng.uniform(size=(60, 300)) < density)
    y = np.eye(3)[rng.integers(0, 3, size=60)]
    d = {"specnet": 1, "seed": 5, "data": {"source": {"type": "inline", "inputs": x.tolist(), "targets": y.tolist()}},
         "network": {"input": 300, "layers": [{"size": 8, "activation": "sigmoid"}, {"size": 3, "activation": "softmax"}],
                     "cost": "log_likelihood", "dtype": "float64"},
         "training": {"epochs": 2, "mini_batch_size": 10, "optimizer": {"type": "sgd", "eta": 0.3}, "executor": "numpy"}}
    a = train(spec_from_dict(d))[0]
    d["training"]["executor"] = "numba"
    b = train(spec_from_dict(d))[0]
    same = all(np.array_equal(p, q) for p, q in zip(a.weights + a.biases, b.weights + b.biases))
    assert same == numpy_steps
    for p, q in zip(a.weights + a.biases, b.weights + b.biases):
        np.testing.assert_allclose(q, p, rtol=0, atol=1e-10)
