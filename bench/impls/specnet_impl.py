"""specnet's own executor, called as `specnet run` calls it: Executor.train with the spec's compiled recipe."""
import dataclasses

from specnet.training.compiler import compile_recipe, compile_spec, generator
from specnet.datasets.dataset import Dataset

requires = ()


class Trainer:
    def __init__(self, p):
        self.p = p
        self.data = Dataset(p.x, p.y, p.labels, "training")
        self.test = Dataset(p.test_x, p.test_y, p.test_labels, "test")
        # one epoch, nothing monitored: the training alone (a run also evaluates after each epoch)
        self.recipe = dataclasses.replace(compile_recipe(p.spec), epochs=1, monitor=())
        self.reset()

    def reset(self):
        self.net = compile_spec(self.p.spec)  # the spec's initial weights, drawn afresh from its seed

    def epoch(self):
        self.net.train(self.data, self.recipe, generator(self.p.spec.seed, "shuffle"))

    def accuracy(self) -> float:
        return self.net.evaluate(self.test) / len(self.test)
