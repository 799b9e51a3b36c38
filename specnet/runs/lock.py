"""Whether a run's process is still alive: while it trains, a run holds an exclusive lock on its folder's
run.lock (fcntl.flock), which the system releases when the process ends, however it ends (SIGKILL, a
crash, a power cut). A run.json that says "running" with nobody holding the lock is a process that died
without a word, and every command shows it as "interrupted". Where fcntl is missing (Windows), run.json's
word is taken as it is.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from specnet.errors import DataError, SpecError
from specnet.runs.artefacts import DAMAGED_HINT

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None


def hold(folder: Path):
    """Take the folder's lock for this process; return the open file that keeps it (close it to let go).
    A run.lock that is a link, a FIFO or anything but a file is refused, as is a run another process holds."""
    path = Path(folder) / "run.lock"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0), 0o666)
    except OSError as e:
        raise DataError(f"cannot use it as the run's lock: {e.strerror or e}", file=str(path), hint=DAMAGED_HINT) from None
    f = os.fdopen(fd, "r+b")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        f.close()
        raise DataError("the run's lock is not a regular file", file=str(path), hint=DAMAGED_HINT)
    try:
        if fcntl is not None:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a run folder is trained by one process at a time
    except BlockingIOError:
        f.close()
        raise SpecError("this run is still running in another process", file=str(folder),
                        hint="Wait for it, or stop it (Ctrl-C or kill) and resume it then.") from None
    return f


def alive(folder: Path) -> bool:
    """True if a live process holds the folder's lock (or if that cannot be told)."""
    path = Path(folder) / "run.lock"
    if fcntl is None or path.is_symlink() or not path.is_file():
        return fcntl is None
    with open(path, "rb") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return True
        return False


def status(folder: Path, info: dict) -> str:
    """The run's true status: run.json's, but "interrupted" for a "running" run whose process is gone."""
    return "interrupted" if info.get("status") == "running" and not alive(folder) else info.get("status")
