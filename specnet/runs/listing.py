"""Every run at a glance (`specnet runs`): the run folders under some folders, a row each with its true
status, its spec's digest, the values that vary between the runs listed, its best and final accuracies, its
epochs and wall time; and legend labels naming runs by what differs between them (`specnet plot`).

    $ specnet runs runs/ --where training.optimizer.eta=0.5 --sort best_evaluation_accuracy
"""
from __future__ import annotations

from pathlib import Path

from specnet.components.metrics import METRICS, best, final
from specnet.errors import SpecError, cut
from specnet.registry import suggest
from specnet.runs.folder import load_run
from specnet.runs.report import fmt
from specnet.spec.diff import flatten, varied
from specnet.spec.document import parse_yaml

DEPTH = 3  # how far below a folder run folders are looked for: a sweep's are in runs/<sweep>/<point>/
QUIET = ("name", "description")  # they differ between specs without changing what runs
# A legend leaves out also the book's words and bands and what is measured: they do not change the curves.
UNDRAWN = ("book", "expect", "training.monitor")
ACCURACIES = tuple(m for m in METRICS if m.endswith("accuracy"))
FIXED = ("run", "status", "spec")
# The book's symbols for the values a legend names; any other path is named by itself, less its section.
SYMBOLS = {"eta": "η = ", "lambda": "λ = ", "mu": "μ = ", "mini_batch_size": "m = ", "epochs": "epochs ",
           "seed": "seed "}


def find_runs(folder, depth: int = DEPTH) -> list:
    """Return the run folders (holding run.json and spec.yaml) in `folder` or up to `depth` levels below it, in
    name order. Hidden folders are skipped, and so is a folder that cannot be read."""
    folder = Path(folder)
    if (folder / "run.json").is_file() and (folder / "spec.yaml").is_file():
        return [folder]
    try:
        subs = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")) if depth > 0 else []
    except OSError:
        return []
    return [run for sub in subs for run in find_runs(sub, depth - 1)]


def row(folder: Path, name: str) -> dict:
    """Return a run folder's row: its true status (a 'running' run whose process died is 'interrupted'), the
    first 12 digits of its spec's SHA-256, its resolved values, the best and final value of each monitored
    accuracy, its epochs and wall time. A folder that cannot be read is 'damaged', with the reason."""
    try:
        run = load_run(folder)
    except SpecError as e:
        where = f"{Path(e.file).name}{'' if e.line is None else f':{e.line}'}: " if e.file else ""
        return {"run": name, "folder": str(folder), "status": "damaged", "reason": cut(where + e.message, 100),
                "values": {}}
    r = {"run": name, "folder": str(folder), "status": run.info["status"],
         "spec": run.info["resolved_spec_sha256"][:12], "values": flatten(run.spec.resolved)}
    for m in [m for m in (run.spec.training.monitor if run.spec.training else ()) if m in ACCURACIES]:
        r[f"best_{m}"], r[f"final_{m}"] = best(run.history, m)[0], final(run.history, m)
    r["epochs"] = sum(h.get("epoch") is not None for h in run.history)
    return {**r, "wall_seconds": run.info.get("wall_seconds")}


def cell(r: dict, key: str):
    """Return a row's value in a column or at a resolved-spec path (None if it has none)."""
    return r[key] if key in r and key != "values" else r["values"].get(key)


def listing(folders, where=(), sort: str | None = None, reverse: bool = False) -> tuple:
    """Return (rows, columns) for `specnet runs`: a row per run folder found in `folders` (named relative to
    its folder, when there is one), kept by `where`, sorted by `sort`; the columns hold the resolved-spec
    paths that vary between the rows kept (name and description aside)."""
    found = {}
    for folder in map(Path, folders):
        if not folder.is_dir():
            raise SpecError("no such folder" if not folder.exists() else "not a folder", file=str(folder),
                            hint="Give a folder that holds run folders (specnet run writes them in runs/).")
        for run in find_runs(folder):
            name = str(run) if len(folders) > 1 or run == folder else str(run.relative_to(folder))
            found.setdefault(run.resolve(), row(run, name))
    rows = keep(list(found.values()), where)
    paths = [p for p in varied([r["values"] for r in rows if r["status"] != "damaged"]) if p not in QUIET]
    columns = [*FIXED, *paths, *(f"{w}_{m}" for m in ACCURACIES if any(f"best_{m}" in r for r in rows)
                                 for w in ("best", "final")), "epochs", "wall_seconds"]
    return (sort_rows(rows, sort, columns, reverse) if sort else rows), columns


