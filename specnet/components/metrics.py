"""The monitored metrics, and what "best" means for each: the highest accuracy, the lowest cost.

    >>> history = [{"epoch": 0, "evaluation_accuracy": 0.9}, {"epoch": 1, "evaluation_accuracy": 0.8}]
    >>> best(history, "evaluation_accuracy"), final(history, "evaluation_accuracy")
    ((0.9, 0), 0.8)
"""
from __future__ import annotations

METRICS = ("evaluation_accuracy", "evaluation_cost", "training_accuracy", "training_cost")


def better(metric: str, value, than) -> bool:
    """Return True if `value` is an improvement on `than` (None: anything is)."""
    if than is None:
        return True
    return value > than if metric.endswith("accuracy") else value < than


def best(history: list, metric: str):
    """Return (value, epoch) of the best value of `metric` (the first epoch that reached it), or (None, None)."""
    value, epoch = None, None
    for row in history:
        if metric in row and better(metric, row[metric], value):
            value, epoch = row[metric], row["epoch"]
    return value, epoch


def final(history: list, metric: str):
    """Return the last value of `metric`, or None."""
    return next((r[metric] for r in reversed(history) if metric in r), None)


def epochs_since_best(history: list, metric: str) -> int:
    """Return how many epochs have passed since the best value of `metric` (0 if the last was the best)."""
    value, index = None, 0
    for i, row in enumerate(history):
        if better(metric, row[metric], value):
            value, index = row[metric], i
    return len(history) - 1 - index
