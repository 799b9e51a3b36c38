"""`specnet tune SPEC`: the book's heuristics for choosing hyper-parameters (ch. 3, "How to choose a neural
network's hyper-parameters?"), automated as stages of sweeps on a quick-feedback subset of the data:

1. η, by its order of magnitude: 0.001, 0.01, ..., 100 with λ = 0; the threshold is the largest η whose
   cost "immediately begins decreasing, instead of oscillating or increasing": the training cost falls in
   each of the first few epochs (from the untrained network's), and the validation cost, measured ten
   times an epoch, never rises by more than `rise` (10%: the noise of SGD) from one measure to the next;
2. η, refined by halving down from ten times that threshold (5×, 2.5×, 1.25×); η is half the threshold;
3. the epochs, by the no-improvement-in-ten rule on the validation accuracy (early stopping);
4. λ (with L1 or L2 in the spec), by its order of magnitude, 0.01 to 100, then refined (×¼, ×½, ×2, ×4),
   by the best validation accuracy, and scaled from the subset's n to the spec's (the weight decay ηλ/n
   kept, as the book does going from 1,000 to 50,000 images).

It writes the chosen spec (extending the original, with a comment saying how each value was found) and
tune.md, a table of every trial, in runs/<name>-tune/. Each stage's trials run on the sweep's engine.
"""
from __future__ import annotations

from pathlib import Path

from specnet.components.metrics import best
from specnet.datasets.dataset import load_datasets
from specnet.errors import SpecError
from specnet.runs.files import write_atomic
from specnet.runs.folder import load_run
from specnet.spec.document import Document, Origin
from specnet.spec.load import describe_data, spec_document, spec_from_document
from specnet.spec.overrides import path_parts, set_value
from specnet.spec.schema import mapping_form
from specnet.spec.sweep import sweep_points
from specnet.sweeps.criteria import ETA, LAMBDA, falls, settings
from specnet.sweeps.runner import run_sweep
from specnet.sweeps.tuned import table, tuned_yaml
from specnet.training.compiler import build, compile_spec

DECADES = (0.001, 0.01, 0.1, 1.0, 10.0, 100.0)
LAMBDAS = (0.01, 0.1, 1.0, 10.0, 100.0)


class Tuner:
    """The stages of one tuning (see above), their trials kept in `trials` for tune.md."""

    def __init__(self, path, overrides, folder: Path, jobs=1, dask=None, echo=print):
        self.doc, self.folder, self.jobs, self.dask, self.echo = spec_document(path, overrides), folder, jobs, dask, echo
        self.spec = spec_from_document(self.doc)
        if self.spec.training is None:
            raise SpecError("tune needs a spec that trains (a training section)", file=str(path), path="training")
        self.set, self.trials = settings(self.spec), []
        self.regularized = getattr(self.spec.training.regularization, "type", "none") in ("l1", "l2")
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
            run = load_run(self.folder / name / row["folder"]) if row.get("status") != "failed" else None
            trial = {"stage": name, **fixed, **point.values, "history": run.history if run else [],
                     "checks": run.checks if run else [], "folder": f"{name}/{row['folder']}"}
            self.trials.append(trial)
            out.append((point.values, trial))
        return out

    def eta(self) -> tuple:
        k, rise = self.set["first_epochs"], self.set["rise"]
        fixed = {"training.epochs": k, "training.monitor_every": max(1, self.set["training_take"] // 10),
                 "training.monitor": ["evaluation_accuracy", "evaluation_cost", "training_cost"]}
        self.start = start = self.untrained_cost(fixed)
        self.echo(f"η, order of magnitude: the training cost ({start:.4g} untrained) must fall in each of the "
                  f"first {k} epochs, the validation cost never rise by more than {100 * rise:g}%")
        ok = lambda trial: falls(trial, k, start, rise)  # noqa: E731
        decades = [v[ETA] for v, t in self.stage("1-eta-decades", {ETA: list(DECADES)}, fixed) if ok(t)]
        if not decades:
            raise SpecError(f"the training cost did not fall in the first {k} epochs for any η from 0.001 to 100",
                            file=str(self.doc.file), path=ETA, hint="Look at tune.md's trials: the network or its data "
                                                                  "may not learn at all (try another cost or init).")
        low = max(decades)
        finer = [low * f for f in (5.0, 2.5, 1.25)] if low < DECADES[-1] else []
        found = [v[ETA] for v, t in self.stage("2-eta-halving", {ETA: finer}, fixed) if ok(t)] if finer else []
        threshold = max([low] + found)
        why = (f"the cost fell from the start, without oscillating, for η up to {threshold:g} "
               f"(not at {min([x for x in finer if x > threshold] or [low * 10]):g}): half of it")
        return threshold / 2, why

    def epochs(self, eta: float) -> tuple:
        n, most = self.set["patience"], self.set["max_epochs"]
        self.echo(f"epochs: the no-improvement-in-{n} rule on the validation accuracy (at most {most})")
        fixed = {"training.epochs": most, "training.early_stopping": {
            "metric": "evaluation_accuracy", "patience": n, "restore_best": False}}
        (_, trial), = self.stage("3-epochs", {ETA: [eta]}, fixed)
        history = trial["history"]
        top, at = best(history, "evaluation_accuracy")
        why = (f"the validation accuracy did not improve for {n} epochs after epoch {at} ({100 * top:.2f}%)"
               if len(history) < most else f"it still improved at epoch {most - 1}: max_epochs")
        return len(history), why

    def lmbda(self, eta: float, epochs: int) -> tuple:
        self.echo("λ: order of magnitude, then ×¼, ×½, ×2, ×4, by the best validation accuracy")
        fixed = {ETA: eta, "training.epochs": epochs}
        scored = [(best(t["history"], "evaluation_accuracy")[0] or 0.0, v[LAMBDA])
                  for v, t in self.stage("4-lambda-decades", {LAMBDA: list(LAMBDAS)}, fixed)]
        top = max(scored, key=lambda s: s[0])[1]
        scored += [(best(t["history"], "evaluation_accuracy")[0] or 0.0, v[LAMBDA]) for v, t in
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
    folder = Path(runs_dir) / f"{probe.name}-tune-{probe.digest()[:8]}"  # a tuning of each spec (and --set)
    t = Tuner(path, overrides, folder, jobs, dask, echo)
    eta, eta_why = t.eta()
    epochs, epochs_why = t.epochs(eta)
    values = {ETA: (round(eta, 6), eta_why), "training.epochs": (epochs, epochs_why)}
    if t.regularized:
        lmbda, why = t.lmbda(eta, epochs)
        values[LAMBDA] = (float(f"{lmbda:.3g}"), why)
    out = folder / f"{probe.name}_tuned.yaml"
    write_atomic(out, tuned_yaml(path, folder, values, overrides).encode())
    write_atomic(folder / "tune.md", table(t.trials, t.set["first_epochs"], t.start, t.set["rise"]).encode())
    return {"spec": str(out), "table": str(folder / "tune.md"), "values": {k: v for k, (v, _) in values.items()}}
