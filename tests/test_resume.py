"""Resuming a training from a TrainerState (a checkpoint's contents) gives the run that never stopped, bit
for bit: momentum's velocities, the three random streams, the schedule, early stopping's kept parameters."""
import numpy as np
import pytest

from conftest import NUMBA_WIDE

from specnet.datasets.dataset import Dataset, load_datasets
from specnet.spec.load import spec_from_dict
from specnet.training.compiler import compile_spec, compile_trainer, generator
from specnet.training.trainer import Stop

EXECUTORS = ["numpy", pytest.param("numba", marks=pytest.mark.skipif(
    __import__("importlib").util.find_spec("numba") is None, reason="numba is not installed"))]


def images(n=40, seed=3):
    """n 3x3 images (9 inputs, some zero) in 3 classes."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, size=(n, 9)) * (rng.uniform(size=(n, 9)) < 0.7)
    labels = rng.integers(0, 3, size=n)
    return Dataset(x, np.eye(3)[labels], labels)


def spec_for(executor, epochs=8, **training):
    data = images()
    return spec_from_dict({
        "specnet": 1, "seed": 17,
        "data": {"source": {"type": "inline", "inputs": data.x.tolist(), "targets": data.y.tolist()},
                 "expand": {"copies": 1, "rotate": 20, "shift": 1, "per_epoch": True}},
        "network": {"input": 9, "layers": [{"size": 6, "activation": "sigmoid",
                                            "dropout": 0.3},
                                           {"size": 3, "activation": "softmax"}],
                    "cost": "log_likelihood", "dtype": "float32"},
        "training": {"epochs": epochs, "mini_batch_size": 7, "executor": executor.removesuffix("-wide"),
                     "optimizer": {"type": "sgd", "eta": 0.8, "mu": 0.7},
                     "regularization": {"type": "l2", "lambda": 0.5},
                     "monitor": ["evaluation_accuracy", "evaluation_cost", "training_cost"], **training}})


def train(spec, resume=None, on_batch=None):
    """Train from the spec's initial state (or from `resume`); return (history, parameters, states)."""
    data, states = load_datasets(spec, {"training": spec.data.training})["training"], []
    net, trainer = compile_spec(spec), compile_trainer(spec)
    history = trainer.train(net, data, generator(spec.seed, "shuffle"), data, on_checkpoint=states.append,
                            resume=resume, on_batch=on_batch)
    return history, net.weights + net.biases, states


CASES = {
    "momentum-expansion-l2": {},
    "plateau": {"schedule": {"type": "plateau", "metric": "evaluation_cost", "patience": 1, "min_ratio": 0.01}},
    "early-stopping": {"epochs": 40, "early_stopping": {"metric": "evaluation_cost", "patience": 3},
                       "optimizer": {"type": "sgd", "eta": 0.3, "mu": 0.7}},
}


@pytest.mark.parametrize("executor", [*EXECUTORS, NUMBA_WIDE])
@pytest.mark.parametrize("case", sorted(CASES))
def test_resuming_from_every_epoch_gives_the_uninterrupted_run(case, executor):
    spec = spec_for(executor, **CASES[case])
    history, params, states = train(spec)
    assert len(states) >= 3, "the case must run long enough to be resumed"
    if case == "early-stopping":
        assert "stop" in history[-1] and history[-1]["restored_epoch"] > 0  # kept parameters were checkpointed
    if case == "plateau":
        assert len({r["eta"] for r in history}) > 1  # the schedule changed η
    for state in states:
        again, params_again, _ = train(spec, resume=state)
        assert again == history, f"resumed after epoch {state.epoch}"
        for p, q in zip(params, params_again):
            assert p.dtype == q.dtype and np.array_equal(p, q), f"resumed after epoch {state.epoch}"


def test_a_state_shares_no_memory_with_the_training():
    spec = spec_for("numpy", epochs=3)
    _, params, states = train(spec)
    assert not any(np.shares_memory(a, b) for a in params for b in states[-1].weights + states[-1].biases)
    assert states[0].epochs == 1 and states[0].batches == 0 and len(states[0].history) == 1 and states[0].velocities


def stop_at(epoch, done):
    """An on_batch that stops the training once `done` images of epoch `epoch` are done (as a signal would)."""
    seen = {"epoch": 0, "last": 0}

    def on_batch(images, total):
        if images < seen["last"]:
            seen["epoch"] += 1
        seen["last"] = images
        if seen["epoch"] == epoch and images >= done:
            raise Stop
    return on_batch


@pytest.mark.parametrize("executor", [*EXECUTORS, NUMBA_WIDE])
@pytest.mark.parametrize("case", sorted(CASES))
def test_resuming_from_within_an_epoch_gives_the_uninterrupted_run(case, executor):
    """Stopped after the first, a middle and the last mini-batch of an epoch (80 images an epoch: 40 and
    their transformed copies, in mini-batches of 7), and within the first epoch: the state handed to
    on_checkpoint goes on as the training that never stopped, bit for bit."""
    spec = spec_for(executor, **CASES[case])
    history, params, _ = train(spec)
    for epoch, done in ((0, 7), (2, 7), (2, 42), (2, 80), (3, 77)):
        stopped = []
        data = load_datasets(spec, {"training": spec.data.training})["training"]
        net, trainer = compile_spec(spec), compile_trainer(spec)
        with pytest.raises(Stop):
            trainer.train(net, data, generator(spec.seed, "shuffle"), data, on_checkpoint=stopped.append,
                          on_batch=stop_at(epoch, done))
        state = stopped[-1]
        assert (state.epochs, state.batches) == (epoch, -(-done // 7))
        again, params_again, _ = train(spec, resume=state)
        assert again == history, f"resumed at {done} images of epoch {epoch}"
        for p, q in zip(params, params_again):
            assert np.array_equal(p, q), f"resumed at {done} images of epoch {epoch}"
