"""Stopping a run cleanly on SIGINT (Ctrl-C) or SIGTERM (`kill`, a scheduler's time limit).

While `Signals` is active the two signals only note that they came; the run looks (`check`) at every
progress tick, about a hundred times an epoch, and at the end of each epoch, and stops there with
`Interrupted`: run.json says "interrupted", the last checkpoint stays for `specnet resume`, and the command
exits with 128 + the signal's number (130, 143), as a shell expects. A second Ctrl-C stops at once.
"""
from __future__ import annotations

import signal

from specnet.training.trainer import Stop


class Interrupted(Stop):
    """A run stopped by a signal; `folder` is its run folder, `code` the exit code 128 + the signal."""

    def __init__(self, signum: int, folder=None):
        super().__init__(signal.Signals(signum).name)
        self.signum, self.code, self.folder = signum, 128 + signum, folder


class Signals:
    """A context manager under which SIGINT and SIGTERM set `caught` (outside the main thread, where Python
    takes no signal handlers, it does nothing)."""

    def __enter__(self):
        self.caught, self.old = None, {}
        try:
            self.old = {s: signal.signal(s, self._note) for s in (signal.SIGINT, signal.SIGTERM)}
        except ValueError:  # not the main thread
            pass
        return self

    def _note(self, signum, frame):
        if self.caught == signal.SIGINT and signum == signal.SIGINT:
            raise KeyboardInterrupt  # the second Ctrl-C
        self.caught = signum

    def check(self):
        """Raise Interrupted if a signal came."""
        if self.caught is not None:
            raise Interrupted(self.caught)

    def __exit__(self, *exc):
        for s, handler in self.old.items():
            signal.signal(s, handler)
        return False
