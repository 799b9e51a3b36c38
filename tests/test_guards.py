"""A shared spec cannot exhaust memory or train on NaN: huge sizes are refused by the `memory` check before
anything is allocated (at the line of the setting), and every number must be finite."""
import time
import tracemalloc

import numpy as np
import pytest

from conftest import ROOT, tiny_spec
from specnet.spec import memory_limit
from specnet.commands.cli import main
from specnet.training.compiler import compile_trainer, compile_spec, generator
from specnet.datasets.dataset import make_dataset
from specnet.errors import CheckError, SchemaError, SpecError
from specnet.spec.memory import parts
from specnet.spec.memory_limit import ENV, fmt, parse_size
from specnet.spec.sections import Split
from specnet.spec.load import describe_data, load_spec, spec_from_dict
from specnet.commands.validate import validate_files

LAYERS = """\
network:
  input: 784
  layers:
    - {{size: {size}, activation: sigmoid}}
    - {{size: 10, activation: sigmoid}}
"""
# extends a shipped spec, with one huge value at a known line: (text, dotted path, line, words in the message)
HOSTILE = {
    "layer_size": (LAYERS.format(size=10**9), "network.layers[0].size", 5,
                   "evaluating 10,000 examples at a time through 1,000,000,000 neurons"),
    "input": ("network:\n  input: 1000000000000\n", "network.input", 3, "30 x 1,000,000,000,000 float32"),
    "copies": ("data:\n  source: mnist\n  expand: {copies: 1000000000, rotate: 15}\n", "data.expand.copies", 4,
               "1,000,000,001 x 50,000 examples"),
    "take_without_data": ("data:\n  source: mnist\n  training: {split: training, take: 10000000000}\n",
                          "data.training.take", 4, "the training examples, 10,000,000,000"),
}


@pytest.fixture(autouse=True)
def _default_limit(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)


def refused(path, overrides=(), check_data=True) -> list:
    """Return the problems of loading the spec (an empty list if it loads)."""
    try:
        load_spec(path, overrides, check_data=check_data)
        return []
    except SpecError as e:
        return e.problems


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_huge_size_is_refused_at_its_line_fast_and_without_allocating(tmp_path, name):
    text, path, line, words = HOSTILE[name]
    spec = tmp_path / "hostile.yaml"
    spec.write_text("extends: ch1_sgd\n" + text)
    refused(ROOT / "specs" / "ch1_sgd.yaml")  # imports and the data's description, once
    tracemalloc.start()
    started = time.perf_counter()
    problems = refused(spec, check_data=name != "take_without_data")  # with the data: a `splits` problem
    seconds, peak = time.perf_counter() - started, tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    memory = [p for p in problems if "needs about" in p.message]
    assert len(memory) == 1, problems
    assert (memory[0].path, memory[0].line, memory[0].file) == (path, line, str(spec))
    assert words in str(memory[0]) and "this machine has free" in str(memory[0]) and "\n" not in str(memory[0])
    assert seconds < 1 and peak < 10 * 2**20, (seconds, fmt(peak))  # measured: 5-20 ms, under 1 MiB


def test_without_the_data_the_estimate_is_a_lower_bound(tmp_path):
    """Commands that do not read the data (diff, plot of a run) still refuse what the spec alone makes huge, and
    never refuse what they accept with the data."""
    assert refused("ch1_sgd", ["network.layers[0].size=1000000000"], check_data=False)[0].path == \
        "network.layers[0].size"
    spec = load_spec("ch1_sgd")
    assert sum(p.nbytes for p in parts(spec, None)) < sum(p.nbytes for p in parts(spec, describe_data(spec)))


def test_a_mini_batch_larger_than_the_data_is_full_batch_gradient_descent():
    """m = 10^12 on 4 examples needs the memory of m = 4 and trains exactly like it (the executor's block of
    shuffled examples has no more rows than the data: it had m, 2.8 PiB for MNIST)."""
    results = []
    for m in (4, 10**12):
        spec = spec_from_dict(tiny_spec(training={"epochs": 3, "mini_batch_size": m,
                                                  "optimizer": {"type": "sgd", "eta": 2.0}, "executor": "numpy"}))
        x, y = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float), np.array([[0], [1], [1], [0]], float)
        data = make_dataset(x, y, Split("training"), 1, np.float64)
        net = compile_spec(spec)
        compile_trainer(spec).train(net, data, generator(spec.seed, "shuffle"))
        results.append((net.weights[0].copy(), sum(p.nbytes for p in parts(spec, describe_data(spec)))))
    assert np.array_equal(results[0][0], results[1][0]) and results[0][1] == results[1][1]


