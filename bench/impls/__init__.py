"""The implementations the benchmark times, one module each, by name.

Each module has a `Trainer(problem)` with `reset()` (back to the initial weights), `epoch()` (one epoch of
mini-batch SGD in the problem's order: the only thing timed) and `accuracy()` (test accuracy, a fraction),
and `requires`, the packages it needs (a missing one is reported, not an error). Every implementation
computes the same thing: the book's update w → w − (η/m) Σ_x ∂C_x/∂w, from the same weights and order.
"""
IMPLS = {  # name -> (module, what it is)
    "specnet": ("specnet_impl", "specnet as `specnet run` runs a spec: the default executor, auto"),
    "specnet-numpy": ("specnet_numpy_impl", "specnet's NumPy executor (training.executor: numpy)"),
    "specnet-numba": ("specnet_numba_impl", "specnet's compiled executor (training.executor: numba)"),
    "numpy": ("numpy_impl", "a plain NumPy loop: the book's matrix-based backprop, written directly"),
    "reference": ("reference_impl", "tests/reference.py: the book's per-example loop, float64"),
    "torch": ("torch_impl", "PyTorch eager: nn.Linear layers, autograd and optim.SGD"),
    "jax": ("jax_impl", "JAX: the whole epoch compiled by XLA (jit + lax.scan)"),
    "numba": ("numba_impl", "Numba: the epoch as one @njit function (np.dot for the products)"),
}


def timed(fn) -> float:
    """Seconds that fn() takes."""
    import time
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def compile_seconds(trainer) -> float:
    """Time the first epoch (which compiles) and a second one; return the difference, the compile time.
    Leaves the trainer reset to the initial weights."""
    trainer.reset()
    first = timed(trainer.epoch)
    trainer.reset()
    second = timed(trainer.epoch)
    trainer.reset()
    return max(0.0, first - second)
