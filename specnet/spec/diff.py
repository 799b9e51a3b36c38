"""Compare two experiments: their resolved specs structurally (stating a default is no difference), and,
for two runs, their metrics (final and best) and provenance.

    >>> flatten({"a": {"b": 1, "c": [{"d": 2}]}})
    {'a.b': 1, 'a.c[0].d': 2}
"""
from __future__ import annotations

from dataclasses import dataclass

from specnet.errors import format_path
from specnet.components.metrics import best

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
