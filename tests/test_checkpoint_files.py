"""A checkpoint in a run folder from a stranger is read like a model file: checked before use, refused in
one line when it is damaged, never loaded past its bounds. Fuzzed: bytes of checkpoint-E-B.npz flipped, cut
or inserted (with the digest fixed so that the archive itself is read), and checkpoint.json's keys replaced
by any JSON."""
import hashlib
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from test_artefacts import JSON, damaged
from test_resume import spec_for, train
from specnet.errors import SpecError
from specnet.runs.checkpoint import read_checkpoint, write_checkpoint
from specnet.training.compiler import compile_spec, compile_trainer

EXAMPLES = int(os.environ.get("SPECNET_FUZZ_EXAMPLES", "300"))
KEYS = ["format", "version", "epochs", "batches", "spec", "history", "rngs", "kept_epoch", "arrays", "sha256"]
SPEC = spec_for("numpy", epochs=40, early_stopping={"metric": "evaluation_cost", "patience": 3},
                optimizer={"type": "sgd", "eta": 0.3, "mu": 0.7})


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A checkpoint with every kind of array: parameters, velocities, early stopping's kept best."""
    folder = tmp_path_factory.mktemp("checkpoint")
    state = train(SPEC)[2][-1]
    assert state.kept is not None and state.velocities
    write_checkpoint(folder, state)
    return folder


def _reads_or_refuses(folder):
    net = compile_spec(SPEC)
    try:
        state = read_checkpoint(folder, net, compile_trainer(SPEC))
    except SpecError as e:
        assert len(str(e).splitlines()) == 1
        return
    # read: then it is whole, each array the network's shape and dtype
    assert [(a.shape, a.dtype) for a in state.weights + state.biases] == [(a.shape, a.dtype) for a in net.weights + net.biases]


def test_the_pristine_checkpoint_reads_back(pristine):
    state = read_checkpoint(pristine, compile_spec(SPEC), compile_trainer(SPEC))
    assert state.kept is not None and len(state.velocities) == 4 and state.history[-1]["epoch"] == state.epochs - 1


@pytest.mark.parametrize("change, message", [
    ({"format": "specnet-model"}, "not a checkpoint specnet wrote"),
    ({"arrays": "../../etc/passwd"}, "not a checkpoint specnet wrote"),
    ({"epochs": 0}, "not a checkpoint specnet wrote"),  # the history says otherwise
    ({"version": 1}, "not a checkpoint specnet wrote"),  # the layout before mini-batch checkpoints
    ({"kept_epoch": 99}, "not a checkpoint specnet wrote"),  # kept from an epoch not yet run
    ({"rngs": {}}, "not a checkpoint specnet wrote"),  # a training from fresh streams would not be this run
    ({"history": "rows"}, "not a checkpoint specnet wrote"),
    ({"sha256": "0" * 64}, "the checkpoint is corrupt"),
    ({"rngs": {"shuffle": {"bit_generator": "MT19937", "state": {}}}}, "the state of the shuffle stream is not a PCG64 state"),
])
def test_a_changed_checkpoint_is_refused_in_one_line(pristine, tmp_path, change, message):
    for f in pristine.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    meta = json.loads((tmp_path / "checkpoint.json").read_text())
    if change.get("rngs"):  # one stream changed, the others kept
        change = {"rngs": {**meta["rngs"], **change["rngs"]}}
    (tmp_path / "checkpoint.json").write_text(json.dumps({**meta, **change}))
    with pytest.raises(SpecError, match=message) as caught:
        read_checkpoint(tmp_path, compile_spec(SPEC), compile_trainer(SPEC))
    assert len(str(caught.value).splitlines()) == 1


def test_a_checkpoint_of_another_network_is_refused(pristine):
    from conftest import tiny_spec
    from specnet.spec.load import spec_from_dict
    other = spec_from_dict(tiny_spec())
    with pytest.raises(SpecError, match="the run's network needs"):  # its velocities are not this run's
        read_checkpoint(pristine, compile_spec(other), compile_trainer(other))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_fuzz_checkpoint_npz(pristine, tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("fuzz")
    meta = json.loads((pristine / "checkpoint.json").read_text())
    npz = damaged((pristine / meta["arrays"]).read_bytes(), data)
    (folder / meta["arrays"]).write_bytes(bytes(npz))
    meta["sha256"] = hashlib.sha256(bytes(npz)).hexdigest()  # past the digest: the archive itself is read
    (folder / "checkpoint.json").write_text(json.dumps(meta))
    _reads_or_refuses(folder)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(changes=st.dictionaries(st.sampled_from(KEYS), JSON, max_size=3), raw=st.none() | st.binary(max_size=64))
def test_fuzz_checkpoint_json(pristine, tmp_path_factory, changes, raw):
    folder = tmp_path_factory.mktemp("fuzz")
    meta = json.loads((pristine / "checkpoint.json").read_text())
    (folder / meta["arrays"]).write_bytes((pristine / meta["arrays"]).read_bytes())
    (folder / "checkpoint.json").write_bytes(raw if raw is not None else json.dumps({**meta, **changes}).encode())
    _reads_or_refuses(folder)


@pytest.mark.parametrize("edit, message", [
    (lambda h: h[0].pop("evaluation_cost"), "no key 'evaluation_cost'"),
    (lambda h: h[0].update(evaluation_accuracy=None), "evaluation_accuracy: must be a number"),
    (lambda h: h[1].update(epoch=5), "its history does not number the epochs"),
    (lambda h: h.insert(0, dict(h[0])) or h.pop(), "its history does not number the epochs"),
])
def test_a_history_that_is_not_the_runs_is_refused(pristine, tmp_path, edit, message):
    """The history is what a resumed run goes on from (schedules and early stopping read it): every row
    must hold the monitored metrics, numbered 0, 1, 2, ..."""
    for f in pristine.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    meta = json.loads((tmp_path / "checkpoint.json").read_text())
    edit(meta["history"])
    (tmp_path / "checkpoint.json").write_text(json.dumps(meta))
    with pytest.raises(SpecError, match=message):
        read_checkpoint(tmp_path, compile_spec(SPEC), compile_trainer(SPEC))
