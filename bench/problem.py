"""The benchmark's problem: the same data, initial weights and mini-batch order for every implementation.

A Config names one cell of the benchmark (hidden width, cost, mini-batch size m, dtype, images per epoch,
data);
a Problem is that cell made concrete from specnet's own specs, data and seed streams, so that every
implementation trains the same network from the same numbers in the same order.
"""
from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SPECS = {"quadratic": ROOT / "specs" / "ch1_sgd.yaml", "cross_entropy": ROOT / "specs" / "ch3_cross_entropy.yaml"}
FULL = 50_000  # the book's training set: every time is reported per epoch of this many images

# The data axis. mnist: the book's MNIST. fashion: Fashion-MNIST from Debian's dataset-fashion-mnist, read
# by specnet's own `idx` source with these SHA-256 sums, split as MNIST is (the first 50,000 training images
# train). dense: MNIST with every pixel x mapped to 0.05 + 0.9x (no zeros; the same digits to learn).
DATA = ("mnist", "fashion", "dense")
FASHION = Path("/usr/share/datasets/fashion-mnist")
FASHION_FILES = {
    "train_images": ("train-images-idx3-ubyte.gz", "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7"),
    "train_labels": ("train-labels-idx1-ubyte.gz", "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056"),
    "test_images": ("t10k-images-idx3-ubyte.gz", "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa"),
    "test_labels": ("t10k-labels-idx1-ubyte.gz", "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05"),
}


def missing(data: str) -> str | None:
    """The one line that says why `data` cannot be timed on this machine, or None."""
    if data == "fashion" and not all((FASHION / name).is_file() for name, _ in FASHION_FILES.values()):
        return f"fashion: skipped, Debian's dataset-fashion-mnist is not installed ({FASHION})"
    return None


def data_overrides(data: str) -> list:
    """The spec overrides that make specnet load `data` (dense is MNIST, mapped after loading)."""
    if data != "fashion":
        return []
    files = {role: {"path": str(FASHION / name), "sha256": s} for role, (name, s) in FASHION_FILES.items()}
    return ["data.source=" + json.dumps({"type": "idx", "files": files, "validation": 10_000})]


@dataclass(frozen=True)
class Config:
    hidden: int = 30
    cost: str = "quadratic"       # quadratic (ch1_sgd.yaml, η 3.0) or cross_entropy (ch3_cross_entropy.yaml, η 0.5)
    m: int = 10                   # mini-batch size
    dtype: str = "float32"
    images: int = FULL            # training images in the timed epoch (a prefix of the 50,000)
    data: str = "mnist"           # mnist, fashion or dense (DATA); results saved before the axis are mnist

    @property
    def sizes(self) -> list:
        return [784, self.hidden, 10]

    def label(self) -> str:
        return f"{self.sizes} {self.cost} m={self.m} {self.dtype}" + ("" if self.data == "mnist" else f" {self.data}")

    def flops(self) -> float:
        """Floating-point operations of the matrix products in one epoch of `images` (elementwise work not
        counted): per image and layer 2·n_in·n_out for the feedforward, as many for ∂C/∂w (BP4), and as
        many again to backpropagate δ (BP2) into every layer but the first."""
        pairs = list(zip(self.sizes[:-1], self.sizes[1:]))
        per_image = sum(2 * a * b for a, b in pairs) * 2 + sum(2 * a * b for a, b in pairs[1:])
        return float(per_image) * self.images

    def as_dict(self) -> dict:
        return asdict(self)


HEADLINE = Config(hidden=30, cost="quadratic", m=10, dtype="float32")  # the headline configuration


@functools.lru_cache(maxsize=4)
def _data(cost: str, dtype: str, data: str = "mnist"):
    """The training (first 50,000) and test data as specnet loads them for a run, once per process."""
    from specnet.datasets.dataset import load_datasets
    from specnet.spec.load import load_spec

    spec = load_spec(SPECS[cost], [f"network.dtype={dtype}", "data.evaluation=test", *data_overrides(data)])
    out = load_datasets(spec, {"training": spec.data.training, "evaluation": spec.data.evaluation})
    if data == "dense":
        for d in out.values():
            d.x = (0.05 + 0.9 * d.x).astype(dtype)
    return out


class Problem:
    """One Config made concrete: spec, data (x as rows), initial weights (w^l (n_l, n_{l−1}), b^l (n_l, 1)),
    the learning rate and the epoch's order of the training examples."""

    def __init__(self, config: Config, extra=()):
        from specnet.training.compiler import compile_spec, generator
        from specnet.spec.load import load_spec

        c = self.config = config
        self.overrides = [f"network.dtype={c.dtype}", f"network.layers[0].size={c.hidden}",
                          f"training.mini_batch_size={c.m}", "data.evaluation=test", *data_overrides(c.data), *extra]
        self.spec = load_spec(SPECS[c.cost], self.overrides)
        data = _data(c.cost, c.dtype, c.data)
        train, test = data["training"], data["evaluation"]
        self.x, self.y, self.labels = train.x[:c.images], train.y[:c.images], train.labels[:c.images]
        self.test_x, self.test_y, self.test_labels = test.x, test.y, test.labels
        net = compile_spec(self.spec)  # new arrays: the Problem keeps them
        self.weights, self.biases = net.weights, net.biases
        self.eta = float(self.spec.training.optimizer.params["eta"])
        self.m, self.cost, self.dtype = c.m, c.cost, np.dtype(c.dtype)
        # the order specnet's executor draws for its first epoch: every implementation uses it
        self.order = generator(self.spec.seed, "shuffle").permutation(c.images)

    def batches(self):
        """The mini-batches of the epoch, as arrays of example indices (the last may be short)."""
        return [self.order[k:k + self.m] for k in range(0, len(self.order), self.m)]
