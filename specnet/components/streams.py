"""The random streams of a spec's seed: one independent NumPy Generator per purpose (the initial weights,
the shuffles, dropout, the expanded data), so that adding draws for one never shifts another.

    >>> generator(0, "shuffle").permutation(4).tolist() == generator(0, "shuffle").permutation(4).tolist()
    True
"""
from __future__ import annotations

import numpy as np

STREAMS = {"init": 0, "shuffle": 1, "dropout": 2, "expand": 3}


def generator(seed: int, stream: str) -> np.random.Generator:
    """Return the numpy Generator of one named stream of the spec's seed."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, STREAMS[stream]])))
