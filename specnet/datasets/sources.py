"""Data sources: where examples come from. Each has `describe(base)` (cheap: widths, classes, split sizes)
and `load(base, splits)` -> {split: (x, y)}, x of shape (N, features), y integer labels (N,) or targets (N, k).

`base` is the folder of the spec file; relative paths in a spec are relative to it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from specnet.errors import DataError
from specnet.datasets.idx import idx_shape, read_idx, require, verify
from specnet.registry import Registry
from specnet.resources import mnist_dir
from specnet.datasets.npzfile import class_count, read_npz
from specnet.datasets.tables import read_csv

SOURCES = Registry("data source")
WHERE = ("data", "source")


@dataclass
class Info:
    """What the checks need to know about a data set, without loading it."""
    features: int
    classes: int | None          # None: targets are given directly (inline tables)
    targets: int                 # width of y: the output layer's size must match it
    sizes: dict = field(default_factory=dict)  # split -> number of examples


def source_of(component):
    """Return the data source that a spec's `data.source` (a Component: type and parameters) names."""
    return SOURCES.get(component.type)(**component.params)


def _split_sizes(n_train: int, validation: int, n_test: int) -> dict:
    return {"training": n_train - validation, "validation": validation, "test": n_test}


@SOURCES.register("idx")
class IDXSource:
    """Four IDX files (images and labels, training and test); the last `validation` training images are held out."""

    def __init__(self, files: dict, validation: int):
        self.files, self.validation = files, validation

    def _path(self, base, role) -> Path:
        return Path(base) / self.files[role]["path"]

    def describe(self, base) -> Info:
        shapes = {r: idx_shape(self._path(base, r), WHERE + ("files", r)) for r in self.files}
        for role, shape in shapes.items():
            if (len(shape) == 1) != role.endswith("labels"):
                want = "labels (one number per example)" if role.endswith("labels") else "images (N x rows x columns)"
                raise DataError(f"{role} must hold {want}; this file holds an array of shape {shape}",
                                path=WHERE + ("files", role), hint="Are images and labels swapped?")
        for part in ("train", "test"):
            n_img, n_lab = shapes[f"{part}_images"][0], shapes[f"{part}_labels"][0]
            if n_img != n_lab:
                raise DataError(f"{n_img} {part} images but {n_lab} labels", path=WHERE + ("files",))
        for role in ("train_images", "test_images"):
            verify(self._path(base, role), self.files[role]["sha256"], WHERE + ("files", role))
        labels = [self._read(base, r) for r in ("train_labels", "test_labels")]
        n_train = shapes["train_images"][0]
        if self.validation >= n_train:
            raise DataError(f"validation takes {self.validation} of only {n_train} training images",
                            path=WHERE + ("validation",))
        classes = int(max(int(lab.max()) for lab in labels)) + 1
        return Info(math.prod(shapes["train_images"][1:]), classes, classes,
                    _split_sizes(n_train, self.validation, shapes["test_images"][0]))

    def _read(self, base, role) -> np.ndarray:
        return read_idx(self._path(base, role), self.files[role]["sha256"], WHERE + ("files", role))

    def checksums(self, base) -> dict:
        return {str(self._path(base, r)): f["sha256"] for r, f in self.files.items()}

    def load(self, base, splits) -> dict:
        out, v = {}, self.validation
        if {"training", "validation"} & set(splits):
            x, y = self._read(base, "train_images"), self._read(base, "train_labels")
            x = x.reshape(len(x), -1)
            out["training"], out["validation"] = (x[:len(x) - v], y[:len(y) - v]), (x[len(x) - v:], y[len(y) - v:])
        if "test" in splits:
            x = self._read(base, "test_images")
            out["test"] = (x.reshape(len(x), -1), self._read(base, "test_labels"))
        return out


@SOURCES.register("mnist")
class MNISTSource(IDXSource):
    """MNIST as bundled in data/mnist, split as the book splits it: 50,000 / 10,000 / 10,000."""
    SHA256 = {
        "train_images": ("train-images-idx3-ubyte.gz", "0b367032e93c5d0cea0925647cfdb18614af8ee15f83e6f2fc2ad904a6835971"),
        "train_labels": ("train-labels-idx1-ubyte.gz", "1787548bbe0bff1ec2ecdc0ef292b02df999e2d1a6002d27500982c652b17203"),
        "test_images": ("t10k-images-idx3-ubyte.gz", "1a1a05eab793c14bb050b398624a11b0ffd1a2953baed553b1b9bd079e2a20be"),
        "test_labels": ("t10k-labels-idx1-ubyte.gz", "b91679a0acfe4ba0e50a2437a903084cba1f5f92592b016a25a7dfd00455798b"),
    }

    def __init__(self):
        files = {role: {"path": str(mnist_dir() / name), "sha256": s} for role, (name, s) in self.SHA256.items()}
        super().__init__(files, validation=10_000)

    def describe(self, base) -> Info:
        for role in self.files:
            require(self._path(base, role), WHERE)
        return Info(784, 10, 10, _split_sizes(60_000, 10_000, 10_000))

    def _read(self, base, role) -> np.ndarray:
        return read_idx(self._path(base, role), self.files[role]["sha256"], WHERE)


