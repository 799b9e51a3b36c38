"""The resolved spec as frozen dataclasses, one per section, all the way down (specnet.spec.resolve builds
them from the filled spec's plain data, reading each field as its annotation says).

The model is one of two kinds, each a section that says its `kind`: a `Network` (layers, trained by gradient
descent) or a `Baseline` (a registry name; no layers).

    >>> Baseline("average_darkness").summary(), Component.of({"type": "sgd", "eta": 3.0})
    ('baseline average_darkness', Component(type='sgd', params={'eta': 3.0}))
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from specnet.components.schedules import EarlyStopping
from specnet.datasets.expand import Expansion
from specnet.spec.document import locate


@dataclass(frozen=True)
class Component:
    """A registry name and its parameters: `sigmoid` is Component("sigmoid", {})."""
    type: str
    params: dict = field(default_factory=dict)

    @classmethod
    def of(cls, value) -> "Component":
        if isinstance(value, str):
            return cls(value)
        return cls(value["type"], {k: v for k, v in value.items() if k != "type"})


@dataclass(frozen=True)
class Split:
    split: str
    digits: tuple[int, ...] | None = None
    take: int | None = None



@dataclass(frozen=True)
class Layer:
    size: int
    activation: str
    dropout: float
    init: Component | None = None  # None: the network's init (the schema gives a layer none of its own)


@dataclass(frozen=True)
class Network:
    """The model kind trained by gradient descent: layers of neurons (ch. 1-3)."""
    input: int
    layers: tuple[Layer, ...]
    init: Component
    cost: str
    dtype: str
    kind = "network"

    @property
    def sizes(self) -> list:
        """The book's sizes list, e.g. [784, 30, 10]."""
        return [self.input] + [layer.size for layer in self.layers]

    def summary(self) -> str:
        """A few words on the network: "sizes [784, 30, 10]"."""
        return f"sizes {self.sizes}"

    def n_out(self, labels) -> int:
        """The width of the targets: one per output neuron."""
        return self.sizes[-1]


@dataclass(frozen=True)
class Baseline(Component):
    """The model kind that learns no weights, by its registry name (specnet.components.baselines): no layers,
    no cost, no training section; its data are float32."""
    kind = "baseline"
    layers = ()
    dtype = "float32"

    def summary(self) -> str:
        """A few words on the baseline: "baseline average_darkness"."""
        return f"baseline {self.type}"

    def n_out(self, labels) -> int:
        """The width of the targets: one per class of the labels."""
        return int(labels.max()) + 1


@dataclass(frozen=True)
class Training:
    epochs: int
    mini_batch_size: int
    optimizer: Component
    regularization: Component
    monitor: tuple[str, ...]
    shuffle: bool
    schedule: Component
    early_stopping: EarlyStopping | None
    monitor_every: int | None
    executor: str
    max_cost: float | None
    max_weight: float | None
    checkpoint_every: int


@dataclass(frozen=True)
class Expectation:
    metric: str
    at: str
    diverges: bool
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Book:
    """The result of the book that a spec reproduces (`specnet reproduce`)."""
    result: str
    value: float | None
    text: str
    note: str | None


@dataclass(frozen=True)
class Data:
    source: Component
    training: Split
    evaluation: Split
    expand: Expansion | None
    scale: str


@dataclass(frozen=True)
class Spec:
    """A resolved spec. `resolved` is its plain-data form; `origins` says where each value came from. Its model is
    a network or a baseline (`model`, whose `kind` says which; `summary()` says it in a few words)."""
    name: str
    description: str
    seed: int
    data: Data
    expect: tuple[Expectation, ...]
    resolved: dict = field(repr=False, compare=False)
    network: Network | None = None
    training: Training | None = None
    baseline: Baseline | None = None
    book: Book | None = None
    file: str | None = field(default=None, compare=False)
    origins: dict = field(default_factory=dict, repr=False, compare=False)
    base_dir: str | None = field(default=None, repr=False, compare=False)

    @property
    def model(self) -> Network | Baseline | None:
        """The model section: the network, else the baseline (the `model` check refuses both, or neither)."""
        return self.network or self.baseline

    @property
    def models(self) -> tuple:
        """Every model section the spec has (one, in a sound spec; the `model` check says so)."""
        return tuple(m for m in (self.network, self.baseline) if m is not None)

    @property
    def base(self) -> Path:
        """The folder that relative data paths are relative to: the spec's own, unless set otherwise."""
        return Path(self.base_dir or (Path(self.file).parent if self.file else Path.cwd()))

    def where(self, path) -> tuple:
        """Return (file, line) of a path in the spec, or of its nearest ancestor that has one."""
        return locate(self.origins, path, self.file)

    def digest(self) -> str:
        """Return the SHA-256 of the resolved spec (canonical JSON): equal specs, equal digests."""
        return hashlib.sha256(json.dumps(self.resolved, sort_keys=True).encode()).hexdigest()
