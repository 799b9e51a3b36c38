"""Checkpoints: the Trainer's state after an epoch, or where a signal stopped it within one
(specnet.training.state), in the run folder, so that `specnet resume` goes on from it as if the run had
never stopped.

    checkpoint-E-B.npz  the arrays after E epochs and B mini-batches of the next: w0, b0, w1, ... (parameters),
                        v0, v1, ... (the optimizer's velocities, weights then biases), kw0, kb0, ... (early
                        stopping's kept best)
    checkpoint.json     the rest: E and B, the history, the random streams' states, the resolved spec, the
                        array file's name and SHA-256. Written last, it is the commit point.

Each file is written under a temporary name, flushed to the disk (fsync) and renamed over the old one, so
a checkpoint is whole or absent whenever the process dies; the previous array file is removed only once
the new checkpoint.json names the new one. A checkpoint from a stranger's run folder is checked like a
model file (specnet.runs.modelcheck) before anything of it is used.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from pathlib import Path

import numpy as np

from specnet.datasets.idx import DAMAGED
from specnet.datasets.npyheader import ZIP_MAGIC, header
from specnet.errors import DataError, cut
from specnet.runs.io import npz_bytes
from specnet.runs.files import write_atomic
from specnet.runs.artefacts import COUNT, DAMAGED_HINT, JSON_BYTES, OBJECT, ROW, SHA, TEXT, check_fields, read_json
from specnet.runs.strictjson import dumps, restore
from specnet.training.state import TrainerState

FORMAT, JSON_NAME = "specnet-checkpoint", "checkpoint.json"
META = {"format": (TEXT,), "version": (COUNT,), "epochs": (COUNT,), "batches": (COUNT,), "rngs": (OBJECT,),
        "kept_epoch": (COUNT, None), "arrays": (TEXT,), "sha256": (SHA,), "spec": (OBJECT, None)}
_ARRAYS = re.compile(r"checkpoint-\d{1,9}-\d{1,9}\.npz")


def write_checkpoint(folder: Path, state: TrainerState, spec: dict | None = None) -> None:
    """Write `state` into the run folder as its checkpoint (see above), with the resolved `spec` it was
    trained with (resume shows what an edit of spec.yaml changed)."""
    arrays = {**{f"w{i}": w for i, w in enumerate(state.weights)}, **{f"b{i}": b for i, b in enumerate(state.biases)},
              **{f"v{i}": v for i, v in enumerate(state.velocities)}}
    if state.kept is not None:
        arrays.update({f"kw{i}": w for i, w in enumerate(state.kept[1])}, **{f"kb{i}": b for i, b in enumerate(state.kept[2])})
    name, data = f"checkpoint-{state.epochs}-{state.batches}.npz", npz_bytes(arrays)
    write_atomic(Path(folder) / name, data)
    meta = {"format": FORMAT, "version": 2, "epochs": state.epochs, "batches": state.batches, "history": state.history,
            "rngs": state.rngs, "spec": spec,
            "kept_epoch": None if state.kept is None else state.kept[0], "arrays": name,
            "sha256": hashlib.sha256(data).hexdigest()}
    write_atomic(Path(folder) / JSON_NAME, (dumps(meta, indent=1) + "\n").encode())
    for old in Path(folder).glob("checkpoint-*.npz"):
        if old.name != name:
            old.unlink(missing_ok=True)


def remove_checkpoint(folder: Path) -> None:
    """Remove a completed run's checkpoint: its model holds the result."""
    for path in [Path(folder) / JSON_NAME, *Path(folder).glob("checkpoint-*.npz")]:
        path.unlink(missing_ok=True)


def _rng_state(value, name: str, path) -> dict:
    """Return a stream's state after checking it is one a PCG64 generator takes (a stranger's may be anything)."""
    try:
        np.random.PCG64().state = value  # raises on a wrong shape, type or range
    except (TypeError, ValueError, KeyError, OverflowError) as e:
        raise DataError(f"the state of the {name} stream is not a PCG64 state: {cut(e)}", file=str(path),
                        path=f"rngs.{name}", hint=DAMAGED_HINT) from None
    return value


