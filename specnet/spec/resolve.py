"""Fill every default from the schema and turn the data into frozen dataclasses: the *resolved spec*.

The resolved spec is the operative config: written next to every run, compared by `specnet diff`, and
stable under a round trip, resolve(dump(resolve(x))) == resolve(x).
"""
from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from specnet.spec.document import Origin, locate
from specnet.spec.schema import deref


def _branch(value, choices):
    """Return the oneOf branch a (schema-valid) value takes."""
    for b in map(deref, choices):
        if isinstance(value, str) and value in b.get("enum", ()):
            return b
        if isinstance(value, dict) and b.get("type") == "object":
            const = b["properties"].get("type", {}).get("const")
            if const is None or const == value.get("type"):
                return b
    return {}


def fill(value, schema, path=(), origins=None):
    """Return `value` with every missing key that has a schema default filled in (recorded as "default")."""
    origins = {} if origins is None else origins
    schema = deref(schema)
    if "oneOf" in schema:
        branch = _branch(value, schema["oneOf"])
        mapping = next((deref(b) for b in schema["oneOf"] if deref(b).get("type") == "object"), None)
        if isinstance(value, str) and mapping and "type" not in mapping["properties"]:
            value = {mapping["required"][0]: value}  # a bare name stands for {split: name}
            branch = mapping
        return fill(value, branch, path, origins)
    if isinstance(value, dict) and "properties" in schema:
        out = {}
        for key, sub in schema["properties"].items():  # schema order: a canonical order for the resolved spec
            if key in value:
                out[key] = fill(value[key], sub, path + (key,), origins)
            elif "default" in sub:
                out[key] = fill(copy.deepcopy(sub["default"]), sub, path + (key,), origins)
                origins[path + (key,)] = Origin("default")
        return out
    if isinstance(value, list) and "items" in schema:
        return [fill(v, schema["items"], path + (i,), origins) for i, v in enumerate(value)]
    types = schema.get("type", ())
    if "number" in types and isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # eta: 3 and eta: 3.0 are the same spec
    if "integer" in types and isinstance(value, float):
        return int(value)    # epochs: 1e1 is 10 (the schema accepts only whole numbers here)
    return value


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
    digits: tuple | None = None
    take: int | None = None

    @classmethod
    def of(cls, value: dict) -> "Split":
        return cls(value["split"], None if value["digits"] is None else tuple(value["digits"]), value["take"])


@dataclass(frozen=True)
class Layer:
    size: int
    activation: str
    init: Component | None = None
    dropout: float = 0.0


@dataclass(frozen=True)
class Network:
    input: int
    layers: tuple
    init: Component
    cost: str
    dtype: str

    @property
    def sizes(self) -> list:
        """The book's sizes list, e.g. [784, 30, 10]."""
        return [self.input] + [layer.size for layer in self.layers]


@dataclass(frozen=True)
class Training:
    epochs: int
    mini_batch_size: int
    optimizer: Component
    regularization: Component
    monitor: tuple
    shuffle: bool
    schedule: Component = Component("constant")
    early_stopping: dict | None = None
    monitor_every: int | None = None
    executor: str = "numpy"


@dataclass(frozen=True)
class Expectation:
    metric: str
    at: str = "final"
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Data:
    source: Component
    training: Split
    evaluation: Split
    expand: dict | None = None
    scale: str = "none"


@dataclass(frozen=True)
class Spec:
    """A resolved spec. `resolved` is its plain-data form; `origins` says where each value came from."""
    name: str
    description: str
    seed: int
    data: Data
    network: Network | None        # None for a baseline
    training: Training | None
    expect: tuple
    resolved: dict = field(repr=False, compare=False)
    file: str | None = field(default=None, compare=False)
    origins: dict = field(default_factory=dict, repr=False, compare=False)
    base_dir: str | None = field(default=None, repr=False, compare=False)
    baseline: str | None = None

    @property
    def summary(self) -> str:
        """A few words on the model: "sizes [784, 30, 10]" or "baseline average_darkness"."""
        return f"sizes {self.network.sizes}" if self.network else f"baseline {self.baseline}"

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


def build_spec(resolved: dict, file=None, origins=None, base_dir=None) -> Spec:
    """Return the Spec dataclasses for a filled spec dict (checked or not: the checks read these)."""
    d, net = resolved["data"], resolved.get("network")
    network = net and Network(net["input"], tuple(Layer(la["size"], la["activation"],
                                                        Component.of(la["init"]) if "init" in la else None,
                                                        la["dropout"]) for la in net["layers"]),
                              Component.of(net["init"]), net["cost"], net["dtype"])
    t = resolved.get("training")
    training = t and Training(t["epochs"], t["mini_batch_size"], Component.of(t["optimizer"]),
                              Component.of(t["regularization"]), tuple(t["monitor"]), t["shuffle"],
                              Component.of(t["schedule"]), t["early_stopping"], t["monitor_every"],
                              t["executor"])
    return Spec(resolved["name"], resolved["description"], resolved["seed"],
                Data(Component.of(d["source"]), Split.of(d["training"]), Split.of(d["evaluation"]), d["expand"], d["scale"]),
                network, training, tuple(Expectation(**e) for e in resolved["expect"]), resolved, file,
                origins or {}, base_dir, resolved.get("baseline"))


def dump(spec: Spec) -> str:
    """Return the resolved spec as YAML (every default filled; loadable as a spec)."""
    return yaml.safe_dump(spec.resolved, sort_keys=False, default_flow_style=None, width=100)
