"""Learning-rate schedules and early stopping (ch. 3, "How to choose a neural network's hyper-parameters").

A schedule's `rate(eta0, history)` returns η for the next epoch, or None to stop training. It is a pure
function of the metrics of the epochs done so far, so a run can be replayed from its metrics.jsonl.

    >>> plateau = SCHEDULES.get("plateau")(metric="evaluation_accuracy", patience=2, factor=0.5, min_ratio=0.25)
    >>> rows = [{"evaluation_accuracy": a} for a in (0.5, 0.6, 0.6, 0.6, 0.6, 0.6)]
    >>> [plateau.rate(1.0, rows[:k]) for k in range(7)]
    [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, None]
"""
from __future__ import annotations

from dataclasses import dataclass

from specnet.components.metrics import better, epochs_since_best
from specnet.registry import Registry

SCHEDULES = Registry("schedule")


@SCHEDULES.register("constant")
class Constant:
    """η stays as the optimizer sets it (the book's default)."""

    def rate(self, eta0, history):
        return eta0


@SCHEDULES.register("steps")
class Steps:
    """η changes at given epochs: at: [20], etas: [0.025] trains with η0 for epochs 0-19, then with 0.025."""

    def __init__(self, at, etas):
        self.changes = sorted(zip(at, etas))

    def rate(self, eta0, history):
        eta = eta0
        for epoch, value in self.changes:
            if len(history) >= epoch:  # len(history) is the number of the epoch about to run
                eta = value
        return eta


@SCHEDULES.register("plateau")
class Plateau:
    """Divide η by 1/factor each time `metric` has not improved for `patience` epochs (counting afresh after
    each change); stop when η has fallen to min_ratio × η0 (the book: halve until 1/128, or 1/1,024)."""

    def __init__(self, metric, patience, factor, min_ratio):
        self.metric, self.patience, self.factor, self.min_ratio = metric, patience, factor, min_ratio

    def rate(self, eta0, history):
        eta, best, waited = eta0, None, 0
        for row in history:
            if better(self.metric, row[self.metric], best):
                best, waited = row[self.metric], 0
            else:
                waited += 1
            if waited >= self.patience:
                eta, waited = eta * self.factor, 0
        return None if eta <= eta0 * self.min_ratio * (1 + 1e-9) else eta


@dataclass(frozen=True)
class EarlyStopping:
    """Stop when `metric` has not improved for `patience` epochs ("no-improvement-in-n", ch. 3); with
    `restore_best`, the parameters of the best epoch are put back at the end. Also the spec's section."""
    metric: str
    patience: int
    restore_best: bool

    def should_stop(self, history) -> bool:
        return bool(history) and epochs_since_best(history, self.metric) >= self.patience
