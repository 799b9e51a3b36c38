"""Run a spec: train it, and record everything in a new run folder that is never overwritten.

    runs/<name>-<YYYYmmdd-HHMMSS>/
        spec.yaml      the resolved spec (every default filled)
        metrics.jsonl  one line of monitored metrics per epoch (deterministic: no timings)
        model.json     the trained model (metadata) and model.npz (arrays)
        run.json       provenance: spec digest, data checksums, seed, versions, BLAS, git, times
"""
from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from specnet.training.compiler import build, compile_spec, compile_trainer, generator
from specnet.datasets.dataset import load_datasets
from specnet.errors import SpecError
from specnet.runs.checkpoint import remove_checkpoint, write_checkpoint
from specnet.runs.interrupt import Interrupted
from specnet.runs.lock import hold
from specnet.training.trainer import Diverged
from specnet.runs.io import save_model
from specnet.components.metrics import best, final
from specnet.runs.files import new_run_folder, point_folder, write_atomic
from specnet.runs.provenance import provenance, write_json
from specnet.spec.resolve import dump
from specnet.runs.strictjson import dumps


@dataclass
class Run:
    folder: Path
    history: list
    failures: list = field(default_factory=list)  # unmet `expect` bounds, as sentences
    model: object = None
    data: dict = field(default_factory=dict)      # the Datasets used: {"training": ..., "evaluation": ...}
    info: dict = field(default_factory=dict)      # run.json
    spec: object = None
    checks: list = field(default_factory=list)    # checks.jsonl: metrics within epochs (monitor_every)


def unmet(spec, history: list) -> list:
    """Return one sentence per `expect` bound that the run did not meet."""
    failures = []
    for e in spec.expect:
        if e.diverges and not (history and history[-1].get("stop", "").startswith("diverged")):
            failures.append("expect: the run should diverge (diverges: true), and it did not")
        if e.diverges:
            continue
        value = best(history, e.metric)[0] if e.at == "best" else final(history, e.metric)
        bounds = " and ".join(f"{k} {v}" for k, v in (("min", e.min), ("max", e.max)) if v is not None)
        if value is None:
            failures.append(f"expect: {e.at} {e.metric} has no value to check against ({bounds}): no epoch ran")
        elif (e.min is not None and value < e.min) or (e.max is not None and value > e.max):
            failures.append(f"expect: {e.at} {e.metric} = {value} is outside the bounds ({bounds})")
    return failures


def with_executor(spec, name: str):
    """Return `spec` with training.executor set to the executor that runs it (what `auto` chose)."""
    training = {**spec.resolved["training"], "executor": name}
    return replace(spec, training=replace(spec.training, executor=name), resolved={**spec.resolved, "training": training})


def run_spec(spec, runs_dir="runs", on_epoch=None, on_batch=None, stop=None, folder=None) -> Run:
    """Train `spec` (or only evaluate it, without a training section) and record the run; return it.
    `stop()`, called about a hundred times an epoch, may raise Interrupted (specnet.runs.interrupt). The run
    folder is a new one in `runs_dir`, or `folder` (a sweep's point), which must not exist or be empty."""
    started, t0 = datetime.now(timezone.utc), time.perf_counter()
    source = build("source", spec.data.source)
    data = load_datasets(spec, {"training": spec.data.training, "evaluation": spec.data.evaluation}, source)
    net = compile_spec(spec)
    trainer = compile_trainer(spec) if spec.training is not None else None
    if trainer is not None:  # the executor that runs, as the resolved spec and run.json say (auto: the choice)
        spec = with_executor(spec, trainer.executor.name)
    folder = new_run_folder(runs_dir, spec.name) if folder is None else point_folder(folder)
    info = {**provenance(spec, source.checksums(spec.base)), "status": "running",
            **({"executor": trainer.executor.name} if trainer is not None else {}),
            "started": started.isoformat(timespec="seconds"), "epoch_seconds": []}
    if hasattr(source, "class_names"):  # a CSV's labels, in the order of the output neurons
        info["classes"] = source.class_names(spec.base)
    try:
        write_atomic(folder / "spec.yaml", dump(spec).encode(), new=True)
        write_json(folder / "run.json", info)
    except OSError as e:
        raise failed(folder, info, e) from None
    return record_run(spec, folder, data, net, trainer, info, t0, on_epoch, on_batch, stop=stop)


