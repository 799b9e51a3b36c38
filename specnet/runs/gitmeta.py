"""The git commit of a folder, read from the repository's files: specnet never runs git in a folder that a
spec comes from, because git obeys that repository's own config (core.fsmonitor, filter drivers, hooks),
which can name any command.

Only HEAD, refs/ and packed-refs are read, each bounded in size, and a ref must stay inside the repository:

    >>> commit_of(Path("/"))   # not inside a git work tree
"""
from __future__ import annotations

import re
from pathlib import Path

MAX_FILE, MAX_PACKED, MAX_DEPTH = 4096, 16 << 20, 64  # HEAD and loose refs; packed-refs; folders looked up
_SHA = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")
_REF = re.compile(r"refs/[A-Za-z0-9._/-]+")


def _read(path: Path, limit: int = MAX_FILE) -> str | None:
    """Return a small text file's contents, or None if it is missing, too large or not a regular file."""
    try:
        if not path.is_file() or path.stat().st_size > limit:
            return None
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None


def git_dir(folder: Path) -> Path | None:
    """Return the .git folder of the work tree holding `folder` (following a worktree's `gitdir:` file)."""
    folder = folder.resolve()
    for candidate in [folder, *folder.parents][:MAX_DEPTH]:
        dot = candidate / ".git"
        if dot.is_dir():
            return dot
        text = _read(dot)
        if text and text.startswith("gitdir: "):
            target = (candidate / text[len("gitdir: "):]).resolve()
            return target if target.is_dir() else None
    return None


def _ref(gitdir: Path, name: str) -> str | None:
    """Return the commit a ref names, from its loose file or from packed-refs."""
    if not _REF.fullmatch(name) or ".." in name.split("/"):
        return None
    common = gitdir
    shared = _read(gitdir / "commondir")  # a linked worktree keeps its branches in the main repository
    if shared:
        common = (gitdir / shared).resolve()
    for base in dict.fromkeys((gitdir, common)):
        loose = _read(base / name)
        if loose and _SHA.fullmatch(loose):
            return loose
    packed = _read(common / "packed-refs", MAX_PACKED) or ""
    for line in packed.splitlines():
        sha, _, ref = line.partition(" ")
        if ref == name and _SHA.fullmatch(sha):
            return sha
    return None


def commit_of(folder: Path) -> str | None:
    """Return the commit checked out in the git work tree holding `folder`, or None (no repository, an
    unborn branch, or files that do not look like git's)."""
    gitdir = git_dir(folder)
    head = _read(gitdir / "HEAD") if gitdir else None
    if not head:
        return None
    if _SHA.fullmatch(head):
        return head  # a detached HEAD
    return _ref(gitdir, head[len("ref: "):]) if head.startswith("ref: ") else None
