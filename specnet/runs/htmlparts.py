"""The HTML report's charts and tables (specnet.runs.html): the learning curves of runs overlaid, the table
of what differs between runs, and a mistake's output activations as bars. Every text is escaped here."""
from __future__ import annotations

from html import escape

import numpy as np

from specnet.components.metrics import best, final
from specnet.runs.report import fmt
from specnet.runs.svg import chart
from specnet.spec.diff import flatten, varied

PLOTTED = {"evaluation_accuracy": "accuracy (%)", "training_accuracy": "accuracy (%)", "evaluation_cost": "cost",
           "training_cost": "cost"}


def split_words(spec) -> str:
    """The book's names for the evaluation data: "test data" for the test split, else the split's name."""
    split = spec.data.evaluation.split if spec.data and spec.data.evaluation else "validation"
    return f"{split} data"


def curves(runs: list, names: list) -> str:
    """A chart per kind of metric (accuracy, cost), a colour per run, the training data's curve dashed."""
    out = []
    for kind in ("accuracy (%)", "cost"):
        lines = []
        for i, (run, name) in enumerate(zip(runs, names)):
            for m in (m for m in PLOTTED if PLOTTED[m] == kind and any(m in r for r in run.history)):
                which = "training data" if m.startswith("training") else split_words(run.spec)
                points = [(r["epoch"], (100 if "accuracy" in m else 1) * r[m]) for r in run.history
                          if r.get("epoch") is not None and r.get(m) is not None]
                lines.append({"label": f"{name}: {which}" if name else which, "colour": i,
                              "dash": m.startswith("training"), "points": points})
        out.append(chart(lines, "epoch", kind, whole_x=True, title=f"{kind} per epoch"))
    return "".join(x for x in out if x)


def differences(runs: list, names: list) -> str:
    """For several runs: the values that differ, and the best and final of each monitored metric."""
    flat = [flatten(r.spec.resolved) for r in runs]
    paths = [p for p in varied([r.spec.resolved for r in runs])
             if p.split(".")[0].split("[")[0] not in ("name", "description", "book", "expect")]
    metrics = list(dict.fromkeys(m for r in runs for m in (r.spec.training.monitor if r.spec.training else ())))
    head = "<tr><th>run</th><th>status</th>" + "".join(f"<th>{escape(p)}</th>" for p in paths) + "".join(
        f"<th>{escape(m)}<br>best / final</th>" for m in metrics) + "</tr>"
    rows = "".join(
        f'<tr><td class="k">{escape(n)}</td><td>{escape(str(r.info.get("status")))}</td>'
        + "".join(f"<td>{escape(fmt(f.get(p)))}</td>" for p in paths)
        + "".join(f"<td>{_value(best(r.history, m)[0], m)} / {_value(final(r.history, m), m)}</td>" for m in metrics)
        + "</tr>" for r, n, f in zip(runs, names, flat))
    return f'<h2>The runs side by side</h2><div class="wide"><table>{head}{rows}</table></div>'


def _value(v, metric: str) -> str:
    return "" if v is None else f"{100 * v:.2f}%" if metric.endswith("accuracy") else f"{v:.4g}"


def bars(a: np.ndarray, true: int) -> str:
    """The output activations as small bars (the true class's in green, the others grey), values on hover."""
    width = 7 * len(a)
    rects = "".join(f'<rect x="{7 * j}" y="{30 - 30 * min(max(float(v), 0.0), 1.0):.1f}" width="6" '
                    f'height="{30 * min(max(float(v), 0.0), 1.0):.1f}" fill="{"#2ca02c" if j == true else "#888"}"/>'
                    for j, v in enumerate(a))
    values = escape(" ".join(f"{j}: {float(v):.2f}" for j, v in enumerate(a)))
    return (f'<svg class="acts" xmlns="http://www.w3.org/2000/svg" width="{width}" height="31"><title>{values}'
            f'</title>{rects}<line x1="0" x2="{width}" y1="30.5" y2="30.5" stroke="#ccc"/></svg>')