@SOURCES.register("npz")
class NPZSource:
    """A .npz archive with x_train, y_train, x_test, y_test (and optionally x_validation, y_validation)."""

    def __init__(self, path: str, sha256: str, validation: int):
        self.path, self.sha256, self.validation = path, sha256, validation

    def describe(self, base) -> Info:
        a = self.load(base, ())
        classes = class_count(*(y for _, y in a.values()))
        return Info(a["training"][0].shape[1], classes, classes, {s: len(y) for s, (_, y) in a.items()})

    def checksums(self, base) -> dict:
        return {str(Path(base) / self.path): self.sha256}

    def load(self, base, splits) -> dict:
        return read_npz(Path(base) / self.path, self.sha256, self.validation, WHERE)


@SOURCES.register("csv")
class CSVSource:
    """A CSV table with a header row: feature columns and a label column; the last `test` rows (after a
    seeded shuffle) are the test split, the `validation` rows before them the validation split."""

    def __init__(self, path: str, sha256: str, label: str, features, classes, delimiter: str, test: int,
                 validation: int, shuffle: bool, split_seed: int):
        self.path, self.sha256, self.validation = path, sha256, validation
        self.label, self.features, self.classes, self.delimiter = label, features, classes, delimiter
        self.test, self.shuffle, self.split_seed = test, shuffle, split_seed

    def table(self, base) -> tuple:
        """Return (x, y, class names, feature names) of the whole table, in file order."""
        return read_csv(Path(base) / self.path, self.sha256, self.label, self.features, self.classes,
                        self.delimiter, WHERE)

    def checksums(self, base) -> dict:
        return {str(Path(base) / self.path): self.sha256}

    def class_names(self, base) -> list:
        """Return the labels of the classes, in the order of the output neurons."""
        return self.table(base)[2]

    def describe(self, base) -> Info:
        x, _, names, _ = self.table(base)
        if len(names) < 2:
            raise DataError(f"the label column {self.label} holds {len(names)} class: a classifier needs two or more",
                            path=WHERE + ("label",), got=self.label)
        if self.test + self.validation >= len(x):
            raise DataError(f"test ({self.test}) and validation ({self.validation}) take all {len(x)} rows",
                            path=WHERE, hint="Leave some rows for training.")
        return Info(x.shape[1], len(names), len(names),
                    _split_sizes(len(x) - self.test, self.validation, self.test))

    def load(self, base, splits) -> dict:
        x, y, _, _ = self.table(base)
        order = np.random.default_rng(self.split_seed).permutation(len(x)) if self.shuffle else np.arange(len(x))
        n_train, n_valid = len(x) - self.test - self.validation, self.validation
        parts = {"training": order[:n_train], "validation": order[n_train:n_train + n_valid],
                 "test": order[n_train + n_valid:]}
        return {s: (x[rows], y[rows]) for s, rows in parts.items()}


@SOURCES.register("inline")
class InlineSource:
    """A small table written in the spec; every split is the whole table."""

    def __init__(self, inputs: list, targets: list):
        self.inputs, self.targets = inputs, targets

    def describe(self, base) -> Info:
        n = len(self.inputs)
        for name, rows in (("inputs", self.inputs), ("targets", self.targets)):
            for i, row in enumerate(rows):
                if len(row) != len(rows[0]):
                    raise DataError(f"every row must have {len(rows[0])} values, like the first",
                                    path=WHERE + (name, i), got=row)
        if len(self.targets) != n:
            raise DataError(f"{n} rows of inputs but {len(self.targets)} of targets", path=WHERE + ("targets",))
        return Info(len(self.inputs[0]), None, len(self.targets[0]), dict.fromkeys(("training", "validation", "test"), n))

    def checksums(self, base) -> dict:
        return {}

    def load(self, base, splits) -> dict:
        table = (np.array(self.inputs, dtype=float), np.array(self.targets, dtype=float))
        return dict.fromkeys(splits, table)
