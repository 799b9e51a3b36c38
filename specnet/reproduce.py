"""Reproduce the book: run every spec that names a book result, over several seeds, check its `expect`
bounds, and write REPRODUCTION.md (the book's figure, specnet's mean and spread, pass or fail, wall time).

    $ specnet reproduce --seeds 3 --jobs 2
"""
from __future__ import annotations

import os
import re
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import datetime, timezone
from multiprocessing import get_context
from pathlib import Path


def book_specs(paths) -> list:
    """Return the spec files among `paths` (files or folders) that have a `book` section, in book order."""
    from specnet.spec import load_spec
    from specnet.validate import spec_files

    found = [(load_spec(f, check_data=False), f) for f in spec_files(paths)]
    found = [(s, f) for s, f in found if s.resolved.get("book")]
    return [f for _, f in sorted(found, key=lambda sf: (_order(sf[0].resolved["book"]["result"]), sf[1].name))]


def _order(result: str) -> tuple:
    kind, number = re.match(r"([A-Z]+)-?(\d*)", result).groups()
    return ({"R": 0, "H": 1, "EX": 2}.get(kind, 3), int(number) if number else 999, result)


def _what_runs(resolved: dict) -> dict:
    """The parts of a resolved spec that decide a run: all but its name, words and `expect` bounds."""
    return {k: v for k, v in resolved.items() if k not in ("name", "description", "book", "expect")}


def _done_before(spec, runs_dir: Path):
    """Return a completed run of this very spec and seed in runs_dir, or None."""
    from specnet.runs import load_run

    for info_file in sorted(Path(runs_dir).glob(f"{spec.name}-*/run.json")):
        run = load_run(info_file.parent)
        if run.info.get("status") == "completed" and _what_runs(run.spec.resolved) == _what_runs(spec.resolved):
            return run
    return None


def run_one(path: str, seed: int, runs_dir: str, resume: bool = False) -> dict:
    """Run one spec with one seed (in a worker process), or reuse a finished run of it; return what the
    report needs."""
    from specnet.metrics import best, final
    from specnet.runs import run_spec, unmet
    from specnet.spec import load_spec

    spec = load_spec(path, [f"seed={seed}"])
    earlier = _done_before(spec, runs_dir) if resume else None
    run = earlier or run_spec(spec, runs_dir)
    values = [best(run.history, e.metric)[0] if e.at == "best" else final(run.history, e.metric) for e in spec.expect]
    return {"path": path, "seed": seed, "values": values, "unmet": unmet(spec, run.history), "folder": str(run.folder),
            "seconds": run.info["wall_seconds"], "epochs": len(run.history), "reused": earlier is not None,
            "started": run.info.get("started")}


def reproduce(paths, seeds: int = 1, jobs: int = 1, runs_dir="runs/reproduce", echo=print, resume=False) -> list:
    """Run every book spec `seeds` times (seed, seed + 1, ...), `jobs` at a time; return one dict per spec.
    With `resume`, a run already completed in runs_dir for the same spec and seed is used instead."""
    from specnet.spec import load_spec

    files = book_specs(paths)
    tasks = [(str(f), load_spec(f, check_data=False).seed + i, str(runs_dir), resume)
             for f in files for i in range(seeds)]
    if jobs > 1:  # one BLAS thread per worker: the workers are the parallelism
        os.environ.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    results = []
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(run_one, *t): t for t in tasks}
        for k, done in enumerate(as_completed(futures), 1):
            try:
                r = done.result()
            except Exception as e:  # one broken run is reported, and the others go on
                path, seed, *_ = futures[done]
                r = {"path": path, "seed": seed, "values": [], "unmet": [f"the run failed: {e}"], "folder": None,
                     "seconds": 0.0, "epochs": 0, "reused": False, "started": None}
            results.append(r)
            echo(f"[{k}/{len(tasks)}] {Path(r['path']).name} seed {r['seed']}: "
                 f"{'ok' if not r['unmet'] else 'UNMET'} ({r['seconds']:.0f} s)")
    return [_summary(f, [r for r in results if r["path"] == str(f)]) for f in files]


def _summary(path: Path, runs: list) -> dict:
    from specnet.spec import load_spec

    spec = load_spec(path, check_data=False)
    first = [r["values"][0] for r in runs if r["values"] and r["values"][0] is not None]
    return {"spec": path.name, "path": str(path), "book": spec.resolved["book"], "expect": spec.resolved["expect"],
            "values": first, "passed": sum(not r["unmet"] for r in runs), "runs": len(runs),
            "seconds": statistics.mean(r["seconds"] for r in runs), "unmet": sorted({u for r in runs for u in r["unmet"]}),
            "folders": [r["folder"] for r in sorted(runs, key=lambda r: r["seed"])],
            "reused": sum(r["reused"] for r in runs), "started": sorted(r["started"] for r in runs if r["started"])}