def read_checkpoint(folder: Path, net, trainer) -> TrainerState:
    """Return the checked checkpoint of a run folder whose network is `net` and Trainer `trainer`: the arrays
    must have the network's shapes and dtype (velocities if its optimizer keeps any), the history one row per
    epoch done with every monitored metric, and the random streams every one the training draws from."""
    path = Path(folder) / JSON_NAME
    meta = read_json(path, JSON_BYTES, "checkpoint")
    check_fields(meta, META, (*META, "history"), path)
    history, streams = meta["history"], {"shuffle", "expand"} | ({"dropout"} if trainer.executor.dropout_rng else set())
    if meta["format"] != FORMAT or meta["version"] != 2 or not _ARRAYS.fullmatch(meta["arrays"]) \
            or not isinstance(history, list) or len(history) != meta["epochs"] \
            or (meta["kept_epoch"] if meta["kept_epoch"] is not None else -1) >= meta["epochs"] or not streams <= set(meta["rngs"]):
        raise DataError("not a checkpoint specnet wrote", file=str(path), got=cut(meta["arrays"]), hint=DAMAGED_HINT)
    history = [restore(check_fields(r, ROW, ("epoch", *trainer.monitor), path)) for r in history]
    if [r["epoch"] for r in history] != list(range(len(history))):
        raise DataError("its history does not number the epochs 0, 1, 2, ...", file=str(path), hint=DAMAGED_HINT)
    for r in history:  # null only for a number that was not finite (said in "nonfinite")
        for key in (k for k in trainer.monitor if r[k] is None):
            raise DataError(f"{key}: must be a number", file=str(path), path=f"history[{r['epoch']}]", hint=DAMAGED_HINT)
    rngs = {k: _rng_state(meta["rngs"][k], k, path) for k in streams}
    velocities = not trainer.optimizer.plain
    shapes = [(f"{k}{i}", a.shape) for i, (w, b) in enumerate(zip(net.weights, net.biases)) for k, a in (("w", w), ("b", b))]
    expected = dict(shapes)
    if velocities:
        expected.update({f"v{i}": a.shape for i, a in enumerate(net.weights + net.biases)})
    if meta["kept_epoch"] is not None:
        expected.update({"k" + k: s for k, s in shapes})
    arrays = _read_arrays(Path(folder) / meta["arrays"], meta["sha256"], expected, net.dtype)
    n = len(net.weights)
    kept = None if meta["kept_epoch"] is None else (
        meta["kept_epoch"], [arrays[f"kw{i}"] for i in range(n)], [arrays[f"kb{i}"] for i in range(n)])
    return TrainerState(meta["epochs"], meta["batches"], history, [arrays[f"w{i}"] for i in range(n)], [arrays[f"b{i}"] for i in range(n)],
                        [arrays[f"v{i}"] for i in range(2 * n)] if velocities else [], rngs, kept)


def _read_arrays(npz: Path, sha256: str, expected: dict, dtype) -> dict:
    """Return the arrays of a checkpoint's .npz after checking its size, digest, names, shapes and dtype."""
    def fail(problem):
        return DataError(problem, file=str(npz), hint=DAMAGED_HINT)

    total = sum(int(np.prod(s)) for s in expected.values()) * np.dtype(dtype).itemsize
    if not npz.is_file():
        raise fail("the checkpoint's arrays are missing")
    if npz.stat().st_size > total + 1024 * (len(expected) + 1):
        raise fail(f"it has {npz.stat().st_size:,} bytes, more than the network's arrays take")
    data = npz.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256 or not data.startswith(ZIP_MAGIC):
        raise fail("it does not match the SHA-256 in checkpoint.json: the checkpoint is corrupt")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            if set(z.files) != set(expected):
                raise fail(f"its arrays are {', '.join(sorted(z.files)) or 'none'}; the run's network needs "
                           f"{', '.join(sorted(expected))}")
            for name, shape in expected.items():
                if header(z, name, fail)[:2] != (tuple(shape), np.dtype(dtype)):
                    raise fail(f"array {name} is not {tuple(shape)} {np.dtype(dtype)}, as the run's network needs")
            return {name: z[name] for name in expected}
    except DataError:
        raise
    except (*DAMAGED, ValueError, KeyError, zipfile.BadZipFile, NotImplementedError, RuntimeError) as e:
        raise fail(f"cannot read it as .npz: {cut(e)}") from None
