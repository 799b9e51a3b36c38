"""What `specnet tune` judges by (specnet.sweeps.tune): whether a trial's cost "immediately begins
decreasing, instead of oscillating or increasing" (ch. 3), and the settings of the spec's `tune:` block."""
from __future__ import annotations

import math

from specnet.spec.schema import load_schema

ETA, LAMBDA = "training.optimizer.eta", "training.regularization.lambda"


def settings(spec) -> dict:
    """The spec's `tune:` block, its defaults filled from the schema."""
    defaults = {k: v["default"] for k, v in load_schema()["properties"]["tune"]["properties"].items()}
    return {**defaults, **(spec.resolved.get("tune") or {})}


def largest_rise(checks: list) -> float:
    """The largest relative rise of the validation cost from one measure within the epochs to the next."""
    costs = [c.get("evaluation_cost") for c in checks]
    if not costs or not all(c is not None and math.isfinite(c) and c > 0 for c in costs):
        return math.inf
    return max([0.0] + [(b - a) / a for a, b in zip(costs, costs[1:])])


def falls(trial: dict, k: int, start: float, rise: float) -> bool:
    """True if the trial's training cost fell in each of the first k epochs, from `start` (the untrained
    network's) on, and its validation cost never rose by more than `rise` between two measures."""
    costs = [start] + [r.get("training_cost") for r in trial["history"][:k]]
    return len(costs) == k + 1 and all(c is not None and math.isfinite(c) for c in costs) and \
        all(b < a for a, b in zip(costs, costs[1:])) and largest_rise(trial["checks"]) <= rise
