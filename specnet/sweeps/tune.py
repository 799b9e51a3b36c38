"""`specnet tune SPEC`: the book's heuristics for choosing hyper-parameters (ch. 3, "How to choose a neural
network's hyper-parameters?"), automated as stages of sweeps on a quick-feedback subset of the data:

1. η, by its order of magnitude: 0.001, 0.01, ..., 100 with λ = 0; the threshold is the largest η whose
   training cost falls in each of the first few epochs (rather than oscillating or rising);
2. η, refined by halving down from ten times that threshold (5×, 2.5×, 1.25×); η is half the threshold;
3. the epochs, by the no-improvement-in-ten rule on the validation accuracy (early stopping);
4. λ (with L1 or L2 in the spec), by its order of magnitude, 0.01 to 100, then refined (×¼, ×½, ×2, ×4),
   by the best validation accuracy, and scaled from the subset's n to the spec's (the weight decay ηλ/n
   kept, as the book does going from 1,000 to 50,000 images).

It writes the chosen spec (extending the original, with a comment saying how each value was found) and
tune.md, a table of every trial, in runs/<name>-tune/. Each stage's trials run on the sweep's engine.
"""
from __future__ import annotations

import math
import os
from datetime import date
from pathlib import Path

from specnet.components.metrics import best
from specnet.datasets.dataset import load_datasets
from specnet.errors import SpecError
from specnet.runs.files import write_atomic
from specnet.runs.folder import load_run
from specnet.spec.document import Document, Origin
from specnet.spec.load import describe_data, spec_document, spec_from_document
from specnet.spec.overrides import path_parts, set_value
from specnet.spec.schema import load_schema, mapping_form
from specnet.spec.sweep import sweep_points
from specnet.sweeps.runner import run_sweep
from specnet.training.compiler import build, compile_spec

ETA, LAMBDA = "training.optimizer.eta", "training.regularization.lambda"
DECADES = (0.001, 0.01, 0.1, 1.0, 10.0, 100.0)
LAMBDAS = (0.01, 0.1, 1.0, 10.0, 100.0)


def settings(spec) -> dict:
    """The spec's `tune:` block, its defaults filled from the schema."""
    defaults = {k: v["default"] for k, v in load_schema()["properties"]["tune"]["properties"].items()}
    return {**defaults, **(spec.resolved.get("tune") or {})}


def falls(history: list, k: int, start: float) -> bool:
    """True if the training cost fell in each of the first k epochs, from `start` (the untrained network's)
    on, every value finite: it "immediately begins decreasing" rather than oscillating or rising."""
    costs = [start] + [r.get("training_cost") for r in history[:k]]
    return len(costs) == k + 1 and all(c is not None and math.isfinite(c) for c in costs) and \
        all(b < a for a, b in zip(costs, costs[1:]))


