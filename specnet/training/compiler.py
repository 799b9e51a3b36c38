"""Compile a resolved Spec into a Network and its Trainer: the only module that looks names up in the registries.

    >>> from specnet.spec.load import spec_from_dict
    >>> spec = spec_from_dict({"specnet": 1, "data": {"source": {"type": "inline",
    ...     "inputs": [[0, 0], [1, 1]], "targets": [[1], [0]]}},
    ...     "network": {"input": 2, "layers": [{"size": 1, "activation": "sigmoid"}], "cost": "quadratic"}})
    >>> compile_spec(spec)
    Network(sizes=[2, 1], cost='quadratic')
"""
from __future__ import annotations

import numpy as np

from specnet.components.activations import ACTIVATIONS
from specnet.components.baselines import BASELINES
from specnet.components.costs import COSTS
from specnet.errors import CheckError
from specnet.training.executor import NumpyExecutor
from specnet.training.network import Network
from specnet.training.trainer import Trainer
from specnet.components.initializers import INITIALIZERS
from specnet.components.optimizers import OPTIMIZERS
from specnet.components.regularizers import REGULARIZERS
from specnet.spec.resolve import Component
from specnet.datasets.scaling import SCALINGS
from specnet.components.schedules import SCHEDULES
from specnet.components.streams import STREAMS, generator  # noqa: F401 (generator: the streams, for callers)
from specnet.datasets.sources import SOURCES

REGISTRIES = {"activation": ACTIVATIONS, "baseline": BASELINES, "cost": COSTS, "init": INITIALIZERS, "optimizer": OPTIMIZERS,
              "regularization": REGULARIZERS, "scale": SCALINGS, "schedule": SCHEDULES, "source": SOURCES}
def build(kind: str, component) -> object:
    """Return the registry entry `component` names, made with its parameters (spec `lambda` -> `lmbda`)."""
    component = Component.of(component) if not isinstance(component, Component) else component
    params = {("lmbda" if k == "lambda" else k): v for k, v in component.params.items()}
    return REGISTRIES[kind].get(component.type)(**params)


def compile_spec(spec, rng: np.random.Generator | None = None):
    """Return the model of `spec`, by its kind: a Network, its weights drawn from `rng` (default: the spec
    seed's init stream), or a baseline (unfitted). Both evaluate, measure, save and load alike."""
    return MODEL_KINDS[spec.model.kind](spec, rng)


def compile_network(spec, rng: np.random.Generator | None) -> Network:
    """Return the Network of a spec whose model is a network."""
    rng = generator(spec.seed, "init") if rng is None else rng
    net, dtype, sizes = spec.network, np.dtype(spec.network.dtype), spec.network.sizes
    weights, biases = [], []
    for i, layer in enumerate(net.layers):
        init = build("init", layer.init or net.init)
        try:
            w, b = init(sizes[i], sizes[i + 1], rng)
        except ValueError as e:
            raise CheckError(f"cannot initialize layer {i} (sizes[{i + 1}]={sizes[i + 1]}): {e}",
                             path=("network", "layers", i, "init")) from None
        weights.append(w.astype(dtype))
        biases.append(b.astype(dtype))
    activations = [build("activation", layer.activation) for layer in net.layers]
    training = spec.training
    return Network(sizes, activations, build("cost", net.cost), weights, biases,
                   build("regularization", training.regularization if training else "none"),
                   [layer.dropout for layer in net.layers])


MODEL_KINDS = {"network": compile_network, "baseline": lambda spec, rng: build("baseline", spec.model)}


def compiled():
    """The compiled executor's module, imported only when asked for: it imports numba (0.25 s and about 60 MB
    of LLVM, measured), which a run on the NumPy executor does without."""
    from specnet.training import compiled as module  # NOTE: lazy on purpose, see above
    return module


def compiled_executor(dropout_rng):
    """The compiled executor, with its loops for large mini-batches (training/wide.py)."""
    from specnet.training import wide  # NOTE: lazy on purpose, as compiled()
    return compiled().CompiledExecutor(dropout_rng, large=wide.prepare)


def executor_for(spec) -> str:
    """Return the executor that takes `spec`'s steps: numpy, or numba when asked for (refused, with the
    reason, if the loops cannot run the spec) or under auto when numba is installed and the loops can."""
    wanted = spec.training.executor
    if wanted == "numpy":
        return "numpy"
    why = list(compiled().unsupported(spec))
    if why and wanted == "numba":
        raise why[0].located(*spec.where(why[0].parts))  # at the spec's line, as the checks say theirs
    return "numpy" if why else "numba"


def compile_trainer(spec) -> Trainer:
    """Return the Trainer of a spec's training: optimizer, schedule, early stopping, expansion made every
    epoch, and the executor that takes the steps (each random draw from its own stream of the seed)."""
    training, stopping, expand = spec.training, spec.training.early_stopping, spec.data.expand
    per_epoch = expand if expand and expand.per_epoch else None
    kind = NumpyExecutor if executor_for(spec) == "numpy" else compiled_executor
    return Trainer(training.epochs, training.mini_batch_size, training.monitor, training.shuffle,
                   build("optimizer", training.optimizer), build("schedule", training.schedule),
                   stopping, training.monitor_every, per_epoch,
                   generator(spec.seed, "expand"), kind(generator(spec.seed, "dropout")), training.max_cost,
                   training.max_weight)