def keep(rows: list, where) -> list:
    """Return the rows that match every "path=value" of `where` (a resolved-spec path, or status); the value
    is read as YAML (0.5, true, l2) and also matches as written."""
    known = {"status"} | {p for r in rows for p in r["values"]}
    for text in where:
        path, sep, raw = (part.strip() for part in text.partition("="))
        if not sep or path not in known:
            raise SpecError("expected PATH=VALUE" if not sep else "no run listed has this path", file="--where",
                            got=text, hint="Filter on a path of the resolved spec (specnet show SPEC lists them) "
                            "or on status, e.g. --where training.optimizer.eta=0.5." + suggest(path, known))
        try:
            value = parse_yaml(f"v: {raw}", "--where").data["v"]
        except SpecError:  # not YAML: matched as written
            value = raw
        rows = [r for r in rows if (path == "status" or path in r["values"])
                and (cell(r, path) == value or fmt(cell(r, path)) == raw)]
    return rows


def sort_rows(rows: list, key: str, columns: list, reverse: bool = False) -> list:
    """Return the rows sorted on a column or a resolved-spec path (a metric's name: its best): numbers as
    numbers, other values as text, and the rows without a value last."""
    column = f"best_{key}" if key in METRICS else key
    if column not in columns and not any(column in r["values"] for r in rows):
        raise SpecError("no such column or spec path", file="--sort", got=key, hint=f"Sort on a column "
                        f"({', '.join(columns)}) or a path of the resolved spec.{suggest(key, columns)}")

    def order(r):
        value = cell(r, column)
        return (0, value, "") if isinstance(value, (int, float)) and not isinstance(value, bool) else (1, 0, fmt(value))
    have = sorted((r for r in rows if cell(r, column) is not None), key=order, reverse=reverse)
    return have + [r for r in rows if cell(r, column) is None]


def shown(r: dict, column: str) -> str:
    """Return a row's cell as text: an accuracy as a percentage, the wall time in seconds, a spec value as
    in a spec (cut to 30 characters)."""
    value = cell(r, column)
    if column in r["values"]:  # a spec value, null included
        return cut(fmt(value), 30)
    if value is None:
        return ""
    if column.endswith("accuracy"):
        return f"{100 * value:.2f}%"
    return f"{value:.1f}" if column == "wall_seconds" else str(value)


def render(rows: list, columns: list) -> str:
    """Return the rows as a text table, a line a run; a damaged folder's line gives the reason after its status."""
    table = [list(columns)] + [[shown(r, c) for c in columns] for r in rows]
    fine = [t for t, r in zip(table, [None] + rows) if r is None or r["status"] != "damaged"]
    widths = [max(len(t[i]) for t in (table if i < 2 else fine)) for i in range(len(columns))]
    lines = []
    for t, r in zip(table, [None] + rows):
        t = t[:2] + [r["reason"]] if r is not None and r["status"] == "damaged" else t
        lines.append("  ".join(text.ljust(w) for text, w in zip(t, widths)).rstrip())
    return "\n".join(lines)


def as_json(rows: list, columns: list) -> list:
    """Return the rows for programs: each column's value (the varied spec values under "varied"), the folder,
    and a damaged folder's reason."""
    paths = [c for c in columns if any(c in r["values"] for r in rows)]
    return [{**{k: v for k, v in r.items() if k != "values"}, "varied": {p: cell(r, p) for p in paths}}
            for r in rows]


def labels(specs, names) -> list:
    """Return a legend label per spec: what differs between the specs, in the book's symbols ('η = 0.025,
    seed 1'), or the spec's name when more than three values differ. Where nothing differs, the label is the
    spec's entry in `names` (its run's folder name), which also follows a label that two specs share."""
    paths = [p for p in varied([s.resolved for s in specs]) if p not in QUIET and not p.startswith(UNDRAWN)]
    flat = [flatten(s.resolved) for s in specs]  # a path a spec has not (regularization: none) is left out
    words = [", ".join(SYMBOLS.get(p.rsplit(".", 1)[-1], p.split(".", 1)[-1] + " = ") + fmt(f[p]) for p in paths
                       if p in f) if len(paths) <= 3 else s.name for s, f in zip(specs, flat)]
    return [w if w and words.count(w) == 1 else f"{w} ({n})" if w else str(n) for w, n in zip(words, names)]
