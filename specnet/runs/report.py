"""Text for people: epoch lines, a progress bar, the layer table, value origins, truth tables and diffs."""
from __future__ import annotations

import sys
import time

from specnet.components.metrics import best
from specnet.errors import cut, format_path
from specnet.spec.diff import MISSING, compare, compare_many, flatten
from specnet.training.compiler import executor_for


def fmt(value) -> str:
    """Return a value as it would be written in a spec."""
    if isinstance(value, float):
        return f"{value:.6g}"
    if value is None:
        return "null"
    if value == "":
        return '""'

    if isinstance(value, list):
        return "[" + ", ".join(map(fmt, value)) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def epoch_line(row: dict, seconds: float | None = None, eta_before: float | None = None) -> str:
    """Return 'Epoch 3: evaluation accuracy 9412 / 10000 (94.12%), cost 0.3921; training cost 0.2812  [0.52 s]',
    with 'η 0.25' when the learning rate differs from `eta_before` (a schedule changed it)."""
    parts = []
    for role in ("evaluation", "training"):
        words = []
        if f"{role}_accuracy" in row:
            words.append(f"accuracy {row[f'{role}_correct']} / {row[f'{role}_total']} "
                         f"({100 * row[f'{role}_accuracy']:.2f}%)")
        if f"{role}_cost" in row:
            words.append(f"cost {row[f'{role}_cost']:.4g}")
        if words:
            parts.append(f"{role} {', '.join(words)}")
    if eta_before is not None and row.get("eta") not in (None, eta_before):
        parts.append(f"η {row['eta']:g}")
    head = "Evaluation" if row.get("epoch") is None else f"Epoch {row['epoch']}"
    return f"{head}: {'; '.join(parts) or 'complete'}" + (f"  [{seconds:.2f} s]" if seconds is not None else "")


class Progress:
    """A one-line progress bar on stderr within each epoch; silent unless stderr is a terminal."""

    def __init__(self, epochs: int, stream=None):
        self.epochs, self.stream, self.epoch = epochs, stream or sys.stderr, 0
        self.live = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.start = time.perf_counter()

    def batch(self, done: int, total: int):
        if self.live:
            filled = 30 * min(done, total) // total
            self.stream.write(f"\r  epoch {self.epoch + 1}/{self.epochs} [{'#' * filled}{'.' * (30 - filled)}] "
                              f"{100 * min(done, total) // total:3d}%  {time.perf_counter() - self.start:6.1f} s")
            self.stream.flush()

    def clear(self):
        self.epoch += 1
        if self.live:
            self.stream.write("\r" + " " * 70 + "\r")

    def line(self, row: dict, seconds: float) -> str:
        """Clear the bar and return the epoch's line (showing η when it changed since the last epoch)."""
        self.clear()
        text, self.eta = epoch_line(row, seconds, getattr(self, "eta", row.get("eta"))), row.get("eta")
        return text


def header(spec) -> str:
    """The line `specnet run` starts with: the spec, its model, its seed and the executor that will train it
    (what `auto` picks; an executor the spec cannot have is refused here, before anything is written)."""
    executor = f", {executor_for(spec)} executor" if spec.training is not None else ""
    return f"{spec.name}: {spec.model.summary()}, seed {spec.seed}{executor}"


def run_summary(run) -> dict:
    """Return the end of `specnet run`: {"text": lines for people, "json": the same for programs}."""
    monitored = [m for m in (run.spec.training.monitor if run.spec.training else ()) if "accuracy" in m]
    bests = {m: dict(zip(("best", "epoch"), best(run.history, m))) for m in monitored}
    lines = []
    if run.spec.data.source.type == "inline":  # a small table, e.g. a perceptron's truth table: show it
        table = run.data["evaluation"]
        lines.append(outputs_table(table, run.model.outputs(table)))
    last = run.history[-1] if run.history else {}
    if last.get("stop"):
        lines.append(f"Stopped after epoch {last['epoch']} of {run.spec.training.epochs}: {last['stop']}.")
    if "restored_epoch" in last:
        lines.append(f"The model keeps the parameters of epoch {last['restored_epoch']}, the best on "
                     f"{run.spec.training.early_stopping.metric.replace('_', ' ')}.")
    lines += [f"Best {m.replace('_', ' ')}: {100 * b['best']:.2f}% (epoch {b['epoch']})"
              for m, b in bests.items() if b["best"] is not None]
    lines.append(f"Run saved in {run.folder}")
    return {"text": "\n".join(lines),
            "json": {"run": str(run.folder), "history": run.history, "best": bests, "unmet": run.failures}}


def layer_rows(spec) -> list:
    """Return one dict per layer (weights, biases, parameters) and a total: 23,860 for [784, 30, 10]."""
    model, rows = spec.model, []
    for i, layer in enumerate(model.layers):  # none for a baseline
        rows.append({"layer": i + 1, "size": layer.size, "activation": layer.activation,
                     "init": (layer.init or model.init).type, "weights": model.sizes[i] * layer.size,
                     "biases": layer.size, "parameters": (model.sizes[i] + 1) * layer.size})
    return rows


