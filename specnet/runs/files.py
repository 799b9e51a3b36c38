"""Writing a run folder's files whole, in folders that may come from strangers (`specnet resume` writes
into a folder it did not make): never through a link someone left there.

`write_atomic` writes a temporary file of a fresh, unique name (created exclusively: an existing name or a
symbolic link is never opened), flushes it to the disk and renames it over the file's name (a rename
replaces a link itself, not what it points to). A reader sees the old file or the new one, never half of
one; a failed write (a full disk) leaves no temporary file behind.
"""
from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

from specnet.errors import SpecError

_UMASK = os.umask(0)
os.umask(_UMASK)


def write_atomic(path: Path, data: bytes, new: bool = False) -> None:
    """Write `data` to `path` whole or not at all (see above); `new`: refuse to replace a file or a link
    (FileExistsError)."""
    path = Path(path)
    if new and (path.exists() or path.is_symlink()):
        raise FileExistsError(17, "File exists", str(path))
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # as open() would make it, not mkstemp's 0600
        with open(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise OSError(e.errno, e.strerror, str(path)) from None  # named: a failed write() names no file
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def new_run_folder(runs_dir, name: str) -> Path:
    """Create and return runs_dir/<name>-<timestamp>, adding -2, -3, ... rather than reuse a folder."""
    runs_dir = Path(runs_dir)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        runs_dir.mkdir(parents=True, exist_ok=True)
        for i in range(1, 1000):
            folder = runs_dir / (f"{name}-{stamp}" + (f"-{i}" if i > 1 else ""))
            try:
                folder.mkdir()  # fails if it exists (even if another process made it just now): never reused
                return folder
            except FileExistsError:
                continue
    except OSError as e:
        raise SpecError(f"cannot create a run folder in {runs_dir}: {e.strerror or e}", file="--runs-dir",
                        hint="Give a folder you can write to.") from None
    raise SpecError(f"cannot find a free run folder name in {runs_dir}", file="--runs-dir")


def point_folder(folder) -> Path:
    """Create and return `folder` (a sweep point's run folder, named by its spec): a new one, or an empty
    one left by a process that died before it wrote anything. A folder holding files is never reused."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if folder.is_symlink() or any(folder.iterdir()):
            raise FileExistsError(17, "it holds files already: another run's", str(folder))
    except OSError as e:
        raise SpecError(f"cannot use this run folder: {e.strerror or e}", file=str(folder),
                        hint="Give the sweep a folder of its own (--runs-dir).") from None
    return folder
