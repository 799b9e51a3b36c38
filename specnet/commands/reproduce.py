"""Reproduce the book: run every spec that names a book result, over several seeds, check its `expect`
bounds, and write REPRODUCTION.md (the book's figure, specnet's mean and spread, pass or fail, wall time).

    $ specnet reproduce --seeds 3 --jobs 2
"""
from __future__ import annotations

import os
import re
import statistics
import sys
from pathlib import Path

from specnet.commands.reproduction import report
from specnet.commands.validate import spec_files
from specnet.components.metrics import best, final
from specnet.errors import SpecError
from specnet.runs.artefacts import read_info
from specnet.runs.report import layer_rows
from specnet.runs.folder import load_run
from specnet.runs.files import new_run_folder
from specnet.runs.run import run_spec, unmet, with_executor
from specnet.runs.resume import resume_run
from specnet.training.trainer import Diverged
from specnet.spec.load import load_spec
from specnet.sweeps.engines import engine
from specnet.spec.sweep import IsASweep
from specnet.training.compiler import executor_for


def book_specs(paths) -> list:
    """Return the spec files among `paths` (files or folders) that have a `book` section, in book order."""
    return [f for f, _ in _loaded_book_specs(paths)]


def _loaded_book_specs(paths) -> list:
    """Return (file, Spec) for the specs among `paths` that have a `book` section, in book order."""
    found = [(f, _one_spec(f)) for f in spec_files(paths)]
    found = [(f, s) for f, s in found if s is not None and s.book]
    return sorted(found, key=lambda fs: (_order(fs[1].book.result), fs[0].name))


def _one_spec(path):
    """Return the spec in `path`, or None for a sweep file (its points are not book results)."""
    try:
        return load_spec(path, check_data=False)
    except IsASweep:
        return None


def _order(result: str) -> tuple:
    kind, number = re.match(r"([A-Z]+)-?(\d*)", result).groups()
    return ({"R": 0, "H": 1, "EX": 2}.get(kind, 3), int(number) if number else 999, result)


def _what_runs(resolved: dict) -> dict:
    """The parts of a resolved spec that decide a run: all but its name, words and `expect` bounds."""
    return {k: v for k, v in resolved.items() if k not in ("name", "description", "book", "expect")}


def _done_before(spec, runs_dir: Path):
    """Return a run of this very spec and seed in runs_dir: a completed one, else one that stopped (killed,
    interrupted, failed) and can be resumed from its checkpoint; or None. Every run folder of a spec of this
    name is checked before use (specnet.runs.artefacts): a damaged one is a SpecError naming its file."""
    if spec.training is not None:  # as the run folder has it: auto's choice of executor made
        spec = with_executor(spec, executor_for(spec))
    stopped = None
    for info_file in sorted(Path(runs_dir).glob(f"{spec.name}-*/run.json")):
        if read_info(info_file.parent)["status"] == "diverged" and not any(x.diverges for x in spec.expect):
            continue  # run again: a divergence the spec does not expect
        run = load_run(info_file.parent)
        if _what_runs(run.spec.resolved) != _what_runs(spec.resolved):
            continue
        if run.info["status"] in ("completed", "diverged"):  # (diverged: as the spec expects)
            return run
        stopped = stopped or (run if run.info["status"] in ("interrupted", "failed") else None)
    return stopped


def run_one(path: str, seed: int, runs_dir: str, stopped: str | None = None) -> dict:
    """Run one spec with one seed (in a worker process), or go on with its `stopped` run folder; return what
    the report needs."""
    spec = load_spec(path, [f"seed={seed}"])
    try:
        run = resume_run(stopped) if stopped else run_spec(spec, runs_dir)
    except Diverged as e:  # the outcome a spec may expect (expect: diverges: true); else the run failed
        if not any(x.diverges for x in spec.expect):
            raise
        run = load_run(e.folder)
    return _result(path, seed, spec, run, False)


def run_task(task: tuple) -> dict:
    """run_one for an engine, which passes one task."""
    return run_one(*task)


def _result(path: str, seed: int, spec, run, reused: bool) -> dict:
    values = [best(run.history, e.metric)[0] if e.at == "best" else final(run.history, e.metric) for e in spec.expect]
    return {"path": path, "seed": seed, "values": values, "unmet": unmet(spec, run.history), "folder": str(run.folder),
            "seconds": run.info.get("wall_seconds", 0.0), "epochs": len(run.history), "reused": reused,
            "started": run.info.get("started")}


