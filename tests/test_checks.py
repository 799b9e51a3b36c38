"""One test per semantic check: silent on a good spec, one clear problem on a bad one."""
import copy

import pytest

from conftest import tiny_spec
from specnet.errors import CheckError, SpecError
from specnet.spec.load import CHECK_MODULES, spec_from_dict

MNIST = {"specnet": 1, "network": {"input": 784, "layers": [{"size": 30, "activation": "sigmoid"},
                                                            {"size": 10, "activation": "sigmoid"}],
                                   "cost": "cross_entropy"},
         "training": {"epochs": 1, "optimizer": {"type": "sgd", "eta": 0.5}}}


def problems(spec: dict):
    try:
        spec_from_dict(spec)
        return []
    except SpecError as e:
        return e.problems


def edit(base, path, value):
    spec = copy.deepcopy(base)
    node = spec
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return spec


BAD = {  # check name -> (spec, dotted path of the problem, words in the message)
    "input_width": (edit(MNIST, ("network", "input"), 100), "network.input", "784"),
    "output_size": (edit(MNIST, ("network", "layers", 1, "size"), 9), "network.layers[1].size", "10 neurons"),
    "cost_matches_output": (edit(MNIST, ("network", "layers", 1, "activation"), "tanh"),
                            "network.layers[1].activation", "sigmoid outputs"),
    "softmax_placement": (edit(MNIST, ("network", "layers", 0, "activation"), "softmax"),
                          "network.layers[0].activation", "output layer only"),
    "trainable": (edit(MNIST, ("network", "layers", 0, "activation"), "perceptron"),
                  "network.layers[0].activation", "cannot be trained"),
    "explicit_shapes": (edit(tiny_spec(), ("network", "layers", 1, "init"),
                             {"type": "explicit", "weights": [[1, 2]], "biases": [0]}),
                        "network.layers[1].init.weights", "1 rows of 3"),
    "splits": (edit(MNIST, ("data",), {"training": {"split": "training", "take": 60000}}),
               "data.training.take", "50000"),
    "expectations": (edit(MNIST, ("expect",), [{"metric": "training_cost", "max": 1.0}]),
                     "expect[0].metric", "not monitored"),
    "dropout_placement": (edit(MNIST, ("network", "layers", 1, "dropout"), 0.5), "network.layers[1].dropout",
                          "hidden layers only"),
    "watched_metrics": (edit(MNIST, ("training", "early_stopping"), {"metric": "training_cost"}),
                        "training.early_stopping.metric", "not monitored"),
    "expansion": (edit(MNIST, ("data",), {"expand": {"copies": 2}}), "data.expand", "equal the originals"),
    "model": (edit(MNIST, ("baseline",), "average_darkness"), "baseline", "not both"),
    "dtype_range": (edit(edit(tiny_spec(), ("network", "dtype"), "float32"), ("network", "layers", 1, "init"),
                         {"type": "explicit", "weights": [[1, 2, 1e39]], "biases": [0]}),
                    "network.layers[1].init.weights[0][2]", "too large for float32"),
    "rates": (edit(MNIST, ("training", "optimizer", "eta"), 1e308), "training.optimizer.eta", "at most 1,000,000"),
    "finite": (edit(MNIST, ("training", "optimizer", "eta"), float("nan")), "training.optimizer.eta", "finite"),
    "memory": (edit(MNIST, ("network", "layers", 0, "size"), 10**9), "network.layers[0].size", "needs about"),
}


def test_every_check_has_a_bad_example():
    assert set(BAD) == {check.__name__ for module in CHECK_MODULES for check in module.CHECKS}


@pytest.mark.parametrize("name", sorted(BAD))
def test_check_reports_the_problem(name):
    spec, path, words = BAD[name]
    found = [p for p in problems(spec) if isinstance(p, CheckError)]
    assert [p.path for p in found] == [path], found
    assert words in found[0].message


@pytest.mark.parametrize("good", [MNIST, tiny_spec()], ids=["mnist", "tiny"])
def test_checks_pass_good_specs(good):
    assert problems(good) == []


def test_log_likelihood_needs_softmax():
    found = problems(edit(MNIST, ("network", "cost"), "log_likelihood"))
    assert [p.path for p in found] == ["network.layers[1].activation"]
    assert "softmax" in found[0].message and found[0].got == "sigmoid"


def test_softmax_needs_log_likelihood():
    spec = edit(MNIST, ("network", "layers", 1, "activation"), "softmax")
    assert {p.path for p in problems(spec)} == {"network.cost", "network.layers[1].activation"}


def test_accuracy_bounds_are_fractions():
    spec = edit(MNIST, ("expect",), [{"metric": "evaluation_accuracy", "min": 95}])
    found = problems(spec)
    assert [p.path for p in found] == ["expect[0].min"] and "95% is 0.95" in found[0].hint


def test_empty_validation_split_of_user_data():
    spec = edit(tiny_spec(), ("data", "evaluation"), "validation")
    assert problems(spec) == []  # inline tables use the whole table for every split
