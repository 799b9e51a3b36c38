"""specnet's optional compiled executor (training.executor: numba), called as `specnet run` calls it."""
from bench.impls import compile_seconds, specnet_impl

requires = ("numba",)


class Trainer(specnet_impl.Trainer):
    overrides = ["training.executor=numba"]  # added to the Problem's spec by the worker

    def __init__(self, p):
        super().__init__(p)
        self.compile_seconds = compile_seconds(self)  # the first epoch compiles (or loads Numba's cache)
