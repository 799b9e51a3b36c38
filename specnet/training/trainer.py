"""The Trainer: the epoch loop of mini-batch SGD (ch. 1–3), with monitoring, a learning-rate schedule,
early stopping and data expanded afresh every epoch.

It owns η for the run: the Schedule says η for each epoch from the history of the epochs done, the
Trainer passes it to its executor's `steps`, and the Optimizer applies it. Nothing here is changed by a
run except the Network's parameters and the Optimizer's state.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from specnet.components.metrics import epochs_since_best
from specnet.training.executor import blas_threads
from specnet.training.state import capture, restore, streams


class Stop(Exception):
    """Raised by an `on_batch` callback to stop training there, at a mini-batch boundary (a signal's stop,
    specnet.runs.interrupt): `on_checkpoint` first gets the state within the epoch, then it propagates."""


class Diverged(Exception):
    """Training stopped at `epoch` because of `why` (a quantity that is not finite, or a cost past max_cost)."""

    def __init__(self, epoch: int, why: str, eta: float):
        super().__init__(f"diverged at epoch {epoch}: {why}")
        self.epoch, self.why, self.eta, self.folder = epoch, why, eta, None


def divergence(net, record: dict, max_cost, max_weight=None) -> str | None:
    """Say what diverged after an epoch, or None: a weight or bias that is not finite or larger than
    `max_weight`, a monitored cost that is not finite or is above `max_cost`."""
    for kind, arrays in (("weight", net.weights), ("bias", net.biases)):
        for l, a in enumerate(arrays):
            if not np.isfinite(a).all():
                return f"a {kind} of layer {l + 1} is {'nan' if np.isnan(a).any() else 'inf'}"
            if max_weight is not None and np.abs(a).max() > max_weight:
                return f"a {kind} of layer {l + 1} grew to {np.abs(a).max():.3g}, past max_weight {max_weight:g}"
    for key, value in record.items():
        if key.endswith("_cost") and value is not None and not np.isfinite(value):
            return f"the {key.replace('_', ' ')} is {value}"
        if key.endswith("_cost") and max_cost is not None and value is not None and value > max_cost:
            return f"the {key.replace('_', ' ')} {value:.4g} is above max_cost {max_cost:g}"
    return None


@dataclass
class Trainer:
    """How to train: the compiled `training` section of a spec. `executor` takes the steps of an epoch
    (specnet.training.executor or .compiled); `schedule.rate(eta0, history)` gives η for the next epoch or
    None to stop; `expansion`, if not None, draws fresh transformed copies every epoch from `expand_rng`."""
    epochs: int
    mini_batch_size: int
    monitor: tuple
    shuffle: bool
    optimizer: object
    schedule: object
    early_stopping: object          # EarlyStopping, or None
    monitor_every: int | None       # also measure the evaluation_* metrics every this many images
    expansion: object
    expand_rng: object
    executor: object
    max_cost: float | None          # a monitored cost above this is divergence (non-finite ones always are)
    max_weight: float | None        # so is a weight or bias larger than this

    def epoch_size(self, training) -> int:
        """The images of an epoch: the training set's, and the transformed copies of them with expansion."""
        return len(training.x) * (1 + self.expansion.copies if self.expansion else 1)

    def train(self, net, training, rng, evaluation=None, on_epoch=None, on_batch=None, on_check=None,
              resume=None, on_checkpoint=None):
        """Train `net` as the spec says; return one dict of metrics per epoch.

        `training` and `evaluation` are Datasets (examples as rows); `rng` draws the shuffles. Callbacks:
        `on_epoch(record)` after each epoch, `on_batch(done, total)` about a hundred times per epoch, and
        `on_check(record)` every `monitor_every` images. The last record says why training stopped
        early, if it did ("stop"). `on_checkpoint(state)` gets the TrainerState (specnet.training.state)
        after each epoch that training goes on from, and where `on_batch` raised Stop; `resume`, such a
        state, goes on from it: what follows is the training that never stopped, bit for bit.
        """
        # Note that NumPy's overflow warnings are not shown: a run that overflows is reported as diverged.
        with blas_threads(net.sizes, self.mini_batch_size), np.errstate(all="ignore"):
            return self._train(net, training, rng, evaluation, on_epoch, on_batch, on_check, resume, on_checkpoint)

    def _train(self, net, training, rng, evaluation, on_epoch, on_batch, on_check, resume, on_checkpoint):
        m, opt = self.mini_batch_size, self.optimizer
        eta0 = opt.eta
        opt.start(net.weights + net.biases)
        history, kept, start = restore(self, net, rng, resume) if resume is not None else ([], None, 0)
        eta = self.schedule.rate(eta0, history) if history else eta0  # as decided after the last epoch done
        x, y, n = training.x, training.y, self.epoch_size(training)
        reg = net.regularizer
        decay = (reg, n) if reg is not None and reg.lmbda else None  # the weight decay ηλ/n (93, 97)
        every, seen = max(1, (n // m) // 100), len(history) * n
        quick = tuple(k for k in self.monitor if k.startswith("evaluation_"))
        for epoch in range(len(history), self.epochs):
            begin = streams(self, rng, "shuffle", "expand")  # as this epoch starts: a stop within it keeps them
            if self.expansion is not None:  # fresh transformed copies for this epoch (ch. 3, expansion)
                x = np.concatenate([training.x, self.expansion(training.x, self.expand_rng)])
                y = np.tile(training.y, (1 + self.expansion.copies, 1))
            order = rng.permutation(n) if self.shuffle else np.arange(n)
            ends = [min(k + m, n) for k in range(0, n, m)]  # images done after each mini-batch of the epoch
            checks = {j for j, e in enumerate(ends) if self.monitor_every and on_check
                      and (seen + e) % self.monitor_every < e - j * m}
            ticks = set(range(0, len(ends), every)) if on_batch is not None else set()
            try:
                for j in self.executor.steps(net, opt, x, y, order, m, eta, decay, checks | ticks, start):
                    if j in checks:
                        on_check({"epoch": epoch, "images": seen + ends[j], **net.measure(quick, None, evaluation, n)})
                    if j in ticks:
                        on_batch(ends[j], n)  # images done, the short last mini-batch counted as it is
            except Stop:  # after mini-batch j: the epoch goes on from j + 1 when resumed
                if on_checkpoint is not None:
                    on_checkpoint(capture(self, net, rng, history, kept, batches=j + 1, begin=begin))
                raise
            seen, start = seen + n, 0
            record = {"epoch": epoch, "eta": eta, **net.measure(self.monitor, training, evaluation, n)}
            history.append(record)
            stop, es, why = None, self.early_stopping, divergence(net, record, self.max_cost, self.max_weight)
            if why:
                record["stop"] = f"diverged: {why}"
                if on_epoch is not None:
                    on_epoch(record)
                raise Diverged(epoch, why, eta)
            if es is not None:
                if es.restore_best and epochs_since_best(history, es.metric) == 0:
                    kept = (epoch, [w.copy() for w in net.weights], [b.copy() for b in net.biases])
                if es.should_stop(history):
                    stop = f"early stopping: no improvement in {es.metric} for {es.patience} epochs"
            if stop is None:
                eta = self.schedule.rate(eta0, history)
                stop = None if eta is not None else "the schedule ended training (eta fell to its minimum)"
            if kept is not None and (stop or epoch == self.epochs - 1):
                net.weights, net.biases = kept[1], kept[2]  # the parameters of the best epoch
                record["restored_epoch"] = kept[0]
            if stop:
                record["stop"] = stop
            if on_epoch is not None:
                on_epoch(record)
            if stop:
                break
            if on_checkpoint is not None and epoch < self.epochs - 1:
                on_checkpoint(capture(self, net, rng, history, kept))
        return history
