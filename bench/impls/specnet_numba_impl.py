"""specnet's optional compiled executor (training.executor: numba), called as `specnet run` calls it."""
import time

from bench.impls import specnet_impl

requires = ("numba",)


class Trainer(specnet_impl.Trainer):
    overrides = ["training.executor=numba"]

    def __init__(self, p):
        super().__init__(p)
        t0 = time.perf_counter()
        self.epoch()  # the first call compiles (or loads Numba's cache)
        first = time.perf_counter() - t0
        self.reset()
        t0 = time.perf_counter()
        self.epoch()
        self.compile_seconds = max(0.0, first - (time.perf_counter() - t0))
        self.reset()
