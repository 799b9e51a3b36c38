"""The state of a training between two epochs: everything the Trainer needs to go on as if it had never
stopped (issue 14's checkpoints). The Network's parameters, the Optimizer's velocities, the three random
streams (shuffles, dropout, expansion) where they stand, the history of the epochs done and, with early
stopping's restore_best, the parameters kept from the best epoch. η, the schedule's and early stopping's
decisions are not kept: they are functions of the history (specnet.components.schedules).

    >>> import numpy as np
    >>> g = np.random.default_rng(1); state = {"shuffle": g.bit_generator.state}
    >>> first = g.random(); g.bit_generator.state = state["shuffle"]; g.random() == first
    True
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class TrainerState:
    epoch: int            # the last epoch done (training goes on at epoch + 1)
    history: list         # its metrics records, one per epoch done
    weights: list
    biases: list
    velocities: list      # the optimizer's, [] without momentum
    rngs: dict            # stream name -> bit_generator.state (JSON data)
    kept: tuple | None    # (epoch, weights, biases) of the best epoch so far, with restore_best


def streams(trainer, shuffle) -> dict:
    """The Generators a training draws from, by name."""
    return {"shuffle": shuffle, "dropout": trainer.executor.dropout_rng, "expand": trainer.expand_rng}


def capture(trainer, net, shuffle, epoch: int, history: list, kept) -> TrainerState:
    """Return a copy of the state after `epoch` (nothing in it shares memory with the live training)."""
    copy = lambda arrays: [np.array(a) for a in arrays]  # noqa: E731 (the compiled executor's are views)
    return TrainerState(epoch, [dict(r) for r in history], copy(net.weights), copy(net.biases),
                        copy(trainer.optimizer.velocities),
                        {k: g.bit_generator.state for k, g in streams(trainer, shuffle).items() if g is not None},
                        None if kept is None else (kept[0], copy(kept[1]), copy(kept[2])))


def restore(trainer, net, shuffle, state: TrainerState):
    """Put `state` back into the network, the optimizer and the streams; return (history, kept)."""
    net.weights, net.biases = [np.array(w) for w in state.weights], [np.array(b) for b in state.biases]
    trainer.optimizer.velocities = [np.array(v) for v in state.velocities]
    for name, g in streams(trainer, shuffle).items():
        if g is not None and name in state.rngs:
            g.bit_generator.state = state.rngs[name]
    return [dict(r) for r in state.history], state.kept