def _parameter_counts(rows) -> dict:
    """Return {sizes: number of weights and biases} for the distinct networks of the rows' specs."""
    from specnet.report import layer_rows
    from specnet.spec import load_spec

    counts = {}
    for r in rows:
        spec = load_spec(r["path"], check_data=False)
        if spec.network:
            counts[str(spec.network.sizes)] = sum(row["parameters"] for row in layer_rows(spec))
    return counts


def _figure(value, metric: str) -> str:
    if value is None:
        return "—"
    return f"{100 * value:.2f}%" if "accuracy" in metric else f"{value:.4g}"


def report(rows: list, seeds: int, command: str) -> str:
    """Return REPRODUCTION.md: one row per result, then the notes and the unmet bounds."""
    from specnet.provenance import PACKAGE_DIR, git_state

    import numpy as np

    git = git_state(PACKAGE_DIR) or {}
    lines = ["# Reproducing the book", "",
             f"Generated {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by `{command}` (specnet commit "
             f"{git.get('commit', '?')[:10]}{', with uncommitted changes' if git.get('dirty') else ''}; NumPy "
             f"{np.__version__}; {os.cpu_count()} CPUs). Each spec ran with {seeds} seed(s): its own and the next "
             f"ones. specnet's figure is the first `expect` metric (mean ± standard deviation, and range, over the "
             f"seeds); a run passes when every `expect` bound of its spec holds. Regenerate with the same command."]
    reused = sum(r["reused"] for r in rows)
    if reused:
        started = sorted(s for r in rows for s in r["started"])
        lines[-1] += (f" {reused} of the {sum(r['runs'] for r in rows)} runs were reused (--resume) from "
                      f"runs made between {started[0]} and {started[-1]}; the times are theirs.")
    lines += ["", "| result | spec | the book | specnet | band (first expect) | passed | s per run |",
              "|---|---|---|---|---|---|---|"]
    for r in rows:
        e = r["expect"][0] if r["expect"] else None
        metric = f"{e['at']} {e['metric']}" if e else "(no expect)"
        v = r["values"]
        ours = "—" if not v else _figure(statistics.mean(v), metric) + (
            f" ± {_figure(statistics.stdev(v), metric)} ({_figure(min(v), metric)} – {_figure(max(v), metric)})"
            if len(set(v)) > 1 else " (every seed)" if len(v) > 1 else "")
        band = "—" if not e else f"{metric} " + (
            f"{_figure(e['min'], metric)} to {_figure(e['max'], metric)}" if e.get("min") is not None and
            e.get("max") is not None else f"≥ {_figure(e['min'], metric)}" if e.get("min") is not None
            else f"≤ {_figure(e['max'], metric)}")
        book = f"{_figure(r['book']['value'], metric)}: {r['book']['text']}"
        lines.append(f"| {r['book']['result']} | [{r['spec']}](specs/{r['spec']}) | {book} | {ours} | {band} | "
                     f"{r['passed']}/{r['runs']} | {r['seconds']:.1f} |")
    lines += ["", "## Parameter counts (R21)", "", "Weights and biases of the networks above (the book: 23,860 "
              "for [784, 30, 10], \"nearly 80,000\" for [784, 100, 10]):", ""]
    lines += [f"- {sizes}: {count:,}" for sizes, count in sorted(_parameter_counts(rows).items(), key=lambda kv: kv[1])]
    notes = [r for r in rows if r["book"].get("note")]
    if notes:
        lines += ["", "## Notes", ""] + [f"- **{r['book']['result']}** ({r['spec']}): {r['book']['note']}" for r in notes]
    unmet = [r for r in rows if r["unmet"]]
    if unmet:
        lines += ["", "## Bounds not met", ""] + [f"- {r['spec']}: {u}" for r in unmet for u in r["unmet"]]
    return "\n".join(lines) + "\n"


def main_command(paths, seeds, jobs, out, runs_dir, resume=False) -> int:
    """Run the reproduction, write the report to `out` (None: a new folder in runs_dir); return 0 if every
    run passed, else 1."""
    from specnet.runs import new_run_folder

    rows = reproduce(paths, seeds, jobs, runs_dir, lambda s: print(s, file=sys.stderr, flush=True), resume)
    command = "specnet reproduce " + " ".join(sys.argv[2:]) if sys.argv[1:2] == ["reproduce"] else "specnet reproduce"
    text = report(rows, seeds, command)
    if out is None:  # a partial reproduction: a new file beside its runs, never one written before
        folder = new_run_folder(runs_dir, "report")
        out = folder / "REPRODUCTION.md"
    Path(out).write_text(text, encoding="utf-8")
    print(f"Report written to {out}", file=sys.stderr)
    return 0 if all(r["passed"] == r["runs"] for r in rows) else 1
