"""specnet's NumPy executor (training.executor: numpy), called as `specnet run` calls it."""
from bench.impls import specnet_impl

requires = ()


class Trainer(specnet_impl.Trainer):
    overrides = ["training.executor=numpy"]  # added to the Problem's spec by the worker