class Tuner:
    """The stages of one tuning (see above), their trials kept in `trials` for tune.md."""

    def __init__(self, path, overrides, folder: Path, jobs=1, dask=None, echo=print):
        self.doc, self.folder, self.jobs, self.dask, self.echo = spec_document(path, overrides), folder, jobs, dask, echo
        self.spec = spec_from_document(self.doc)
        if self.spec.training is None:
            raise SpecError("tune needs a spec that trains (a training section)", file=str(path), path="training")
        self.set, self.trials = settings(self.spec), []
        self.regularized = self.spec.training.regularization is not None
        self.quick = {"data.training": {"split": "training", "take": self.set["training_take"]},
                      "data.evaluation": {"split": "validation", "take": self.set["validation_take"]},
                      "training.monitor": ["evaluation_accuracy", "training_cost"], "expect": [],
                      "training.early_stopping": None, **({LAMBDA: 0.0} if self.regularized else {})}

    def document(self, name: str, fixed: dict) -> Document:
        """The spec on the quick subset, with `fixed` values (as --set would set them)."""
        data, origins = {k: v for k, v in self.doc.data.items() if k != "tune"}, dict(self.doc.origins)
        where = Origin("set", f"specnet tune ({name})")
        for path, value in {**self.quick, **fixed}.items():
            set_value(data, origins, path_parts(path), value, where, mapping_form)
        return Document(data, self.doc.file, origins)

    def untrained_cost(self, fixed: dict) -> float:
        """The training cost of the network before its first step (the trials' seed draws the same weights)."""
        spec = spec_from_document(self.document("untrained", fixed))
        data = load_datasets(spec, {"training": spec.data.training}, build("source", spec.data.source))["training"]
        return compile_spec(spec).total_cost(data, len(data))

    def stage(self, name: str, grid: dict, fixed: dict) -> list:
        """Train one stage's trials (a sweep of `grid` on the quick subset with `fixed`); return
        [(values, history)] in the grid's order."""
        doc = self.document(name, fixed)
        points = sweep_points(Document({**doc.data, "sweep": {"grid": grid}}, doc.file, doc.origins), spec_from_document)
        rows = run_sweep(points, self.folder / name, self.jobs, self.dask, lambda line: self.echo(f"  {line}"))
        out = []
        for point, row in zip(points, rows):
            history = load_run(self.folder / name / row["folder"]).history if row.get("status") != "failed" else []
            self.trials.append({"stage": name, **fixed, **point.values, "history": history, "folder": f"{name}/{row['folder']}"})
            out.append((point.values, history))
        return out

    def eta(self) -> tuple:
        k, fixed = self.set["first_epochs"], {"training.epochs": self.set["first_epochs"]}
        self.start = start = self.untrained_cost(fixed)
        self.echo(f"η, order of magnitude: the training cost ({start:.4g} untrained) must fall in each of the "
                  f"first {k} epochs")
        decades = [v[ETA] for v, h in self.stage("1-eta-decades", {ETA: list(DECADES)}, fixed) if falls(h, k, start)]
        if not decades:
            raise SpecError(f"the training cost did not fall in the first {k} epochs for any η from 0.001 to 100",
                            file=str(self.doc.file), path=ETA, hint="Look at tune.md's trials: the network or its data "
                                                                  "may not learn at all (try another cost or init).")
        low = max(decades)
        finer = [low * f for f in (5.0, 2.5, 1.25)] if low < DECADES[-1] else []
        found = [v[ETA] for v, h in self.stage("2-eta-halving", {ETA: finer}, fixed) if falls(h, k, start)] if finer else []
        threshold = max([low] + found)
        why = (f"the training cost fell in each of the first {k} epochs for η up to {threshold:g} "
               f"(not at {min([x for x in finer if x > threshold] or [low * 10]):g}): half of it")
        return threshold / 2, why

    def epochs(self, eta: float) -> tuple:
        n, most = self.set["patience"], self.set["max_epochs"]
        self.echo(f"epochs: the no-improvement-in-{n} rule on the validation accuracy (at most {most})")
        fixed = {"training.epochs": most, "training.early_stopping": {
            "metric": "evaluation_accuracy", "patience": n, "restore_best": False}}
        (_, history), = self.stage("3-epochs", {ETA: [eta]}, fixed)
        top, at = best(history, "evaluation_accuracy")
        why = (f"the validation accuracy did not improve for {n} epochs after epoch {at} ({100 * top:.2f}%)"
               if len(history) < most else f"it still improved at epoch {most - 1}: max_epochs")
        return len(history), why

    def lmbda(self, eta: float, epochs: int) -> tuple:
        self.echo("λ: order of magnitude, then ×¼, ×½, ×2, ×4, by the best validation accuracy")
        fixed = {ETA: eta, "training.epochs": epochs}
        scored = [(best(h, "evaluation_accuracy")[0] or 0.0, v[LAMBDA])
                  for v, h in self.stage("4-lambda-decades", {LAMBDA: list(LAMBDAS)}, fixed)]
        top = max(scored, key=lambda s: s[0])[1]
        scored += [(best(h, "evaluation_accuracy")[0] or 0.0, v[LAMBDA]) for v, h in
                   self.stage("5-lambda-refined", {LAMBDA: [top * f for f in (0.25, 0.5, 2.0, 4.0)]}, fixed)]
        accuracy, chosen = max(scored, key=lambda s: s[0])
        n_quick, n_full = self.set["training_take"], self.training_size()
        why = (f"{chosen:g} was best on {n_quick:,} training images ({100 * accuracy:.2f}% validation accuracy), "
               f"× {n_full:,}/{n_quick:,} for the spec's {n_full:,}")
        return chosen * n_full / n_quick, why

    def training_size(self) -> int:
        """The spec's own training examples (its split, or the first `take` of it)."""
        take, size = self.spec.data.training.take, describe_data(self.spec).sizes.get("training", 0)
        return min(size, take or size)


