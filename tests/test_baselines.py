import numpy as np
import pytest

from specnet.components.baselines import AverageDarkness
from specnet.datasets.dataset import Dataset
from specnet.errors import SpecError
from specnet.runs.run import run_spec
from specnet.spec.load import spec_from_dict


def table(darkness, labels):
    x = np.array(darkness, dtype=float)[:, None] * np.ones((1, 4)) / 4  # four pixels summing to the darkness
    return Dataset(x, np.eye(3)[labels], np.array(labels))


def test_guesses_the_class_with_the_nearest_average_darkness():
    model = AverageDarkness().fit(table([1.0, 1.2, 3.0, 2.8, 9.0], [0, 0, 1, 1, 2]))
    assert model.means.tolist() == pytest.approx([1.1, 2.9, 9.0])
    test = table([0.0, 2.1, 2.0, 6.0, 7.0], [0, 1, 0, 2, 1])
    assert model.outputs(test).argmax(axis=1).tolist() == [0, 1, 0, 2, 2]
    assert model.evaluate(test) == 4
    assert AverageDarkness.loaded(model.params()).evaluate(test) == 4  # what model.json stores is enough


def test_a_class_missing_from_the_training_data_is_never_guessed():
    model = AverageDarkness().fit(table([1.0, 5.0], [0, 2]))
    assert np.isinf(model.means[1]) and model.outputs(table([3.0], [1])).argmax() != 1


INLINE = {"type": "inline", "inputs": [[0, 0], [1, 1], [0.1, 0], [1, 0.9]], "targets": [[1, 0], [0, 1], [1, 0], [0, 1]]}


def test_a_baseline_spec_runs(tmp_path):
    spec = spec_from_dict({"specnet": 1, "data": {"source": INLINE}, "baseline": "average_darkness",
                           "expect": [{"metric": "evaluation_accuracy", "min": 1.0}]})
    assert spec.network is None and spec.model.summary() == "baseline average_darkness"
    run = run_spec(spec, tmp_path)
    assert run.failures == [] and run.history[0]["evaluation_correct"] == 4
    assert (run.folder / "model.json").is_file()


@pytest.mark.parametrize("extra,words", [({"training": {"epochs": 1, "optimizer": {"type": "sgd", "eta": 1}}},
                                          "not trained"), ({}, "needs a network")])
def test_baseline_spec_problems(extra, words):
    spec = {"specnet": 1, "data": {"source": INLINE}, **extra}
    if words == "not trained":
        spec["baseline"] = "average_darkness"
    with pytest.raises(SpecError, match=words):
        spec_from_dict(spec)
