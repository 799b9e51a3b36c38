"""A sweep: many variants of one spec, written as data in the spec's own file (a `sweep:` block), and the
points it stands for, each a resolved, checked Spec (ch. 3's hyper-parameter searches as files).

    extends: ch3_cross_entropy
    training: {epochs: 5}
    sweep:
      grid: {training.optimizer.eta: [0.025, 0.25, 2.5]}      # every combination of the values
      random: {count: 4, seed: 0, axes: {training.regularization.lambda: {log_uniform: [0.01, 10]}}}
      seeds: 2                                                  # each point with seeds seed, seed + 1

A point's values are set into the spec as `--set` would set them, so a bad value is reported at the line of
the sweep that gave it. The points are grid × draws × seeds; a random draw keeps four significant digits
(0.0734, not 0.07340125...), so that tables and labels stay readable.
"""
from __future__ import annotations

import copy
import itertools
import math
from dataclasses import dataclass

import numpy as np

from specnet.errors import SpecError, cut, raise_all
from specnet.spec.document import Document, Origin
from specnet.spec.overrides import parse_override, path_parts, set_value
from specnet.spec.schema import mapping_form

MAX_POINTS = 10_000  # the runs of one sweep (a grid of 8 axes of 4 values and 2 seeds is 131,072: refused)
_ROUND = 4           # significant digits of a random draw


@dataclass(frozen=True)
class Point:
    values: dict    # spec path -> the value this point gives it ("seed" too, with seeds > 1)
    spec: object    # the point's resolved, checked Spec

    @property
    def key(self) -> str:
        """The point's identity: the SHA-256 of its resolved spec (a changed point is a new key)."""
        return self.spec.digest()


def _draw(how: dict, rng):
    (kind, args), = how.items()
    if kind == "choice":
        return args[int(rng.integers(len(args)))]
    low, high = args
    value = math.exp(rng.uniform(math.log(low), math.log(high))) if kind == "log_uniform" else rng.uniform(low, high)
    return float(f"{value:.{_ROUND}g}")


def combinations(block: dict, base_seed: int) -> list:
    """Return the points' values ({path: value}) of a validated `sweep:` block, in order: the grid's
    combinations (its first axis slowest), each with each random draw, each with each seed."""
    grid = block.get("grid") or {}
    combos = [dict(zip(grid, values)) for values in itertools.product(*grid.values())]
    random = block.get("random")
    draws = [{}]
    if random:
        rng = np.random.default_rng(random.get("seed", 0))
        draws = [{path: _draw(how, rng) for path, how in random["axes"].items()} for _ in range(random["count"])]
    seeds = block.get("seeds", 1)
    return [{**c, **d, **({"seed": base_seed + s} if seeds > 1 else {})}
            for c in combos for d in draws for s in range(seeds)]


def sweep_points(doc: Document, build, base_dir=None) -> list:
    """Return the Points of a spec Document whose `sweep:` block the schema has validated. `build(doc,
    base_dir)` resolves and checks one point's Document (specnet.spec.load.spec_from_document); every
    problem of every point is raised at once, located at the sweep's line that gave the value."""
    block, data = doc.data["sweep"], {k: v for k, v in doc.data.items() if k != "sweep"}
    file, line = doc.where(("sweep",))
    for path, how in ((block.get("random") or {}).get("axes") or {}).items():
        low, high = next(iter(how.values())) if "choice" not in how else (0, 0)
        if low > high:
            raise SpecError(f"the low end {low:g} is above the high end {high:g}", file=file,
                            line=doc.where(("sweep", "random", "axes", path))[1], path=f"sweep.random.axes.{path}",
                            hint="Write [low, high].")
    count = math.prod(len(v) for v in (block.get("grid") or {}).values()) * \
        (block["random"]["count"] if block.get("random") else 1) * block.get("seeds", 1)
    if count > MAX_POINTS:
        raise SpecError(f"the sweep has {count:,} points, more than {MAX_POINTS:,}", file=file, line=line,
                        path="sweep", hint="Take fewer values, draws or seeds (or split the sweep in several files).")
    points, problems, seen = [], [], set()
    for values in combinations(block, data.get("seed", 0)):
        point_data, origins = copy.deepcopy(data), dict(doc.origins)
        try:
            for path, value in values.items():
                where = _where(doc, block, path, value)
                set_value(point_data, origins, path_parts(path), value, Origin("file", *where), mapping_form)
            spec = build(Document(point_data, doc.file, origins), base_dir)
        except SpecError as e:
            problems += [p for p in e.problems if (p.file, p.line, p.path, p.message) not in seen]
            seen.update((p.file, p.line, p.path, p.message) for p in e.problems)
            continue
        if all(p.key != spec.digest() for p in points):  # a draw may repeat a point: it is run once
            points.append(Point(values, spec))
    raise_all(problems)
    return points


def _where(doc: Document, block: dict, path: str, value) -> tuple:
    """Return (file, line) of the sweep's entry that gave `value` to `path`."""
    if path in (block.get("grid") or {}):
        return doc.where(("sweep", "grid", path, block["grid"][path].index(value)))
    if path == "seed" and "seed" not in (block.get("random") or {}).get("axes", {}):
        return doc.where(("sweep", "seeds"))
    return doc.where(("sweep", "random", "axes", path))


def command_line_sweep(doc: Document, axes, seeds) -> Document:
    """Return `doc` with the sweep of `specnet run SPEC --sweep PATH=V1,V2,... --seeds N` as its block."""
    block, origins = {}, dict(doc.origins)
    for text in axes:
        key, sep, raw = text.partition("=")
        where = Origin("set", f"--sweep {cut(text)}")
        hint = "Give a spec path and its values, separated by commas: --sweep training.optimizer.eta=0.1,1,10"
        if not sep or not key.strip() or not raw.strip():
            raise SpecError("expected PATH=V1,V2 (a spec path and its values)", file=where.file, got=text, hint=hint)
        try:
            values = parse_override(f"{key}=[{raw}]")[1]
        except SpecError as e:
            raise SpecError(e.message.replace("the value", "a value"), file=where.file, got=e.got, hint=hint) from None
        block.setdefault("grid", {})[key.strip()] = values
        origins.update({("sweep", "grid", key.strip()): where, ("sweep",): where})
    if seeds is not None:
        block["seeds"] = seeds
        origins[("sweep", "seeds")] = Origin("set", f"--seeds {seeds}")
    old = doc.data.get("sweep") or {}  # the options add to a file's sweep: its grid gains their axes
    grid = {**(old.get("grid") or {}), **block.pop("grid", {})}
    return Document({**doc.data, "sweep": {**old, **block, **({"grid": grid} if grid else {})}}, doc.file, origins)


class IsASweep(SpecError):
    """A sweep file given where one spec is expected."""


def check_not_a_sweep(doc: Document) -> None:
    """Refuse a sweep file where one spec is expected (`specnet run`, `show`, `gradcheck`)."""
    if "sweep" in doc.data:
        file, line = doc.where(("sweep",))
        raise IsASweep("this file is a sweep (it has a sweep: block), not one run", file=file, line=line,
                       path="sweep", hint=f"Run its points with: specnet sweep {doc.file} (or remove the sweep block).")
