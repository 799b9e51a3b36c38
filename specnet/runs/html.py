"""`specnet report RUN...`: one self-contained HTML page about runs, to open in a browser: inline CSS, inline
SVG charts (specnet.runs.svg) and PNG pictures (specnet.runs.pictures), nothing fetched. Every text that
comes from a run (its name, description, spec values, labels) is escaped: a run folder from a stranger shows
its markup as text.

For each run: its status, resolved spec (folded), provenance and timings; for a trained classifier, the
confusion matrix on the evaluation split and the examples it gets most confidently wrong (drawn as images,
for image data, with their output activations); for image data, each hidden neuron's incoming weights.
Above the runs: the learning curves of every monitored metric, runs overlaid and labelled by what differs,
and for several runs the table of what differs and their final metrics.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

import numpy as np

from specnet.components.metrics import best, final
from specnet.errors import SpecError
from specnet.runs.files import write_atomic
from specnet.runs.evaluate import evaluate_path
from specnet.runs.folder import load_run
from specnet.runs.io import load_model
from specnet.runs.listing import labels
from specnet.runs.pictures import confusion, most_wrong, png, side_of, weights_picture
from specnet.runs.report import fmt
from specnet.runs.svg import chart
from specnet.spec.diff import flatten, varied
from specnet.spec.resolve import dump
from specnet.training.compiler import compile_spec

CSS = """body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}
h3{font-size:15px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 7px;
text-align:right}th{background:#f5f5f5}td.k{text-align:left}svg text{font:11px system-ui,sans-serif}
.status{padding:1px 8px;border-radius:9px;background:#e8f5e9}.status.bad{background:#ffebee}
table.cm td{width:30px;height:24px;padding:0;text-align:center;font-size:11px}
.grid{display:flex;flex-wrap:wrap;gap:10px}.grid figure{margin:0;text-align:center;font-size:11px}
.grid img{image-rendering:pixelated;border:1px solid #ccc;width:56px;height:56px}pre{background:#f7f7f7;padding:8px;overflow:auto}"""
GENERATOR = '<meta name="generator" content="specnet report">'
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
    paths = [p for p in varied([r.spec.resolved for r in runs]) if p not in ("name", "description")]
    metrics = list(dict.fromkeys(m for r in runs for m in (r.spec.training.monitor if r.spec.training else ())))
    head = "<tr><th>run</th><th>status</th>" + "".join(f"<th>{escape(p)}</th>" for p in paths) + "".join(
        f"<th>{escape(m)}<br>best / final</th>" for m in metrics) + "</tr>"
    rows = "".join(
        f'<tr><td class="k">{escape(n)}</td><td>{escape(str(r.info.get("status")))}</td>'
        + "".join(f"<td>{escape(fmt(f.get(p)))}</td>" for p in paths)
        + "".join(f"<td>{_value(best(r.history, m)[0], m)} / {_value(final(r.history, m), m)}</td>" for m in metrics)
        + "</tr>" for r, n, f in zip(runs, names, flat))
    return f"<h2>The runs side by side</h2><table>{head}{rows}</table>"


def _value(v, metric: str) -> str:
    return "" if v is None else f"{100 * v:.2f}%" if metric.endswith("accuracy") else f"{v:.4g}"


def run_section(run, name: str, anchor: int) -> str:
    info, spec = run.info, run.spec
    status = str(info.get("status"))
    keep = ("specnet", "python", "numpy", "platform", "executor", "seed", "started", "ended", "wall_seconds")
    prov = "".join(f'<tr><td class="k">{escape(k)}</td><td class="k">{escape(fmt(info[k]))}</td></tr>'
                   for k in keep if k in info)
    seconds = info.get("epoch_seconds") or []
    timing = (f"<p>{len(seconds)} epochs, {sum(seconds):.2f} s of training ({sum(seconds) / len(seconds):.3f} s an "
              f"epoch)</p>" if seconds else "")
    out = [f'<h2 id="run{anchor}">{escape(name)} <span class="status{"" if status == "completed" else " bad"}">'
           f'{escape(status)}</span></h2>', f"<p>{escape(spec.description or '')}</p>" if spec.description else "",
           f"<p>{escape(str(run.folder))}</p>", timing, f"<table>{prov}</table>",
           f"<details><summary>The resolved spec</summary><pre>{escape(dump(spec))}</pre></details>"]
    if status == "completed":
        out.append(_trained(run))
    return "".join(out)


def _trained(run) -> str:
    """The panels of a completed run: confusion matrix, most confident mistakes, first-layer weights."""
    split = run.spec.data.evaluation.split if run.spec.data.evaluation else "test"
    r = evaluate_path(run.folder, split)
    data, outputs = r["data"], r["outputs"]
    if outputs.ndim != 2 or outputs.shape[1] < 2 or data.labels is None:
        return ""
    k, side = outputs.shape[1], side_of(data.x.shape[1])
    counts = confusion(data.labels, outputs.argmax(axis=1), k)
    top = counts.max() or 1
    cells = "".join("<tr><th>" + str(i) + "</th>" + "".join(
        f'<td class="cm" style="background:rgba(31,119,180,{0.08 + 0.92 * c / top:.2f})'
        f'{";color:#fff" if c > top / 2 else ""}">{c}</td>' for c in row)
        + "</tr>" for i, row in enumerate(counts))
    out = [f"<h3>Confusion matrix on the {escape(split_words(run.spec))} ({r['correct']:,} of {r['total']:,} right)"
           f"</h3><table class=\"cm\"><tr><th>true \\ predicted</th>"
           + "".join(f"<th>{j}</th>" for j in range(k)) + f"</tr>{cells}</table>"]
    if side:
        figures = "".join(
            f'<figure><img class="digit" src="{png(_normal(data.x[i]).reshape(side, side))}" alt="example {i}">'
            f"<figcaption>true {data.labels[i]}, said {outputs[i].argmax()}<br>{bars(outputs[i], data.labels[i])}"
            f"</figcaption></figure>"
            for i in most_wrong(outputs, data.labels))
        out.append(f"<h3>The mistakes it was surest of (bars: the output activations 0 to {k - 1}, the true "
                   "class's in green)</h3>"
                   f'<div class="grid">{figures}</div>')
        model = load_model(run.folder / "model.json")
        if "weights" in model and len(model["weights"]) > 1:
            net = compile_spec(run.spec).loaded(model)
            pictures = "".join(f'<figure><img class="weights" src="{png(weights_picture(w, side))}" '
                               f'alt="neuron {j}"><figcaption>{j}</figcaption></figure>'
                               for j, w in enumerate(net.weights[0][:100]))
            out.append("<h3>What each hidden neuron of the first layer looks for (its weights: red positive, "
                       f'blue negative)</h3><div class="grid">{pictures}</div>')
    return "".join(out)


def bars(a: np.ndarray, true: int) -> str:
    """The output activations as small bars (the true class's in green, the others grey), values on hover."""
    width = 7 * len(a)
    rects = "".join(f'<rect x="{7 * j}" y="{30 - 30 * min(max(float(v), 0.0), 1.0):.1f}" width="6" '
                    f'height="{30 * min(max(float(v), 0.0), 1.0):.1f}" fill="{"#2ca02c" if j == true else "#888"}"/>'
                    for j, v in enumerate(a))
    values = escape(" ".join(f"{j}: {float(v):.2f}" for j, v in enumerate(a)))
    return (f'<svg class="acts" xmlns="http://www.w3.org/2000/svg" width="{width}" height="31"><title>{values}'
            f'</title>{rects}<line x1="0" x2="{width}" y1="30.5" y2="30.5" stroke="#ccc"/></svg>')


def _normal(x: np.ndarray) -> np.ndarray:
    low, high = float(x.min()), float(x.max())
    return (x - low) / (high - low) if high > low else np.zeros_like(x, dtype=np.float64)


def report(folders, out, extra: str = "") -> Path:
    """Write the report of the run folders to `out` (`extra`: HTML to put first, a sweep's figure); return
    its path. A file at `out` that is not a report specnet wrote is never replaced."""
    out = Path(out)
    if out.exists() and GENERATOR not in out.read_bytes()[:400].decode("utf-8", "replace"):
        raise SpecError("there is a file of that name, and it is not a report specnet wrote", file=str(out),
                        hint="Give another name with -o (specnet replaces only its own reports).")
    runs = [load_run(f) for f in folders]
    names = labels([r.spec for r in runs], [r.folder.name for r in runs]) if len(runs) > 1 else [""]
    title = runs[0].folder.name if len(runs) == 1 else f"{len(runs)} runs"
    index = "".join(f'<li><a href="#run{i}">{escape(n)}</a></li>' for i, n in enumerate(names)) if len(runs) > 1 else ""
    body = [f"<h1>specnet report: {escape(title)}</h1>", extra, f"<ul>{index}</ul>" if index else "",
            "<h2>Learning curves</h2>", curves(runs, names) or "<p>No epochs to draw.</p>",
            differences(runs, names) if len(runs) > 1 else ""]
    body += [run_section(r, n or r.folder.name, i) for i, (r, n) in enumerate(zip(runs, names))]
    page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{GENERATOR}<title>{escape(title)}</title>'
            f"<style>{CSS}</style></head><body>{''.join(body)}</body></html>")
    write_atomic(out, page.encode("utf-8"))
    return out