def failed(folder: Path, info: dict, e: OSError) -> SpecError:
    """Mark the run 'failed' in run.json where that can still be written (a full or read-only disk), and
    return the one-line error naming the file and the cause."""
    info.update(status="failed", failed=f"{e.filename or folder}: {e.strerror or e}")
    try:
        write_json(folder / "run.json", info)
    except OSError:
        pass  # run.json says 'running' or nothing: never 'completed'
    return SpecError(f"cannot write the run: {e.strerror or e}", file=str(e.filename or folder),
                     hint="Free some space on the disk (or give --runs-dir a folder you can write to) and run "
                          "again; run.json says 'failed' where it could be written.")


def record_run(spec, folder, data, net, trainer, info, t0, on_epoch=None, on_batch=None, resume=None,
               append=False, stop=None, locked=False) -> Run:
    """Train (from the TrainerState `resume`, if given) into the run folder: metrics.jsonl and checks.jsonl
    line by line (new files, or `append` to those a resumed run kept), a checkpoint after every epoch, then
    the model and the completed run.json (the checkpoint, no longer needed, is removed). Interrupted by
    `stop()`, run.json says "interrupted" and the checkpoint stays."""
    try:
        with nullcontext() if locked else hold(folder):  # released when the process ends, however it ends
            return _record(spec, folder, data, net, trainer, info, t0, on_epoch, on_batch, resume, append, stop)
    except (Interrupted, Diverged, KeyboardInterrupt) as e:  # the last checkpoint stays (KeyboardInterrupt: a
        # second Ctrl-C, which stops at once): resume, or look at the last finite state
        info.update(status="diverged" if isinstance(e, Diverged) else "interrupted",
                    ended=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    wall_seconds=round(info.get("wall_seconds", 0.0) + time.perf_counter() - t0, 3),
                    **({"diverged": {"epoch": e.epoch, "why": e.why}} if isinstance(e, Diverged) else {}))
        write_json(folder / "run.json", info)
        e.folder = folder
        raise
    except OSError as e:
        raise failed(folder, info, e) from None


def _record(spec, folder, data, net, trainer, info, t0, on_epoch, on_batch, resume, append, stop) -> Run:
    epoch_seconds, last = info["epoch_seconds"], [time.perf_counter()]
    mode = "a" if append else "x"
    with open(folder / "metrics.jsonl", mode, encoding="utf-8") as metrics, \
            open(folder / "checks.jsonl", mode, encoding="utf-8") as checks:
        def record(row):
            metrics.write(dumps(row) + "\n")
            metrics.flush()
            now = time.perf_counter()
            epoch_seconds.append(round(now - last[0], 4))
            last[0] = now
            if on_epoch:
                on_epoch(row, epoch_seconds[-1])

        latest = {}  # the state after the last epoch, and whether its checkpoint is written

        def checkpoint(state):  # after an epoch's metrics, or where a signal stopped the epoch (always written)
            checks.flush()
            latest.update(state=state, written=state.batches or state.epochs % spec.training.checkpoint_every == 0)
            if latest["written"]:
                write_checkpoint(folder, state, spec.resolved)
            if stop and not state.batches:
                stop()

        def tick(done, total):
            if stop:
                stop()
            if on_batch:
                on_batch(done, total)
        try:
            if trainer is not None:
                history = trainer.train(net, data["training"], generator(spec.seed, "shuffle"), data["evaluation"],
                                        on_epoch=record, on_batch=tick, resume=resume,
                                        on_check=lambda row: checks.write(dumps(row) + "\n"),
                                        on_checkpoint=checkpoint)
            else:  # the model as it is (hand-set weights), or a baseline, which measure() fits to the training data
                history = [{"epoch": None, **net.measure(("evaluation_accuracy", "evaluation_cost"),
                                                         data["training"], data["evaluation"], len(data["training"]))}]
                record(history[0])
        except Interrupted:  # stopped by a signal: the last epoch's state is written, whatever checkpoint_every says
            if latest and not latest["written"]:
                write_checkpoint(folder, latest["state"], spec.resolved)
            raise
    save_model(net, folder, data["training"].scaling, info.get("classes"))
    failures = unmet(spec, history)
    info.update(status="completed", ended=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                wall_seconds=round(info.get("wall_seconds", 0.0) + time.perf_counter() - t0, 3), unmet=failures)
    write_json(folder / "run.json", info)
    remove_checkpoint(folder)
    return Run(folder, history, failures, net, data, info, spec)
