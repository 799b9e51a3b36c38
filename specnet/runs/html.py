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

from specnet.errors import SpecError
from specnet.runs.files import write_atomic
from specnet.runs.evaluate import evaluate_path
from specnet.runs.folder import load_run
from specnet.runs.io import load_model
from specnet.runs.listing import labels
from specnet.runs.pictures import confusion, most_wrong, png, side_of, weights_picture
from specnet.runs.report import fmt
from specnet.runs.htmlparts import bars, curves, differences, split_words
from specnet.spec.resolve import dump
from specnet.training.compiler import compile_spec

CSS = """body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}
h3{font-size:15px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 7px;
text-align:right}th{background:#f5f5f5}td.k{text-align:left}svg text{font:11px system-ui,sans-serif}
.status{padding:1px 8px;border-radius:9px;background:#e8f5e9}.status.bad{background:#ffebee}
table.cm td{width:30px;height:24px;padding:0;text-align:center;font-size:11px}
.grid{display:flex;flex-wrap:wrap;gap:10px}.grid figure{margin:0;text-align:center;font-size:11px}
.wide{overflow-x:auto}.unmet{color:#b71c1c}
.grid img{image-rendering:pixelated;border:1px solid #ccc;width:56px;height:56px}pre{background:#f7f7f7;padding:8px;overflow:auto}"""
GENERATOR = '<meta name="generator" content="specnet report">'


def run_section(run, name: str, anchor: int) -> str:
    info, spec = run.info, run.spec
    status = str(info.get("status"))
    keep = ("specnet", "python", "numpy", "platform", "executor", "seed", "started", "ended", "wall_seconds")
    prov = "".join(f'<tr><td class="k">{escape(k)}</td><td class="k">{escape(fmt(info[k]))}</td></tr>'
                   for k in keep if k in info)
    seconds = info.get("epoch_seconds") or []
    timing = (f"<p>{len(seconds)} epochs, {sum(seconds):.2f} s of training ({sum(seconds) / len(seconds):.3f} s an "
              f"epoch)</p>" if seconds else "")
    unmet, why = info.get("unmet") or [], info.get("diverged") or {}
    notes = [f"expect: {u}" for u in unmet] + ([f"diverged at epoch {why.get('epoch')}: {why.get('why')}"] if why else [])
    notes += [f"failed: {info['failed']}"] if info.get("failed") else []
    good = status == "completed" and not unmet
    out = [f'<h2 id="run{anchor}">{escape(name)} <span class="status{"" if good else " bad"}">'
           f'{escape(status + (", an expect bound unmet" if unmet else ""))}</span></h2>',
           "".join(f'<p class="unmet">{escape(str(n))}</p>' for n in notes),
           f"<p>{escape(spec.description or '')}</p>" if spec.description else "",
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
    names = [str(c) for c in (run.info.get("classes") or range(k))][:k]
    cells = "".join("<tr><th>" + escape(names[i]) + "</th>" + "".join(
        f'<td class="cm" style="background:rgba(31,119,180,{0.08 + 0.92 * c / top:.2f})'
        f'{";color:#fff" if c > top / 2 else ""}">{c}</td>' for c in row)
        + "</tr>" for i, row in enumerate(counts))
    out = [f"<h3>Confusion matrix on the {escape(split_words(run.spec))} ({r['correct']:,} of {r['total']:,} right)"
           f"</h3><table class=\"cm\"><tr><th>true \\ predicted</th>"
           + "".join(f"<th>{escape(n)}</th>" for n in names) + f"</tr>{cells}</table>"]
    if side:
        figures = "".join(
            f'<figure><img class="digit" src="{png(_normal(data.x[i]).reshape(side, side))}" alt="example {i}">'
            f"<figcaption>true {data.labels[i]}, said {outputs[i].argmax()}<br>"
            f"{'' if run.spec.baseline else bars(outputs[i], data.labels[i])}"
            f"</figcaption></figure>"
            for i in most_wrong(outputs, data.labels))
        out.append(f"<h3>The mistakes it was surest of" + ("" if run.spec.baseline else f" (bars: the output "
                   f"activations 0 to {k - 1}, the true class's in green)") + "</h3>"
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


def _normal(x: np.ndarray) -> np.ndarray:
    low, high = float(x.min()), float(x.max())
    return (x - low) / (high - low) if high > low else np.zeros_like(x, dtype=np.float64)


def report(folders, out, extra: str = "", title: str | None = None) -> Path:
    """Write the report of the run folders to `out` (`extra`: HTML to put first, a sweep's figure); return
    its path. A file at `out` that is not a report specnet wrote is never replaced."""
    out = Path(out)
    if out.exists() and GENERATOR not in out.read_bytes()[:400].decode("utf-8", "replace"):
        raise SpecError("there is a file of that name, and it is not a report specnet wrote", file=str(out),
                        hint="Give another name with -o (specnet replaces only its own reports).")
    runs, damaged = [], []
    for f in dict.fromkeys(Path(f).resolve() for f in folders):  # a run given twice is one run
        try:
            runs.append(load_run(f))
        except SpecError as e:  # one damaged folder is said, and the others reported
            damaged.append(str(e))
    if not runs:
        raise SpecError(damaged[0]) if len(damaged) == 1 else SpecError(f"none of the {len(damaged)} folders is a "
                                                                       f"run that can be read: {damaged[0]}")
    names = labels([r.spec for r in runs], [r.folder.name for r in runs]) if len(runs) > 1 else [""]
    title = title or (runs[0].folder.name if len(runs) == 1 else f"{len(runs)} runs")
    index = "".join(f'<li><a href="#run{i}">{escape(n)}</a></li>' for i, n in enumerate(names)) if len(runs) > 1 else ""
    body = [f"<h1>specnet report: {escape(title)}</h1>",
            "".join(f'<p class="unmet">Left out: {escape(d)}</p>' for d in damaged), extra,
            f"<ul>{index}</ul>" if index else "",
            "<h2>Learning curves</h2>", curves(runs, names) or "<p>No epochs to draw: a baseline (or a network "
            "with hand-set weights) is fitted or given, not trained epoch by epoch.</p>",
            differences(runs, names) if len(runs) > 1 else ""]
    body += [run_section(r, n or r.folder.name, i) for i, (r, n) in enumerate(zip(runs, names))]
    page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{GENERATOR}<title>{escape(title)}</title>'
            f"<style>{CSS}</style></head><body>{''.join(body)}</body></html>")
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, page.encode("utf-8"))
    return out
