"""specnet's optional compiled executor (training.executor: numba), called as `specnet run` calls it."""
from bench.impls import specnet_impl

requires = ("numba",)


class Trainer(specnet_impl.Trainer):
    overrides = ["training.executor=numba"]  # added to the Problem's spec by the worker (compile_seconds: see
                                             # specnet_impl)
