"""The state of a training between two epochs or two mini-batches: everything the Trainer needs to go on
as if it had never stopped (issue 14's checkpoints). The Network's parameters, the Optimizer's velocities,
the three random streams (shuffles, dropout, expansion), the history of the epochs done and, with early
stopping's restore_best, the parameters kept from the best epoch. η, the schedule's and early stopping's
decisions are not kept: they are functions of the history (specnet.components.schedules).

Within an epoch (`batches` > 0), the shuffle and expansion streams are kept as they were when the epoch
started: the resumed Trainer draws the epoch's order and transformed copies again, the same, and takes the
mini-batches after the first `batches`. The dropout stream is kept where it stands.

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
    epochs: int           # the epochs done (training goes on with epoch number `epochs`)
    batches: int          # the mini-batches done of that epoch (0: it has not started)
    history: list         # the metrics records, one per epoch done
    weights: list
    biases: list
    velocities: list      # the optimizer's, [] without momentum
    rngs: dict            # stream name -> bit_generator.state (JSON data)
    kept: tuple | None    # (epoch, weights, biases) of the best epoch so far, with restore_best


def _generators(trainer, shuffle) -> dict:
    """The Generators a training draws from, by name."""
    return {"shuffle": shuffle, "dropout": trainer.executor.dropout_rng, "expand": trainer.expand_rng}


def streams(trainer, shuffle, *names) -> dict:
    """The states of the training's random streams (those `names`, or all), by name."""
    return {k: g.bit_generator.state for k, g in _generators(trainer, shuffle).items()
            if g is not None and (not names or k in names)}


def capture(trainer, net, shuffle, history: list, kept, batches: int = 0, begin=None) -> TrainerState:
    """Return a copy of the state after the epochs of `history` and `batches` mini-batches of the next, whose
    shuffle and expansion streams were `begin` when it started (nothing in it shares memory with the training)."""
    copy = lambda arrays: [np.array(a) for a in arrays]  # noqa: E731 (the compiled executor's are views)
    return TrainerState(len(history), batches, [dict(r) for r in history], copy(net.weights), copy(net.biases),
                        copy(trainer.optimizer.velocities), {**streams(trainer, shuffle), **(begin or {})},
                        None if kept is None else (kept[0], copy(kept[1]), copy(kept[2])))


def restore(trainer, net, shuffle, state: TrainerState):
    """Put `state` back into the network, the optimizer and the streams; return (history, kept, batches)."""
    net.weights, net.biases = [np.array(w) for w in state.weights], [np.array(b) for b in state.biases]
    trainer.optimizer.velocities = [np.array(v) for v in state.velocities]
    for name, g in _generators(trainer, shuffle).items():
        if g is not None and name in state.rngs:
            g.bit_generator.state = state.rngs[name]
    return [dict(r) for r in state.history], state.kept, state.batches
