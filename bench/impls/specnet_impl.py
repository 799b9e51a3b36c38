"""specnet's NumPy executor, called as `specnet run` calls it: Trainer.train with the spec's compiled Trainer."""
import dataclasses

from specnet.training.compiler import compile_trainer, compile_spec, generator
from specnet.datasets.dataset import Dataset

requires = ()


class Trainer:
    overrides = ["training.executor=numpy"]  # pinned: `auto` would take numba's steps when it is installed

    def __init__(self, p):
        self.p = p
        self.data = Dataset(p.x, p.y, p.labels, "training")
        self.test = Dataset(p.test_x, p.test_y, p.test_labels, "test")
        # one epoch, nothing monitored: the training alone (a run also evaluates after each epoch)
        self.trainer = dataclasses.replace(compile_trainer(p.spec), epochs=1, monitor=())
        self.reset()

    def reset(self):
        self.net = compile_spec(self.p.spec)  # the spec's initial weights, drawn afresh from its seed

    def epoch(self):
        self.trainer.train(self.net, self.data, generator(self.p.spec.seed, "shuffle"))

    def accuracy(self) -> float:
        return self.net.evaluate(self.test) / len(self.test)
