"""What `specnet tune` writes: the chosen spec, extending the original, with a comment saying how each
value was found, and tune.md, a table of every trial with the costs and accuracies that decided it."""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import yaml

from specnet.components.metrics import best
from specnet.spec.document import Origin
from specnet.spec.overrides import parse_override, path_parts, set_value
from specnet.sweeps.criteria import ETA, LAMBDA, falls, largest_rise


def tuned_yaml(path, folder: Path, values: dict, overrides=()) -> str:
    """The chosen spec: the original, extended (with the --set `overrides` tune was given), with each value
    and how it was found."""
    base = Path(path)
    extends = os.path.relpath(base.resolve(), folder.resolve()) if base.is_file() else str(path)
    lines = [f"# Tuned by `specnet tune {path}` on {date.today().isoformat()}: tune.md beside this file lists",
             "# every trial. How each value was found:"]
    lines += [f"#   {p} = {v:g}: {why}." for p, (v, why) in values.items()]
    data, origins = {}, {}
    for text in overrides:  # what tune was told to keep: in the tuned spec too
        set_value(data, origins, *parse_override(text), Origin("set", text))
    for p, (v, _) in values.items():
        set_value(data, origins, path_parts(p), v, Origin("set", p))
    text = yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=100)
    return "\n".join(lines) + f"\nextends: {extends}\n" + text


def table(trials: list, k: int, start: float, rise: float) -> str:
    """tune.md: every trial of every stage, with what decided it."""
    rows = [f"The untrained network's training cost: {start:.4g}.", "",
            "| stage | η | λ | epochs | training cost, first epochs | largest rise of the validation cost | falls | "
            "best validation accuracy | run |", "|---|---|---|---|---|---|---|---|---|"]
    for t in trials:
        costs = ", ".join(f"{r['training_cost']:.4g}" for r in t["history"][:k] if r.get("training_cost") is not None)
        top = best(t["history"], "evaluation_accuracy")[0] if t["history"] else None
        eta_stage = t["stage"].split("-")[1] == "eta"  # the others measure nothing within their epochs
        up = f"{100 * largest_rise(t['checks']):.0f}%" if eta_stage else ""
        rows.append(f"| {t['stage']} | {t.get(ETA, '')} | {t.get(LAMBDA, 0.0)} | {len(t['history'])} | {costs} | {up} | "
                    f"{('yes' if falls(t, k, start, rise) else 'no') if eta_stage else ''} | {'' if top is None else f'{100 * top:.2f}%'} | "
                    f"{t['folder']} |")
    return "# specnet tune: every trial\n\n" + "\n".join(rows) + "\n"
