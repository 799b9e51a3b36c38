"""Run a sweep: every point's run folder is named by the SHA-256 of its resolved spec, so a sweep run again
(after a crash, or with more points) trains only what is missing, and a changed point is a new folder:

    runs/<sweep>/<spec name>-<12 hex digits>/     a point's run folder (as `specnet run` writes one)
    runs/<sweep>/sweep.json                       every point: its values, folder, status, metrics, time

A point already completed (or diverged) is kept as it is; one that stopped (interrupted, failed, killed)
goes on from its checkpoint; one that another process is training is left to it. A point that fails is
reported with its error, and the others go on.
"""
from __future__ import annotations

import sys
from pathlib import Path

from specnet import __version__
from specnet.errors import SpecError, cut
from specnet.runs.artefacts import JSON_BYTES, read_json
from specnet.runs.files import write_atomic
from specnet.runs.folder import load_run
from specnet.runs.lock import hold
from specnet.runs.strictjson import dumps
from specnet.spec.resolve import dump
from specnet.sweeps.engines import engine
from specnet.sweeps.points import SHIPPED, outcome
from specnet.training.compiler import build


SHIP_BYTES = 1 << 30  # a file of a stopped point sent to a Dask worker (a checkpoint of [784, 100, 10]: 0.6 MB)


def folder_of(sweep_dir: Path, point) -> Path:
    return Path(sweep_dir) / f"{point.spec.name}-{point.key[:12]}"


def _state(folder: Path) -> str:
    """What to do with a point's folder: "new", "done", "resume", "busy", or why it cannot be used."""
    if not folder.exists() or (folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir())):
        return "new"
    try:
        status = load_run(folder).info["status"]
    except SpecError as e:
        return f"damaged: {e}"
    return {"completed": "done", "diverged": "done", "running": "busy"}.get(status, "resume")


def run_sweep(points, sweep_dir, jobs: int = 1, dask: str | None = None, echo=print) -> list:
    """Train the points that are missing from `sweep_dir` (see above), `jobs` at a time or on the Dask
    scheduler at `dask`; return one row per point (what sweep.json holds), in the sweep's order."""
    sweep_dir = Path(sweep_dir)
    try:
        sweep_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise SpecError(f"cannot create the sweep's folder: {e.strerror or e}", file=str(sweep_dir),
                        hint="Give --runs-dir a folder you can write to.") from None
    lock = hold(sweep_dir)  # one sweep at a time in a folder (its run.lock, as a run's)
    rows, tasks = [], []
    for i, p in enumerate(points):
        folder, state = folder_of(sweep_dir, p), _state(folder_of(sweep_dir, p))
        rows.append({"point": i, "key": p.key, "folder": folder.name, "values": p.values, "state": state})
        if state in ("new", "resume"):
            tasks.append({**_task(p, folder, state == "resume", dask is not None, jobs > 1 or dask), "point": i})
        else:
            rows[-1].update(outcome(folder) if state in ("done", "busy") else {"status": "failed", "error": state})
            if state == "busy":
                rows[-1]["status"] = "running"
    bad = [r for r in rows if r["state"].startswith("damaged")]
    echo(f"{len(points)} point{'s' * (len(points) != 1)}: {len(points) - len(tasks) - len(bad)} already there, {len(tasks)} to train"
         + (f" on {dask}" if dask else f", {jobs} at a time") + (f", {len(bad)} that cannot be used:" if bad else ""))
    for r in bad:  # never overwritten: the user looks at it, and removes it to train the point again
        echo(f"  {r['folder']}: {r['error']} (remove the folder to train the point again)")
    done = len(points) - len(tasks)
    with lock:
        _write(sweep_dir, rows)
        for task, result in engine(jobs, dask)(tasks):
            row = rows[task["point"]]
            if isinstance(result, BaseException):
                result = {"status": "failed", "error": cut(str(result) or type(result).__name__, 500)}
            files = result.pop("files", None)
            if files:
                _unpack(sweep_dir / row["folder"], files)
            row.update(result)
            done += 1
            echo(f"[{done}/{len(points)}] {label(row['values'])}: {summary(row)}")
            _write(sweep_dir, rows)
    return rows


def _task(point, folder: Path, resume: bool, ship: bool, blas_threads) -> dict:
    files = {f.name: f.read_bytes() for f in folder.iterdir() if f.is_file() and not f.is_symlink()
             and (f.name in SHIPPED or f.name.startswith("checkpoint-")) and f.stat().st_size <= SHIP_BYTES} \
        if ship and resume else None  # a run's files only, bounded: the worker's checks refuse what is missing
    return {"spec": dump(point.spec), "base": str(point.spec.base), "folder": str(folder), "argv": list(sys.argv),
            "resume": resume, "ship": ship, "files": files, "version": __version__,
            "blas_threads": 1 if blas_threads else None,  # one BLAS thread a job: the jobs are the parallelism
            "checksums": build("source", point.spec.data.source).checksums(point.spec.base)}


def _unpack(folder: Path, files: dict) -> None:
    """Write the files a Dask worker sent back into the point's folder (each whole, or not at all)."""
    folder.mkdir(exist_ok=True)
    with hold(folder):
        for old in folder.glob("checkpoint*"):
            if old.name not in files:
                old.unlink()
        for name, data in files.items():
            write_atomic(folder / name, data)


def label(values: dict) -> str:
    return " ".join(f"{path.split('.')[-1]}={value}" for path, value in values.items()) or "(the spec)"


def summary(row: dict) -> str:
    text = row.get("status", "?")
    for metric, v in (row.get("metrics") or {}).items():
        if metric.endswith("accuracy") and v["best"] is not None:  # as `specnet run` and `runs` show them
            text += f", {metric.replace('_', ' ')} best {100 * v['best']:.2f}% final {100 * v['final']:.2f}%"
    if row.get("error"):
        text += f": {row['error']}"
    return text + (f" ({row['seconds']:.1f} s)" if "seconds" in row else "")


def _write(sweep_dir: Path, rows: list) -> None:
    """Write sweep.json: this sweep's points, after those of earlier sweeps in the folder that it does not
    have (another sweep of the same spec, with other values): every point trained here, each once."""
    try:
        earlier = read_json(sweep_dir / "sweep.json", JSON_BYTES, "sweep.json").get("points") or []
    except SpecError:
        earlier = []  # none, or not one specnet wrote: this sweep's points replace it
    keys = {r["key"] for r in rows}
    kept = [r for r in earlier if isinstance(r, dict) and r.get("key") not in keys]
    write_atomic(sweep_dir / "sweep.json", (dumps({"format": "specnet-sweep", "points": kept + rows}, indent=1)
                                            + "\n").encode())
