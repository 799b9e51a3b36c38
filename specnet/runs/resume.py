"""`specnet resume RUN`: go on with a run that stopped before it completed, from its last checkpoint
(specnet.runs.checkpoint). The run folder then ends as the uninterrupted run's would, bit for bit:
metrics.jsonl, checks.jsonl and model.npz (the lines after the checkpoint are computed again, the same).

A run is resumed as it started: with its own resolved spec (spec.yaml, executor included), on data with the
checksums run.json recorded, by the same version of specnet. A change is refused and named (an edit of
spec.yaml value by value, against the spec its checkpoint holds), unless `force`, which goes on with it and
records it in run.json ("resumed"): 20 more epochs, say, or a smaller η from here on.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from specnet import __version__
from specnet.datasets.dataset import load_datasets
from specnet.errors import DataError, SpecError, cut
from specnet.runs.artefacts import DAMAGED_HINT, JSON_BYTES, SpecEdited, read_json
from specnet.runs.checkpoint import JSON_NAME, read_checkpoint
from specnet.runs.files import write_atomic
from specnet.runs.lock import hold
from specnet.runs.strictjson import dumps
from specnet.runs.provenance import write_json
from specnet.runs.folder import is_run_folder, load_run
from specnet.runs.run import Run, record_run
from specnet.spec.diff import diff_values
from specnet.training.compiler import build, compile_spec, compile_trainer


def changes(info: dict, sums: dict) -> list:
    """What differs from when the run started: its data files' checksums, specnet's version."""
    found = [f"{path}: SHA-256 {info['data'].get(path, 'none')[:12]}… is now {sha[:12]}…"
             for path, sha in sums.items() if info.get("data", {}).get(path) != sha]
    if info.get("specnet") != __version__:
        found.append(f"specnet {info.get('specnet')} is now {__version__}")
    return found


def spec_changes(folder: Path, spec: dict) -> list:
    """What an edit of the run's spec.yaml changed, from the spec its checkpoint was trained with."""
    path = folder / JSON_NAME
    started = read_json(path, JSON_BYTES, "checkpoint").get("spec") if path.is_file() else None
    if not isinstance(started, dict):
        return ["spec.yaml was edited (no checkpoint holds the spec the run started with)"]
    return [f"spec.yaml {k}: {cut(a)} is now {cut(b)}" for k, a, b in diff_values(started, spec)] or \
        ["spec.yaml was edited (the same values, written differently)"]


def _keep_checks(path: Path, images: int) -> None:
    """Keep the lines of checks.jsonl measured after at most `images` training images (the file is read and
    checked by load_run already; a torn last line is dropped), byte for byte; rewritten whole, atomically."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True) if path.is_file() else []
    write_atomic(path, "".join(x for x in lines if x.endswith("\n") and json.loads(x)["images"] <= images).encode())


@dataclass
class Resumption:
    """A run ready to go on: checked, its data loaded and its checkpoint read, its lock held (`lock`)."""
    folder: Path
    run: Run
    changed: list    # what changed since the run started (with --force)
    data: dict
    net: object
    trainer: object
    state: object    # the checkpoint's TrainerState, or None (the run stopped before its first checkpoint)
    lock: object

    def go(self, on_epoch=None, on_batch=None, stop=None) -> Run:
        """Go on with the run to its end (or the next stop); the lock is let go at the end."""
        with self.lock:
            return _go(self, on_epoch, on_batch, stop)


def prepare_resume(folder, force: bool = False) -> Resumption:
    """Take the run's lock (two resumes of one run cannot both go on), check that the run can go on, and read
    its data and its last checkpoint: every problem is found before anything is trained or rewritten."""
    folder, t0 = is_run_folder(folder), time.perf_counter()  # (no run.lock is made in a folder of something else)
    lock = hold(folder)  # raises if a live process holds it: the run is still running
    try:
        try:
            run, edits = load_run(folder), []
        except SpecEdited:  # spec.yaml was edited: say what changed (resume --force goes on with it)
            run = load_run(folder, edited=True)
            edits = spec_changes(folder, run.spec.resolved)
            run.info["resolved_spec_sha256"] = run.spec.digest()
        if run.info["status"] == "completed" or run.spec.training is None:
            raise SpecError("this run is complete: there is nothing to resume", file=str(folder),
                            hint="specnet evaluate or specnet diff read it; specnet run trains the spec again.")
        spec, source = run.spec, build("source", run.spec.data.source)
        changed = edits + changes(run.info, source.checksums(spec.base))
        if changed and not force:
            raise SpecError(f"it changed since the run started: {'; '.join(changed)}", file=str(folder),
                            hint="Resume with --force to go on with the change (run.json records it), or run the "
                                 "spec again.")
        data = load_datasets(spec, {"training": spec.data.training, "evaluation": spec.data.evaluation}, source)
        net, trainer = compile_spec(spec), compile_trainer(spec)
        state = read_checkpoint(folder, net, trainer) if (folder / JSON_NAME).is_file() else None
        batches = -(-trainer.epoch_size(data["training"]) // trainer.mini_batch_size)  # in an epoch
        if state is not None and state.batches > batches:
            raise DataError(f"its checkpoint is at mini-batch {state.batches} of an epoch that has {batches}",
                            file=str(folder / JSON_NAME), path="batches", hint=DAMAGED_HINT)
    except BaseException:
        lock.close()
        raise
    run.info["wall_seconds"] = run.info.get("wall_seconds", 0.0) + time.perf_counter() - t0
    return Resumption(folder, run, changed, data, net, trainer, state, lock)


def resume_run(folder, force: bool = False, on_epoch=None, on_batch=None, stop=None) -> Run:
    """Go on with the run in `folder` from its last checkpoint (from its start if it has none); return it."""
    return prepare_resume(folder, force).go(on_epoch, on_batch, stop)


def _go(r: Resumption, on_epoch, on_batch, stop) -> Run:
    t0, folder, info, state, trainer = time.perf_counter(), r.folder, r.run.info, r.state, r.trainer
    done, batches = (0, 0) if state is None else (state.epochs, state.batches)  # later lines are redone
    n, m = trainer.epoch_size(r.data["training"]), trainer.mini_batch_size
    # metrics.jsonl as the checkpoint's history says (written to disk with it), whatever the file kept
    write_atomic(folder / "metrics.jsonl", "".join(dumps(x) + "\n" for x in (state.history if state else [])).encode())
    _keep_checks(folder / "checks.jsonl", done * n + min(batches * m, n))
    for name in ("model.npz", "model.json"):  # a model whose writing failed (a full disk) is written again
        (folder / name).unlink(missing_ok=True)
    resumed = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "epochs_done": done,
               **({"mini_batches_done": batches} if batches else {})}
    for key in ("failed", "diverged", "unmet", "ended"):  # of the attempt before; this one says its own
        info.pop(key, None)
    info.update(status="running", epoch_seconds=info.get("epoch_seconds", [])[:done],
                resumed=[*info.get("resumed", []), {**resumed, **({"changes": r.changed} if r.changed else {})}])
    write_json(folder / "run.json", info)
    return record_run(r.run.spec, folder, r.data, r.net, trainer, info, t0, on_epoch, on_batch, resume=state,
                      append=True, stop=stop, locked=True)
