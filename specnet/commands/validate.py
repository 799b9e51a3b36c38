"""Validate many spec files at once (the CI entry point): every problem of every file, in three formats.

    $ specnet validate specs/ --format github
"""
from __future__ import annotations

import json
from pathlib import Path

from specnet.errors import SpecError
from specnet.spec.load import load_spec, load_sweep
from specnet.spec.sweep import IsASweep
from specnet.training.compiler import executor_for


def spec_files(paths) -> list:
    """Return the spec files named by `paths`: files as given; in folders, every *.yaml and *.yml file
    except hidden ones (.pre-commit-config.yaml), those in hidden folders (.github, ...) and run folders
    (those holding a run.json)."""
    out = []
    for p in map(Path, paths):
        if not p.is_dir():
            out.append(p)
            continue
        for q in sorted(p.rglob("*")):
            inside = q.relative_to(p).parents
            skip = any(part.startswith(".") for part in q.relative_to(p).parts) or any(
                (p / d / "run.json").is_file() for d in inside)
            if q.suffix in (".yaml", ".yml") and q.is_file() and not skip:
                out.append(q)
    return out


def validate_files(paths) -> list:
    """Return [(file, [SpecError, ...])] for every spec file; an empty list means the file is valid."""
    results = []
    for f in spec_files(paths):
        try:
            try:
                specs = [load_spec(f)]
            except IsASweep:  # a sweep file: every point is checked, as `specnet sweep` would run it
                specs = [p.spec for p in load_sweep(f)]
            for spec in specs:
                if spec.training is not None and spec.training.executor == "numba":
                    executor_for(spec)  # refused if the loops cannot run the spec, or without numba
            results.append((f, []))
        except SpecError as e:
            results.append((f, e.problems))
    return results


def _gh(text: str, prop: bool = False) -> str:
    """Escape a workflow command's message (or, with `prop`, a property such as file=): a file named
    "a\n::add-mask::x" or "b,title=y.yaml" must not start a command or add a property of its own."""
    text = str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def render(results, form: str = "text") -> str:
    """Return the results as text (one line per problem), json, or GitHub Actions annotations."""
    if form == "json":
        return json.dumps([{"file": str(f), "valid": not ps, "problems": [p.as_dict() for p in ps]}
                           for f, ps in results], indent=2)
    lines = []
    for f, problems in results:
        for p in problems:
            if form == "github":
                where = f"file={_gh(p.file or f, prop=True)}" + (f",line={p.line}" if p.line else "")
                lines.append(f"::error {where},title=specnet::{_gh(str(p))}")
            else:
                lines.append(str(p))
    return "\n".join(lines)


def summary(results) -> str:
    bad = sum(1 for _, ps in results if ps)
    n = sum(len(ps) for _, ps in results)
    return (f"{len(results)} spec{'s' * (len(results) != 1)} checked: {len(results) - bad} valid"
            + (f", {bad} with {n} problem{'s' * (n != 1)}" if bad else ""))
