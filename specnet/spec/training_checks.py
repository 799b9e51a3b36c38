"""Semantic checks of the training section and the `expect` bounds (listed in this module's CHECKS, run by specnet.spec.load)."""
from __future__ import annotations

from specnet.errors import CheckError


def watched_metrics(spec, info):
    """The metric a schedule or early stopping watches must be monitored; steps need one η per epoch."""
    t = spec.training
    if not t:
        return
    watched = [(("training", "schedule", "metric"), t.schedule.params.get("metric"))]
    watched.append((("training", "early_stopping", "metric"), t.early_stopping and t.early_stopping.metric))
    for path, metric in watched:
        if metric and metric not in t.monitor:
            yield CheckError(f"metric '{metric}' is watched but not monitored", path=path,
                             hint=f"Add it to training.monitor (now: {', '.join(t.monitor) or 'nothing'}).")
    if t.max_cost is not None and not any(m.endswith("_cost") for m in t.monitor):
        yield CheckError("max_cost bounds a monitored cost, and no cost is monitored", path=("training", "max_cost"),
                         got=t.max_cost, hint="Add training_cost or evaluation_cost to training.monitor.")
    if t.schedule.type == "steps" and len(t.schedule.params["at"]) != len(t.schedule.params["etas"]):
        yield CheckError("`at` and `etas` must have the same length: one new η per epoch listed",
                         path=("training", "schedule"), got=t.schedule.params)


def expectations(spec, info):
    """Each `expect` bound needs min or max, on a metric that is monitored; accuracies are fractions (and so
    is the book's value of an accuracy result)."""
    monitored = spec.training.monitor if spec.training else ("evaluation_accuracy", "evaluation_cost")
    for i, e in enumerate(spec.expect):
        path = ("expect", i)
        if e.min is None and e.max is None and not e.diverges:
            yield CheckError("give min, max or both (or diverges: true)", path=path)
        if e.metric not in monitored:
            yield CheckError(f"metric '{e.metric}' is not monitored", path=path + ("metric",),
                             hint=f"Add it to training.monitor (now: {', '.join(monitored)}).")
        for key in ("min", "max"):
            v = getattr(e, key)
            if "accuracy" in e.metric and v is not None and not 0 <= v <= 1:
                yield CheckError("must be a fraction in [0, 1]", path=path + (key,), got=v,
                                 hint="Accuracies are fractions: 95% is 0.95.")
        if e.min is not None and e.max is not None and e.min > e.max:
            yield CheckError("min is greater than max", path=path, got=[e.min, e.max])
    value = spec.book and spec.book.value
    if spec.expect and "accuracy" in spec.expect[0].metric and value is not None and not 0 <= value <= 1:
        yield CheckError(f"must be a fraction in [0, 1], like the first expect metric ({spec.expect[0].metric})",
                         path=("book", "value"), got=value, hint="Accuracies are fractions: 96.49% is 0.9649.")


# This module's checks (specnet.spec.load runs them).
CHECKS = (watched_metrics, expectations)
