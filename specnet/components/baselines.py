"""Baselines the book measures its networks against (ch. 1): classifiers that learn no weights, the model kind
of a spec's `baseline` section (specnet.spec.sections.Baseline).

Each has a Network's `outputs`, `evaluate`, `total_cost` (None: no cost) and `measure`, which fits it to the
training data first (a baseline's training), so that a run, `evaluate` and `diff` treat it like a network;
`saved()` is its whole model.json (it keeps no arrays), and `loaded(model.json)` the baseline it describes.

    $ specnet run specs/ch1_average_darkness.yaml
"""
from __future__ import annotations

import numpy as np

from specnet.registry import Registry

BASELINES = Registry("baseline")


@BASELINES.register("average_darkness")
class AverageDarkness:
    """Guess the class whose average darkness is nearest the image's. Darkness is the sum of the pixel
    intensities; the averages are taken per class over the training images (ch. 1: 22.25% on the test set)."""

    def __init__(self):
        self.means = None  # set by fit, or by loaded

    @classmethod
    def loaded(cls, params: dict):
        """Return the baseline that `params()` described (as model.json keeps it)."""
        baseline = cls()
        baseline.means = np.array([np.inf if m is None else m for m in params["means"]], dtype=np.float64)
        return baseline

    @staticmethod
    def darkness(data) -> np.ndarray:
        return data.x.sum(axis=1, dtype=np.float64)

    def fit(self, training):
        """Set the average darkness of each class of the training data (inf for a class it lacks)."""
        d, k = self.darkness(training), int(training.labels.max()) + 1
        self.means = np.array([d[training.labels == c].mean() if np.any(training.labels == c) else np.inf
                               for c in range(k)])
        return self

    def params(self) -> dict:
        """Return what model.json keeps: the means, null for a class the training data lacked (inf)."""
        return {"means": [m if np.isfinite(m) else None for m in self.means.tolist()]}

    def arrays(self) -> dict:
        """A baseline keeps no arrays: model.json holds all it learned."""
        return {}

    def saved(self) -> dict:
        """Return the baseline's model.json: its name and what it learned."""
        return {"format": "specnet-baseline", "baseline": self.name, **self.params()}

    def outputs(self, data) -> np.ndarray:
        """Return a score per class, the highest for the nearest average: −|darkness − mean| (N, classes)."""
        return -np.abs(self.darkness(data)[:, None] - self.means[None, :])

    def evaluate(self, data, outputs=None) -> int:
        a = self.outputs(data) if outputs is None else outputs
        return int(np.sum(a.argmax(axis=1) == data.labels))

    def total_cost(self, data, n, outputs=None) -> None:
        """A baseline has no cost."""
        return None

    def measure(self, monitor, training, evaluation, n) -> dict:
        """Return the evaluation accuracy (a baseline has no cost), fitted first to `training`."""
        correct = self.fit(training).evaluate(evaluation)
        return {"evaluation_accuracy": correct / len(evaluation), "evaluation_correct": correct,
                "evaluation_total": len(evaluation)}