def test_the_memory_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(ENV, "10MB")
    problems = refused("ch1_sgd")
    assert [(p.path, p.line) for p in problems] == [("data.training", 17)]
    assert "more than SPECNET_MEMORY_LIMIT=10MB (9.5 MiB)" in problems[0].message
    assert "take: N" in problems[0].hint
    monkeypatch.setenv(ENV, "64GiB")
    assert refused("ch1_sgd") == []
    assert "64.0 GiB" in refused("ch1_sgd", ["network.layers[0].size=1000000000"])[0].message


@pytest.mark.parametrize("value", ["lots", "", "0", "-1GB", "2 G", "1e9", "12" * 20])
def test_a_bad_memory_limit_is_one_line(monkeypatch, capsys, value):
    monkeypatch.setenv(ENV, value)
    (problem,) = refused("ch1_sgd")
    assert str(problem).startswith("SPECNET_MEMORY_LIMIT: must be a memory size above 0")
    with pytest.raises(SystemExit) as exit_:
        main(["validate", str(ROOT / "specs" / "ch1_sgd.yaml")])
    err = capsys.readouterr()
    assert exit_.value.code == 2 and "Traceback" not in err.err + err.out


def test_sizes_and_the_default_limit(monkeypatch):
    assert [parse_size(t) for t in ("2GiB", "500MB", "1000000", "1.5 KiB", " 3 tb ")] == \
        [2 << 30, 500 * 10**6, 10**6, 1536, 3 * 10**12]
    assert fmt(10**400) == "10^400 bytes" and fmt(1536) == "1.5 KiB"
    free = memory_limit.available()
    assert free is None or free > 0
    monkeypatch.setattr(memory_limit, "available", lambda: None)
    assert memory_limit.limit() == (8 << 30, "the 8.0 GiB allowed where the free memory is unknown")
    monkeypatch.setattr(memory_limit, "available", lambda: 4 << 30)
    assert memory_limit.limit()[0] == 3 << 30


def test_a_refused_run_allocates_nothing_and_leaves_no_run_folder(tmp_path, capsys):
    tracemalloc.start()
    with pytest.raises(SystemExit) as exit_:
        main(["run", "ch1_sgd", "--set", "network.layers[0].size=1000000000", "--runs-dir", str(tmp_path / "runs")])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1 and "network.layers[0].size" in err
    assert not (tmp_path / "runs").exists() and peak < 10 * 2**20


@pytest.mark.parametrize("path", [("training", "optimizer", "eta"), ("training", "optimizer", "mu"),
                                  ("network", "layers", 0, "dropout"), ("data", "source", "inputs", 1, 0),
                                  ("training", "regularization", "lambda")])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), np.float32("nan")], ids=["nan", "inf", "float32nan"])
def test_spec_from_dict_refuses_nan_and_infinity(path, value):
    spec = tiny_spec()
    spec["training"]["regularization"] = {"type": "l2", "lambda": 1.0}
    node = spec
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(SpecError) as error:
        spec_from_dict(spec)
    dotted = ".".join(str(k) for k in path).replace(".0", "[0]").replace(".1", "[1]")
    assert dotted in [p.path for p in error.value.problems], error.value


def test_large_finite_eta_and_lambda_are_allowed():
    """The book's "η too large" is an experiment: large values stay allowed, up to 10^6, where η/m and ηλ/n
    still fit float32 (tests/test_finite_data.py refuses 1e308)."""
    spec = tiny_spec()
    spec["training"]["optimizer"]["eta"] = 1e6
    spec["training"]["regularization"] = {"type": "l2", "lambda": 1e6}
    assert spec_from_dict(spec).training.optimizer.params["eta"] == 1e6


def test_expansion_parameters_are_bounded():
    """rotate <= 180, scale < 1 and shift <= 1000 in the schema (no overflow in expand.py's maths, which
    raised OverflowError at shift 1e308), and a shift less than the images' side against the data."""
    base = {"specnet": 1, "data": {"source": "mnist", "training": {"split": "training", "take": 10}},
            "network": {"input": 784, "layers": [{"size": 10, "activation": "sigmoid"}], "cost": "quadratic"}}
    for expand, error, path in [({"shift": 1e308}, SchemaError, "data.expand.shift"),
                                ({"rotate": 1e308}, SchemaError, "data.expand.rotate"),
                                ({"scale": 1.0}, SchemaError, "data.expand.scale"),
                                ({"shift": 28}, CheckError, "data.expand.shift"),
                                ({"rotate": float("nan")}, CheckError, "data.expand.rotate")]:
        with pytest.raises(error) as found:
            spec_from_dict({**base, "data": {**base["data"], "expand": expand}})
        assert [p.path for p in found.value.problems] == [path], found.value
    assert spec_from_dict({**base, "data": {**base["data"], "expand": {"shift": 27, "rotate": 180, "scale": 0.99}}})


def test_every_shipped_spec_still_validates():
    results = validate_files([ROOT / "specs"])
    assert len(results) >= 54 and [(f, ps) for f, ps in results if ps] == []
