"""Training: the compiler turns a resolved Spec into a network and a trainer (the only module that
consults the registries); the network does feedforward and backpropagation (BP1-BP4); the trainer runs
the epochs, mini-batches, monitoring and early stopping, with an optimizer and a schedule; the NumPy and
the compiled (Numba) executors are two implementations of its step. gradcheck checks the gradients.
"""
