"""Run a spec: train it, and record everything in a new run folder that is never overwritten.

    runs/<name>-<YYYYmmdd-HHMMSS>/
        spec.yaml      the resolved spec (every default filled)
        metrics.jsonl  one line of monitored metrics per epoch (deterministic: no timings)
        model.json     the trained model (metadata) and model.npz (arrays)
        run.json       provenance: spec digest, data checksums, seed, versions, BLAS, git, times
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from specnet.compiler import build, compile_spec, generator
from specnet.datasets import load_datasets
from specnet.io import save_model
from specnet.resolve import dump


@dataclass
class Run:
    folder: Path
    history: list
    failures: list = field(default_factory=list)  # unmet `expect` bounds, as sentences
    model: object = None


def new_run_folder(runs_dir, name: str) -> Path:
    """Create and return runs_dir/<name>-<timestamp>, adding -2, -3, ... rather than reuse a folder."""
    runs_dir = Path(runs_dir)
    runs_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for i in range(1, 1000):
        folder = runs_dir / (f"{name}-{stamp}" + (f"-{i}" if i > 1 else ""))
        try:
            folder.mkdir()  # fails if it exists: an earlier run is never touched
            return folder
        except FileExistsError:
            continue
    raise RuntimeError(f"cannot create a new run folder in {runs_dir}")


def _git(folder: Path):
    try:
        out = lambda *a: subprocess.run(["git", "-C", str(folder), *a], capture_output=True, text=True,  # noqa: E731
                                        timeout=5, check=True).stdout.strip()
        return {"commit": out("rev-parse", "HEAD"), "dirty": bool(out("status", "--porcelain"))}
    except (OSError, subprocess.SubprocessError):
        return None


def provenance(spec, source_sums: dict) -> dict:
    """Return what is needed to reproduce or explain a run."""
    from specnet import __version__

    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    return {"specnet": __version__, "spec_file": spec.file, "spec_sha256": spec.digest(), "name": spec.name,
            "seed": spec.seed, "data": source_sums, "python": platform.python_version(), "numpy": np.__version__,
            "blas": {k: blas.get(k) for k in ("name", "version")}, "platform": platform.platform(),
            "cpus": os.cpu_count(), "command": sys.argv, "git": _git(Path(spec.file or ".").resolve().parent)}


def best(history: list, metric: str):
    """Return (value, epoch) of the best value of `metric`: highest accuracy, lowest cost."""
    rows = [r for r in history if metric in r]
    if not rows:
        return None, None
    pick = (max if "accuracy" in metric else min)(rows, key=lambda r: r[metric])
    return pick[metric], pick["epoch"]


def unmet(spec, history: list) -> list:
    """Return one sentence per `expect` bound that the run did not meet."""
    failures = []
    for e in spec.expect:
        value = best(history, e.metric)[0] if e.at == "best" else next(
            (r[e.metric] for r in reversed(history) if e.metric in r), None)
        if value is None or (e.min is not None and value < e.min) or (e.max is not None and value > e.max):
            bounds = " and ".join(f"{k} {v}" for k, v in (("min", e.min), ("max", e.max)) if v is not None)
            failures.append(f"expect: {e.at} {e.metric} = {value} is outside the bounds ({bounds})")
    return failures


def run_spec(spec, runs_dir="runs", on_epoch=None, on_batch=None) -> Run:
    """Train `spec` (or only evaluate it, without a training section) and record the run; return it."""
    started, t0 = datetime.now(timezone.utc), time.perf_counter()
    source = build("source", spec.data.source)
    data = load_datasets(spec, {"training": spec.data.training, "evaluation": spec.data.evaluation})
    net = compile_spec(spec)
    folder = new_run_folder(runs_dir, spec.name)
    (folder / "spec.yaml").write_text(dump(spec), encoding="utf-8")
    info = provenance(spec, source.checksums(spec.base))
    info.update(status="running", started=started.isoformat(timespec="seconds"))
    _write_json(folder / "run.json", info)
    epoch_seconds, last = [], [time.perf_counter()]
    with open(folder / "metrics.jsonl", "x", encoding="utf-8") as metrics:
        def record(row):
            metrics.write(json.dumps(row) + "\n")
            metrics.flush()
            now = time.perf_counter()
            epoch_seconds.append(round(now - last[0], 4))
            last[0] = now
            if on_epoch:
                on_epoch(row, epoch_seconds[-1])
        t = spec.training
        if t is not None:
            history = net.train(data["training"], t.epochs, t.mini_batch_size, generator(spec.seed, "shuffle"),
                                data["evaluation"], t.monitor, t.shuffle, on_epoch=record, on_batch=on_batch)
        else:
            history = [{"epoch": None, **net.measure(("evaluation_accuracy", "evaluation_cost"), None,
                                                     data["evaluation"], len(data["training"]))}]
            record(history[0])
    save_model(net, folder, [la.activation for la in spec.network.layers], spec.network.cost)
    failures = unmet(spec, history)
    info.update(status="completed", ended=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                wall_seconds=round(time.perf_counter() - t0, 3), epoch_seconds=epoch_seconds, unmet=failures)
    _write_json(folder / "run.json", info)
    return Run(folder, history, failures, net)


def _write_json(path: Path, data: dict):
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)
