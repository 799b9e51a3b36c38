"""The book's kind of figure for a sweep: a metric at the end of each run against the swept value (the first
axis of the sweep, on a log scale when its values span two orders of magnitude or more), a line for each
value of the other axes, the seeds' mean with their spread (lowest to highest) as error bars.

    $ specnet plot runs/ch3_eta_lambda --metric evaluation_accuracy --out sweep.png
"""
from __future__ import annotations

import statistics
from pathlib import Path

from specnet.components.metrics import METRICS
from specnet.errors import DataError, SpecError
from specnet.registry import suggest
from specnet.runs.artefacts import DAMAGED_HINT, JSON_BYTES, read_json
from specnet.runs.listing import SYMBOLS
from specnet.runs.plot import LABELS, _pyplot, picture_path, save
from specnet.runs.report import fmt

SWEEP = "sweep.json"


def is_sweep(folder) -> bool:
    return (Path(folder) / SWEEP).is_file()


def _name(path: str) -> str:
    return SYMBOLS.get(path.rsplit(".", 1)[-1], path + " = ").strip(" =") or path


def series(folder, metric: str, at: str = "final") -> tuple:
    """Return (axis, {label: {x: [value of each seed]}}) from a sweep folder's sweep.json."""
    path = Path(folder) / SWEEP
    points = read_json(path, JSON_BYTES, SWEEP).get("points")
    if not isinstance(points, list) or not all(isinstance(p, dict) and isinstance(p.get("values"), dict) for p in points):
        raise DataError("not a sweep.json specnet wrote", file=str(path), hint=DAMAGED_HINT)
    axes = [k for k in (points[0]["values"] if points else {}) if k != "seed"]
    if not axes:
        raise SpecError("the sweep varies nothing but the seed: there is no value to draw against", file=str(path),
                        hint="Draw its runs' curves instead: specnet plot FOLDER/*/")
    lines: dict = {}
    for p in points:
        value = ((p.get("metrics") or {}).get(metric) or {}).get(at)
        x = p["values"].get(axes[0])
        if isinstance(value, (int, float)) and isinstance(x, (int, float)) and not isinstance(x, bool):
            label = ", ".join(f"{_name(a)} = {fmt(p['values'].get(a))}" for a in axes[1:])
            lines.setdefault(label, {}).setdefault(x, []).append(value)
    if not lines:
        raise SpecError(f"no point of the sweep has a {at} {metric} to draw", file=str(path), got=metric,
                        hint="Train the sweep first (specnet sweep), or pick an accuracy its runs monitored.")
    return axes[0], lines


def plot_sweep(folder, metric: str, out, at: str = "final", title: str | None = None) -> Path:
    """Draw the sweep's figure (see above) into `out` (.png, .svg or .pdf)."""
    out = picture_path(out)
    if metric not in METRICS:
        raise SpecError(f"unknown metric '{metric}'", file="--metric", got=metric,
                        hint=f"Known: {', '.join(METRICS)}.{suggest(metric, METRICS)}")
    axis, lines = series(folder, metric, at)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    scale = 100 if metric.endswith("accuracy") else 1
    for label, points in lines.items():
        xs = sorted(points)
        mean = [scale * statistics.mean(points[x]) for x in xs]
        low = [m - scale * min(points[x]) for m, x in zip(mean, xs)]
        high = [scale * max(points[x]) - m for m, x in zip(mean, xs)]
        ax.errorbar(xs, mean, yerr=[low, high], marker="o", capsize=3, label=label or None)
    xs = [x for points in lines.values() for x in points]
    if min(xs) > 0 and max(xs) / min(xs) >= 100:
        ax.set_xscale("log")
    ax.set_xlabel(_name(axis))
    ax.set_ylabel(f"{at} {LABELS.get(metric, metric)}")
    ax.grid(alpha=0.3)
    if len(lines) > 1:  # beside the axes, never over a point
        ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    seeds = max(len(v) for points in lines.values() for v in points.values())
    ax.set_title(title or Path(folder).name + (f": the mean of {seeds} seeds, lowest to highest" if seeds > 1 else ""))
    fig.tight_layout()
    return save(fig, out)


def sweep_section(folder, metric: str = "evaluation_accuracy") -> str:
    """The HTML report's part for a sweep: its figure (inline SVG) and a table of its points."""
    from html import escape
    from specnet.runs.svg import chart
    axis, lines = series(folder, metric)
    scale = 100 if metric.endswith("accuracy") else 1
    svg = chart([{"label": label, "colour": i,
                  "points": [(x, scale * statistics.mean(v)) for x, v in sorted(points.items())],
                  "errors": [(scale * min(v), scale * max(v)) for _, v in sorted(points.items())]}
                 for i, (label, points) in enumerate(lines.items())], _name(axis), f"final {LABELS.get(metric, metric)}",
                log_x=min(x for p in lines.values() for x in p) > 0 and
                max(x for p in lines.values() for x in p) / min(x for p in lines.values() for x in p) >= 100)
    points = read_json(Path(folder) / SWEEP, JSON_BYTES, SWEEP)["points"]
    paths = list(dict.fromkeys(k for p in points for k in p.get("values", {})))
    rows = "".join("<tr>" + "".join(f"<td>{escape(fmt(p['values'].get(k)))}</td>" for k in paths)
                   + f"<td>{escape(str(p.get('status')))}</td><td>"
                   + _shown(((p.get("metrics") or {}).get(metric) or {}).get("final"), scale) + "</td></tr>"
                   for p in points if isinstance(p.get("values"), dict))
    head = "".join(f"<th>{escape(k)}</th>" for k in paths) + f"<th>status</th><th>final {escape(metric)}</th>"
    return (f"<h2>The sweep: final {escape(metric.replace('_', ' '))} against {escape(_name(axis))}</h2>{svg}"
            + ("<p>The seeds' mean; the bars go from the lowest to the highest seed.</p>"
               if max(len(v) for p in lines.values() for v in p.values()) > 1 else "")
            + f"<table><tr>{head}</tr>{rows}</table>")


def _shown(value, scale: int) -> str:
    """A metric in sweep.json as the report shows it: accuracies in %, costs as numbers, '' for none."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return ""
    return f"{scale * value:.2f}%" if scale == 100 else f"{value:.4g}"
