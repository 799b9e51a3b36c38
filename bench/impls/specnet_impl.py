"""specnet as `specnet run` runs a spec: Trainer.train with the spec's compiled Trainer and its default
executor, `auto` (the compiled loops when numba is installed and the spec allows them, else NumPy's steps)."""
import dataclasses

from bench.impls import compile_seconds
from specnet.training.compiler import compile_trainer, compile_spec, generator
from specnet.datasets.dataset import Dataset

requires = ()


class Trainer:
    overrides = []  # the spec's own executor: auto

    def __init__(self, p):
        self.p = p
        self.data = Dataset(p.x, p.y, p.labels, "training")
        self.test = Dataset(p.test_x, p.test_y, p.test_labels, "test")
        # one epoch, nothing monitored: the training alone (a run also evaluates after each epoch)
        self.trainer = dataclasses.replace(compile_trainer(p.spec), epochs=1, monitor=())
        self.reset()
        if self.trainer.executor.name == "numba":  # the first epoch compiles (or loads Numba's cache)
            self.compile_seconds = compile_seconds(self)

    def reset(self):
        self.net = compile_spec(self.p.spec)  # the spec's initial weights, drawn afresh from its seed

    def epoch(self):
        self.trainer.train(self.net, self.data, generator(self.p.spec.seed, "shuffle"))

    def accuracy(self) -> float:
        return self.net.evaluate(self.test) / len(self.test)
