"""tests/reference.py: the book's per-example algorithm (one (784, 1) column at a time), always float64."""
import importlib.util

import numpy as np

from bench.problem import ROOT

requires = ()
_spec = importlib.util.spec_from_file_location("bench_reference", ROOT / "tests" / "reference.py")
reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reference)


class Trainer:
    def __init__(self, p):
        self.p = p
        self.pairs = [(x.reshape(-1, 1).astype(np.float64), y.reshape(-1, 1).astype(np.float64))
                      for x, y in zip(p.x, p.y)]
        self.reset()

    def reset(self):
        self.net = reference.ReferenceNetwork(self.p.weights, self.p.biases, ["sigmoid", "sigmoid"], self.p.cost)

    def epoch(self):
        for batch in self.p.batches():
            self.net.update_mini_batch([self.pairs[i] for i in batch], self.p.eta, len(self.pairs))

    def accuracy(self) -> float:
        a = self.net.feedforward(self.p.test_x.T.astype(np.float64))
        return float(np.mean(a.argmax(axis=0) == self.p.test_labels))