def layer_table(spec) -> str:
    rows = layer_rows(spec)
    if not rows:
        return f"{spec.model.kind}: {spec.model.type} (no layers, no weights)"
    lines = [f"{'layer':<7}{'size':>6}  {'activation':<11}{'init':<16}{'weights':>9}{'biases':>8}{'parameters':>12}",
             f"{'input':<7}{spec.network.input:>6}"]
    lines += [f"{r['layer']:<7}{r['size']:>6}  {r['activation']:<11}{r['init']:<16}{r['weights']:>9,}"
              f"{r['biases']:>8,}{r['parameters']:>12,}" for r in rows]
    lines.append(f"{'total':<57}{sum(r['parameters'] for r in rows):>12,}")
    return "\n".join(lines)


def origins_listing(spec) -> list:
    """Return [(dotted.path, value, origin)] for every leaf of the resolved spec."""
    by_path = {format_path(p): o for p, o in spec.origins.items()}
    out = []
    for path, value in flatten(spec.resolved).items():
        probe = path
        while probe not in by_path and ("." in probe or "[" in probe):
            probe = probe[:max(probe.rfind("."), probe.rfind("["))]
        out.append((path, value, str(by_path.get(probe, "default"))))
    return out


def outputs_table(data, outputs) -> str:
    """Return each example's inputs, outputs and targets: the truth table of a small inline network."""
    lines = ["inputs -> outputs (targets)"]
    for x, a, y in zip(data.x, outputs, data.y):
        lines.append(f"{' '.join(fmt(float(v)) for v in x)} -> {' '.join(fmt(round(float(v), 4)) for v in a)}"
                     f"   ({' '.join(fmt(float(v)) for v in y)})")
    return "\n".join(lines)


def _best(side: dict) -> str:
    return f"{fmt(side['best'])} ({side['best_epoch']})" if side["best"] is not None else MISSING


def diff_text(result: dict) -> str:
    """Return a diff (from specnet.spec.diff.compare) as text grouped by section."""
    status = result.get("status", {})
    lines = [f"{s}: {result[s]}" + (f"  ({status[s]}: not complete; its metrics stop at its last epoch)"
                                    if status.get(s) not in (None, "completed") else "") for s in "ab"] + [""]
    if not result["spec"]:
        lines.append("Specs: the same (after filling defaults).")
    for section, rows in result["spec"].items():
        lines.append(f"[{section}]")
        lines += [f"  {r['path']}: {fmt(r['a'])} -> {fmt(r['b'])}" for r in rows]
    if result["metrics"]:
        lines += ["", f"{'metric':<22}{'final a':>10}{'final b':>10}   {'best a (epoch)':<18}{'best b (epoch)':<18}"]
        for metric, row in result["metrics"].items():
            a, b = row["a"], row["b"]
            lines.append(f"{metric:<22}{fmt(a['final']):>10}{fmt(b['final']):>10}   {_best(a):<18}{_best(b):<18}")
    if result["provenance"]:
        lines += ["", "[provenance]"] + [f"  {r['key']}: {fmt(r['a'])} -> {fmt(r['b'])}" for r in result["provenance"]]
    return "\n".join(lines)


def diff_table(result: dict) -> str:
    """Return a diff of three or more sides (from specnet.spec.diff.compare_many) as a table, a column per side:
    the spec paths that differ, then for the runs their status, and final and best (epoch) of each metric."""
    names = [chr(ord("a") + i) if i < 26 else str(i + 1) for i in range(len(result["sides"]))]
    status = result.get("status") or [None] * len(names)
    lines = [f"{n}: {side}" + (f"  ({s}: not complete; its metrics stop at its last epoch)" if s not in
                                (None, "completed") else "") for n, side, s in zip(names, result["sides"], status)]
    spec = [(r["path"], [cut(fmt(v), 30) for v in r["values"]]) for r in result["spec"]]
    runs = [("status", [s or "" for s in status])] if "status" in result else []
    for metric, sides in result["metrics"].items():
        runs += [(f"final {metric}", ["" if s is None else fmt(s["final"]) for s in sides]),
                 (f"best {metric} (epoch)", ["" if s is None else _best(s) for s in sides])]
    lines += [""] + (["Specs: the same (after filling defaults)."] + [""] * bool(runs) if not spec else [])
    rows = [("", names)] + spec + [("", [])] * bool(spec and runs) + runs
    width = max(len(p) for p, _ in rows) + 2
    widths = [max(len(v[i]) for _, v in rows if v) + 2 for i in range(len(names))]
    lines += ["".join([p.ljust(width)] + [v.ljust(w) for v, w in zip(values, widths)]).rstrip()
              for p, values in rows] if len(rows) > 1 else []
    return "\n".join(lines).rstrip()


def compared(sides: list) -> tuple:
    """Return (the diff as data, as text): of two sides by section (compare, diff_text), of more as a table
    (compare_many, diff_table)."""
    if len(sides) == 2:
        result = compare(*sides)
        return result, diff_text(result)
    result = compare_many(sides)
    return result, diff_table(result)
