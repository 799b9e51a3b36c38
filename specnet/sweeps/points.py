"""One point of a sweep, trained where it is sent: in this process, a process of a local pool, or a Dask
worker on another machine. A task is plain data (the point's resolved spec as YAML text, its data's
checksums, its run folder), so that it travels to any worker; `train_point` is the function they run.

On a Dask worker the run is trained in a temporary folder and its files come back as bytes, which the sweep
writes into the point's folder: workers need specnet (the same version) and the data files, not a shared
disk. A worker whose data files differ from the sweep's (by SHA-256) refuses the point.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from specnet import __version__
from specnet.components.metrics import best, final
from specnet.errors import SpecError
from specnet.runs.checkpoint import JSON_NAME
from specnet.runs.folder import load_run
from specnet.runs.resume import resume_run
from specnet.runs.run import run_spec
from specnet.spec.document import parse_yaml
from specnet.spec.load import spec_from_document
from specnet.training.compiler import build
from specnet.training.trainer import Diverged

SHIPPED = ("spec.yaml", "run.json", "metrics.jsonl", "checks.jsonl", "model.json", "model.npz", JSON_NAME)


def train_point(task: dict) -> dict:
    """Train (or resume) one point; return its outcome: status, error, metrics, seconds, and with
    `task["ship"]` the run folder's files as bytes."""
    from threadpoolctl import threadpool_limits
    if task["version"] != __version__:
        raise SpecError(f"this worker has specnet {__version__}, the sweep {task['version']}", file="--dask",
                        hint="Install the same specnet on every worker.")
    t0, argv = time.perf_counter(), sys.argv
    sys.argv = task["argv"]  # run.json's `command`: the sweep's, not a worker's
    with tempfile.TemporaryDirectory(prefix="specnet-point-") as tmp, threadpool_limits(task["blas_threads"]):
        folder = Path(tmp) / "run" if task["ship"] else Path(task["folder"])
        spec = spec_from_document(parse_yaml(task["spec"], str(Path(task["folder"]) / "spec.yaml")), task["base"])
        if task["ship"]:
            _check_data(spec, task["checksums"])
            if task["files"]:
                folder.mkdir()
                for name, data in task["files"].items():
                    (folder / name).write_bytes(data)
        error = None
        try:
            resume_run(folder) if task["files"] or task["resume"] else run_spec(spec, folder=folder)
        except Diverged:
            pass  # an outcome, said in run.json
        except SpecError as e:  # a full disk, damaged data: the point failed, the others go on
            error = str(e)
        out = outcome(folder, error)
        out["seconds"], sys.argv = round(time.perf_counter() - t0, 3), argv
        if task["ship"] and folder.is_dir():
            out["files"] = {f.name: f.read_bytes() for f in folder.iterdir()
                            if f.name in SHIPPED or f.name.startswith("checkpoint-")}
        return out


def _check_data(spec, expected: dict) -> None:
    """Refuse data files on this worker that are not the sweep's (by SHA-256; their paths may differ)."""
    mine = build("source", spec.data.source).checksums(spec.base)
    if sorted(mine.values()) != sorted(expected.values()):
        raise SpecError("this worker's data files differ from the sweep's (SHA-256)", file=", ".join(mine),
                        hint="Give every worker the same data files (specnet checks them by SHA-256).")


def outcome(folder: Path, error=None) -> dict:
    """Return a point's status and metrics from its run folder (or the error that stopped it)."""
    try:
        run = load_run(folder)
    except SpecError as e:
        return {"status": "failed", "error": error or str(e)}
    metrics = {m: {"best": best(run.history, m)[0], "final": final(run.history, m)}
               for m in (run.spec.training.monitor if run.spec.training else ())}
    status = "failed" if error else run.info["status"]
    return {"status": status, "error": error or run.info.get("failed"), "epochs": len(run.history), "metrics": metrics,
            "seconds": run.info.get("wall_seconds", 0.0)}