def reproduce(paths, seeds: int = 1, jobs: int = 1, runs_dir="runs/reproduce", echo=print, resume=False,
              dask=None) -> list:
    """Run every book spec `seeds` times (seed, seed + 1, ...), `jobs` at a time; return one dict per spec.
    With `resume`, a run already completed in runs_dir for the same spec and seed is used instead, and one
    that stopped goes on from its checkpoint (looked up and checked here, before any run starts: a damaged
    run folder stops the reproduction in one line); nothing is removed."""
    specs = _loaded_book_specs(paths)
    if not specs:
        raise SpecError("none of these specs has a book section", file=" ".join(map(str, paths)),
                        hint="reproduce runs the specs that name a result of the book (book: {result: ...}); "
                             "specnet run runs any spec.")
    tasks = [(str(f), spec.seed + i, str(runs_dir)) for f, spec in specs for i in range(seeds)]
    reused, results = [], []
    for path, seed, _ in list(tasks) if resume else ():
        spec = load_spec(path, [f"seed={seed}"])
        earlier = _done_before(spec, runs_dir)
        if earlier is not None:
            tasks.remove((path, seed, str(runs_dir)))
            if earlier.info["status"] in ("completed", "diverged"):
                reused.append(_result(path, seed, spec, earlier, True))
            else:
                tasks.append((path, seed, str(runs_dir), str(earlier.folder)))

    def done(r):
        results.append(r)
        echo(f"[{len(results)}/{len(reused) + len(tasks)}] {Path(r['path']).name} seed {r['seed']}: "
             f"{'ok' if not r['unmet'] else 'UNMET'} ({r['seconds']:.0f} s)")
    for r in reused:
        done(r)
    if jobs > 1:  # one BLAS thread per worker: the workers are the parallelism (Numba's: the engine's pool)
        os.environ.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    for task, result in engine(jobs, dask, run_task)(tasks):  # the sweeps' engines (specnet.sweeps.engines)
        if isinstance(result, BaseException):  # one broken run is reported, and the others go on
            result = {"path": task[0], "seed": task[1], "values": [], "unmet": [f"the run failed: {result}"],
                      "folder": None, "seconds": 0.0, "epochs": 0, "reused": False, "started": None}
        done(result)
    return [_summary(f, spec, [r for r in results if r["path"] == str(f)]) for f, spec in specs]


def _summary(path: Path, spec, runs: list) -> dict:
    first = [r["values"][0] for r in runs if r["values"] and r["values"][0] is not None]
    return {"spec": path.name, "path": str(path), "book": spec.book, "expect": spec.expect,
            "values": first, "passed": sum(not r["unmet"] for r in runs), "runs": len(runs),
            "seconds": statistics.mean(r["seconds"] for r in runs), "unmet": sorted({u for r in runs for u in r["unmet"]}),
            "folders": [r["folder"] for r in sorted(runs, key=lambda r: r["seed"])],
            "reused": sum(r["reused"] for r in runs), "started": sorted(r["started"] for r in runs if r["started"]),
            "sizes": str(spec.network.sizes) if spec.network else None,  # and its weights and biases (R21):
            "parameters": sum(row["parameters"] for row in layer_rows(spec))}


def main_command(paths, seeds, jobs, out, runs_dir, resume=False, dask=None) -> int:
    """Run the reproduction, write the report to `out` (None: a new folder in runs_dir); return 0 if every
    run passed, else 1."""
    rows = reproduce(paths, seeds, jobs, runs_dir, lambda s: print(s, file=sys.stderr, flush=True), resume, dask)
    command = "specnet reproduce " + " ".join(sys.argv[2:]) if sys.argv[1:2] == ["reproduce"] else "specnet reproduce"
    if out is None:  # a partial reproduction: a new file beside its runs, never one written before
        out = new_run_folder(runs_dir, "report") / "REPRODUCTION.md"
    text = report(rows, seeds, command, Path(out).parent)
    Path(out).write_text(text, encoding="utf-8")
    print(f"Report written to {out}", file=sys.stderr)
    return 0 if all(r["passed"] == r["runs"] for r in rows) else 1
