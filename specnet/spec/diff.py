"""Compare experiments: their resolved specs structurally (stating a default is no difference), and, for
runs, their metrics (final and best) and, for two runs, their provenance.

    >>> flatten({"a": {"b": 1, "c": [{"d": 2}]}})
    {'a.b': 1, 'a.c[0].d': 2}
"""
from __future__ import annotations

from dataclasses import dataclass

from specnet.errors import format_path
from specnet.components.metrics import best, final

MISSING = "(absent)"
_QUIET = {"started", "ended", "wall_seconds", "epoch_seconds", "command", "status", "unmet"}


def flatten(value, path=()) -> dict:
    """Return {dotted.path: leaf} for nested mappings and lists of mappings; other lists are leaves."""
    if isinstance(value, dict) and (value or not path):
        return {k: v for key, sub in value.items() for k, v in flatten(sub, path + (key,)).items()}
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return {k: v for i, sub in enumerate(value) for k, v in flatten(sub, path + (i,)).items()}
    return {format_path(path): value}


@dataclass
class Side:
    """One side of a diff: a spec, and for a run its metrics history and provenance (specnet.runs.folder.load_side)."""
    label: str
    spec: object
    history: list | None = None
    info: dict | None = None


def diff_values(a: dict, b: dict) -> list:
    """Return [(path, value in a, value in b)] for every leaf that differs, in order of appearance."""
    fa, fb = flatten(a), flatten(b)
    keys = list(fa) + [k for k in fb if k not in fa]
    return [(k, fa.get(k, MISSING), fb.get(k, MISSING)) for k in keys if fa.get(k, MISSING) != fb.get(k, MISSING)]


def varied(values: list) -> list:
    """Return the paths whose leaves differ between the nested mappings `values`, in order of appearance.

        >>> varied([{"seed": 1, "eta": 0.5}, {"seed": 1, "eta": 0.5}, {"seed": 2, "eta": 0.5}])
        ['seed']
    """
    found = {path for v in values[1:] for path, _, _ in diff_values(values[0], v)}
    return [path for path in dict.fromkeys(k for v in values for k in flatten(v)) if path in found]


def compare(a: Side, b: Side) -> dict:
    """Return the differences between two sides, as plain data (the --json output)."""
    out = {"a": a.label, "b": b.label, "spec": {}, "metrics": {}, "provenance": []}
    for path, va, vb in diff_values(a.spec.resolved, b.spec.resolved):
        out["spec"].setdefault(path.split(".")[0].split("[")[0], []).append({"path": path, "a": va, "b": vb})
    if a.history is not None and b.history is not None:
        names = [m for side in (a, b) for m in (side.spec.training.monitor if side.spec.training else ())]
        for metric in dict.fromkeys(n for n in names if "_" in n):
            row = {}
            for side, h in (("a", a.history), ("b", b.history)):
                final = next((r[metric] for r in reversed(h) if metric in r), None)
                value, epoch = best(h, metric)
                row[side] = {"final": final, "best": value, "best_epoch": epoch, "epochs": len(h)}
            out["metrics"][metric] = row
        out["status"] = {"a": (a.info or {}).get("status"), "b": (b.info or {}).get("status")}
        out["provenance"] = [{"key": k, "a": va, "b": vb} for k, va, vb in
                             diff_values(a.info or {}, b.info or {}) if k.split(".")[0] not in _QUIET]
    return out


def compare_many(sides: list) -> dict:
    """Return the differences between three or more sides, as plain data (the --json output): each differing
    path with a value per side, and for the runs among them their status and metrics (None for a spec)."""
    flat = [flatten(side.spec.resolved) for side in sides]
    out = {"sides": [side.label for side in sides], "metrics": {}, "spec": [
        {"path": p, "values": [f.get(p, MISSING) for f in flat]} for p in varied([s.spec.resolved for s in sides])]}
    runs = [side for side in sides if side.history is not None]
    if runs:
        out["status"] = [(side.info or {}).get("status") if side.history is not None else None for side in sides]
    for metric in dict.fromkeys(m for side in runs for m in (side.spec.training.monitor if side.spec.training else ())):
        out["metrics"][metric] = [None if side.history is None else {
            "final": final(side.history, metric), **dict(zip(("best", "best_epoch"), best(side.history, metric))),
            "epochs": len(side.history)} for side in sides]
    return out
