"""REPRODUCTION.md: the report of `specnet reproduce`, one row per result of the book, then the notes.

Each row gives the book's figure, specnet's mean, spread and range over the seeds, the `expect` band and how
many runs held it (see specnet.commands.reproduce for the runs themselves).
"""
from __future__ import annotations

import math
import os
import statistics
from datetime import datetime, timezone
from pathlib import Path

from specnet.runs.provenance import specnet_git


def _figure(value, metric: str, like=None) -> str:
    """An accuracy as a percentage; a cost to 4 significant digits, or to the decimals of `like` (a spread)."""
    if value is None:
        return "—"
    if "accuracy" in metric:
        return f"{100 * value:.2f}%"
    if like is None or like == 0:
        return f"{value:.4g}"
    return f"{value:.{max(0, 3 - math.floor(math.log10(abs(like))))}f}"


def report(rows: list, seeds: int, command: str, where=".") -> str:
    """Return REPRODUCTION.md: one row per result, then the notes and the unmet bounds. Links to the specs
    are relative to the folder `where` the report is written to."""
    import numpy as np

    git = specnet_git() or {}
    passed, runs = sum(r["passed"] for r in rows), sum(r["runs"] for r in rows)
    seeded = "its own seed" + (f" and the next {seeds - 1}" if seeds > 1 else "")
    lines = ["# Reproducing the book", "",
             f"**{passed} of {runs} runs passed**: {sum(r['passed'] == r['runs'] for r in rows)} of the {len(rows)} "
             f"results held their band in every run" + (" (the misses are under \"Bounds not met\")." if passed < runs
                                                         else "."), "",
             f"Generated {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by `{command}` (specnet commit "
             f"{git.get('commit', '?')[:10]}{', with uncommitted changes' if git.get('dirty') else ''}; NumPy "
             f"{np.__version__}; {os.cpu_count()} CPUs). Each spec ran {seeds} time{'s' * (seeds > 1)}, with "
             f"{seeded}. specnet's figure is the first `expect` metric (mean ± standard deviation, and range, over "
             f"the seeds); a run passes when every `expect` bound of its spec holds. Regenerate with the same command.",
             "", "Results are named as in the book checklist the specs were written from: R for a result the book "
             "reports (R30 is chapter 1's first MNIST network), EX for an exercise (EX-name when the exercise has "
             "no number), H for a heuristic of chapter 3's hyper-parameter section. Each spec's header comment "
             "gives its chapter, section and settings."]
    reused = sum(r["reused"] for r in rows)
    if reused:
        started = sorted(s for r in rows for s in r["started"])
        lines[4] += (f" {reused} of the {sum(r['runs'] for r in rows)} runs were reused (--resume) from "
                      f"runs made between {started[0]} and {started[-1]}; the times are theirs.")
    lines += ["", "| result | spec | the book | specnet | band (first expect) | passed | s per run |",
              "|---|---|---|---|---|---|---|"]
    for r in rows:
        e = r["expect"][0] if r["expect"] else None
        metric = f"{e.at} {e.metric}" if e else "(no expect)"
        v = r["values"]
        mean = statistics.mean(v) if v else None
        ours = "—" if not v else _figure(mean, metric) + (
            f" ± {_figure(statistics.stdev(v), metric, mean)} ({_figure(min(v), metric)} – {_figure(max(v), metric)})"
            if len(set(v)) > 1 else " (every seed)" if len(v) > 1 else "")
        band = "—" if not e else f"{metric} " + (
            f"{_figure(e.min, metric)} to {_figure(e.max, metric)}" if e.min is not None and
            e.max is not None else f"≥ {_figure(e.min, metric)}" if e.min is not None
            else f"≤ {_figure(e.max, metric)}")
        value = r["book"].value
        book = ("" if value is None or "accuracy" in metric else "cost ") + f"{_figure(value, metric)}: {r['book'].text}"
        link = Path(os.path.relpath(Path(r["path"]).resolve(), Path(where).resolve())).as_posix()
        lines.append(f"| {r['book'].result} | [{r['spec']}]({link}) | {book} | {ours} | {band} | "
                     f"{r['passed']}/{r['runs']} | {r['seconds']:.1f} |")
    lines += ["", "## Parameter counts (R21)", "", "Weights and biases of the networks above (the book: 23,860 "
              "for [784, 30, 10], \"nearly 80,000\" for [784, 100, 10]):", ""]
    lines += [f"- {sizes}: {count:,}" for sizes, count in sorted({r["sizes"]: r["parameters"] for r in rows if r["sizes"]}.items(), key=lambda kv: kv[1])]
    notes = [r for r in rows if r["book"].note]
    if notes:
        lines += ["", "## Notes", ""] + [f"- **{r['book'].result}** ({r['spec']}): {r['book'].note}" for r in notes]
    unmet = [r for r in rows if r["unmet"]]
    if unmet:
        lines += ["", "## Bounds not met", ""] + [f"- {r['spec']}: {u}" for r in unmet for u in r["unmet"]]
    return "\n".join(lines) + "\n"
