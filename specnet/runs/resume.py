"""`specnet resume RUN`: go on with a run that stopped before it completed, from its last checkpoint
(specnet.runs.checkpoint). The run folder then ends as the uninterrupted run's would, bit for bit:
metrics.jsonl, checks.jsonl and model.npz (the lines after the checkpoint are computed again, the same).

A run is resumed as it started: with its own resolved spec (spec.yaml, executor included), on data with the
checksums run.json recorded, by the same version of specnet. A change is refused and named, unless `force`,
which goes on with it and records it in run.json ("resumed").
"""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from pathlib import Path

from specnet import __version__
from specnet.datasets.dataset import load_datasets
from specnet.errors import SpecError
from specnet.runs.checkpoint import JSON_NAME, read_checkpoint
from specnet.runs.files import write_atomic
from specnet.runs.lock import hold
from specnet.runs.strictjson import dumps
from specnet.runs.provenance import write_json
from specnet.runs.folder import load_run
from specnet.runs.run import Run, record_run
from specnet.training.compiler import build, compile_spec, compile_trainer


def changes(info: dict, sums: dict) -> list:
    """What differs from when the run started: its data files' checksums, specnet's version."""
    found = [f"{path}: SHA-256 {info['data'].get(path, 'none')[:12]}… is now {sha[:12]}…"
             for path, sha in sums.items() if info.get("data", {}).get(path) != sha]
    if info.get("specnet") != __version__:
        found.append(f"specnet {info.get('specnet')} is now {__version__}")
    return found


def _keep_epochs(path: Path, done: int) -> None:
    """Keep the lines of metrics.jsonl or checks.jsonl of the epochs before `done` (read and checked by
    load_run already), byte for byte; the file is rewritten whole, atomically."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True) if path.is_file() else []
    write_atomic(path, "".join(x for x in lines if x.strip() and json.loads(x)["epoch"] < done).encode())


def resumable(folder) -> Run:
    """Return the run in `folder` (checked) if it can be resumed: it started training and did not complete."""
    run = load_run(folder)
    if run.info["status"] == "completed" or run.spec.training is None:
        raise SpecError("this run is complete: there is nothing to resume", file=str(folder),
                        hint="specnet evaluate or specnet diff read it; specnet run trains the spec again.")
    if run.info["status"] == "running":  # its process holds the run's lock (specnet.runs.lock)
        raise SpecError("this run is still running in another process", file=str(folder),
                        hint="Wait for it, or stop it (Ctrl-C or kill) and resume it then.")
    return run


def resume_run(folder, force: bool = False, on_epoch=None, on_batch=None, stop=None) -> Run:
    """Go on with the run in `folder` from its last checkpoint (from its start if it has none); return it.
    The run's lock is taken first and held to the end: two resumes of one run cannot both go on."""
    resumable(folder)
    with hold(folder):
        return _resume(Path(folder), force, on_epoch, on_batch, stop)


def _resume(folder: Path, force, on_epoch, on_batch, stop) -> Run:
    t0 = time.perf_counter()
    run = load_run(folder)  # checked as resumable before the lock was taken; it says 'running' now: ours
    info, spec = run.info, run.spec
    source = build("source", spec.data.source)
    changed = changes(info, source.checksums(spec.base))
    if changed and not force:
        raise SpecError(f"it changed since the run started: {'; '.join(changed)}", file=str(folder),
                        hint="Resume with --force to go on with the change (run.json records it), or run the spec again.")
    data = load_datasets(spec, {"training": spec.data.training, "evaluation": spec.data.evaluation}, source)
    net, trainer = compile_spec(spec), compile_trainer(spec)
    state = read_checkpoint(folder, net, trainer) if (folder / JSON_NAME).is_file() else None
    done = 0 if state is None else state.epoch + 1  # the epochs the checkpoint holds; later lines are redone
    # metrics.jsonl as the checkpoint's history says (written to disk with it), whatever the file kept
    write_atomic(folder / "metrics.jsonl", "".join(dumps(r) + "\n" for r in (state.history if state else [])).encode())
    _keep_epochs(folder / "checks.jsonl", done)
    for name in ("model.npz", "model.json"):  # a model whose writing failed (a full disk) is written again
        (folder / name).unlink(missing_ok=True)
    resumed = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "epochs_done": done}
    for key in ("failed", "diverged", "unmet", "ended"):  # of the attempt before; this one says its own
        info.pop(key, None)
    info.update(status="running", epoch_seconds=info.get("epoch_seconds", [])[:done],
                resumed=[*info.get("resumed", []), {**resumed, **({"changes": changed} if changed else {})}])
    write_json(folder / "run.json", info)
    return record_run(spec, folder, data, net, trainer, info, t0, on_epoch, on_batch, resume=state, append=True,
                      stop=stop, locked=True)