def tune(path, overrides=(), runs_dir="runs", jobs=1, dask=None, echo=print) -> dict:
    """Run the stages and write the chosen spec and tune.md; return {"spec", "table", "values"}."""
    probe = spec_from_document(spec_document(path, overrides))
    folder = Path(runs_dir) / f"{probe.name}-tune"
    t = Tuner(path, overrides, folder, jobs, dask, echo)
    eta, eta_why = t.eta()
    epochs, epochs_why = t.epochs(eta)
    values = {ETA: (round(eta, 6), eta_why), "training.epochs": (epochs, epochs_why)}
    if t.regularized:
        lmbda, why = t.lmbda(eta, epochs)
        values[LAMBDA] = (float(f"{lmbda:.3g}"), why)
    out = folder / f"{probe.name}_tuned.yaml"
    write_atomic(out, tuned_yaml(path, folder, values).encode())
    write_atomic(folder / "tune.md", table(t.trials, t.set["first_epochs"], t.start).encode())
    return {"spec": str(out), "table": str(folder / "tune.md"), "values": {k: v for k, (v, _) in values.items()}}


def tuned_yaml(path, folder: Path, values: dict) -> str:
    """The chosen spec: the original, extended, with each value and how it was found."""
    base = Path(path)
    extends = os.path.relpath(base.resolve(), folder.resolve()) if base.is_file() else str(path)
    lines = [f"# Tuned by `specnet tune {path}` on {date.today().isoformat()}: tune.md beside this file lists",
             "# every trial. How each value was found:"]
    lines += [f"#   {p} = {v:g}: {why}." for p, (v, why) in values.items()]
    lines += [f"extends: {extends}", "training:", f"  epochs: {values['training.epochs'][0]}",
              f"  optimizer: {{eta: {values[ETA][0]:g}}}"]
    if LAMBDA in values:
        lines.append(f"  regularization: {{lambda: {values[LAMBDA][0]:g}}}")
    return "\n".join(lines) + "\n"


def table(trials: list, k: int, start: float) -> str:
    """tune.md: every trial of every stage, with what decided it."""
    rows = [f"The untrained network's training cost: {start:.4g}.", "",
            "| stage | η | λ | epochs | training cost, first epochs | falls | best validation accuracy | run |",
            "|---|---|---|---|---|---|---|---|"]
    for t in trials:
        costs = ", ".join(f"{r['training_cost']:.4g}" for r in t["history"][:k] if r.get("training_cost") is not None)
        top = best(t["history"], "evaluation_accuracy")[0] if t["history"] else None
        rows.append(f"| {t['stage']} | {t.get(ETA, '')} | {t.get(LAMBDA, 0.0)} | {len(t['history'])} | {costs} | "
                    f"{'yes' if falls(t['history'], k, start) else 'no'} | {'' if top is None else f'{100 * top:.2f}%'} | "
                    f"{t['folder']} |")
    return "# specnet tune: every trial\n\n" + "\n".join(rows) + "\n"
