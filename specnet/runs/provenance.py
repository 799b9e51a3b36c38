"""Provenance of a run: what is needed to reproduce it or explain a difference (run.json)."""
from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np

from specnet import __version__
from specnet.runs.gitmeta import commit_of
from specnet.runs.files import write_atomic
from specnet.runs.strictjson import dumps

PACKAGE_DIR = Path(__file__).resolve().parent


# git with nothing configurable that runs a command: no fsmonitor, hooks, pager, prompt or system config.
_SAFE_GIT = ["git", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "core.pager=cat",
             "--no-optional-locks"]


def _dirty(checkout: Path):
    """Return whether specnet's own checkout has uncommitted changes (None if git cannot tell)."""
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat"}
    try:
        out = subprocess.run([*_SAFE_GIT, "-C", str(checkout), "status", "--porcelain", "--untracked-files=no"],
                             capture_output=True, text=True, timeout=5, check=True, env=env).stdout
        return bool(out.strip())
    except (OSError, subprocess.SubprocessError):
        return None


def git_state(folder: Path, own: bool = False):
    """Return {"commit", "dirty"} of the git work tree holding `folder`, or None outside one.

    The commit is read from the repository's files (gitmeta.py). Whether the tree is dirty needs git
    itself, which obeys the repository's config; it is asked only about specnet's own checkout (`own`),
    never about a spec's folder, which may come from a stranger: there "dirty" is null.
    """
    commit = commit_of(folder)
    if commit is None:
        return None
    return {"commit": commit, "dirty": _dirty(folder) if own else None}


def specnet_git():
    """Return the git state of specnet's own checkout, or None when specnet is installed from a wheel."""
    checkout = PACKAGE_DIR.parent
    return git_state(checkout, own=True) if (checkout / ".git").exists() else None


def versions(spec) -> dict:
    """Return the versions of the libraries that shaped the run (numba only for the compiled executor)."""
    from importlib.metadata import PackageNotFoundError, version

    names = ["jsonschema", "PyYAML", "typer", "threadpoolctl"]
    if spec.training is not None and spec.training.executor == "numba":
        names.append("numba")
    out = {}
    for name in names:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def blas_info() -> list:
    """Return the BLAS libraries NumPy loaded, as threadpoolctl finds them (library, version, threads, CPU)."""
    from threadpoolctl import threadpool_info

    keys = ("internal_api", "version", "num_threads", "threading_layer", "architecture")
    return [{k: lib.get(k) for k in keys} for lib in threadpool_info() if lib.get("user_api") == "blas"]


def provenance(spec, data_sums: dict) -> dict:
    """Return run.json's provenance: digest of the resolved spec, data checksums, seed, versions, BLAS, git."""
    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    spec_dir = spec.base.resolve()
    return {"specnet": __version__, "name": spec.name, "spec_file": spec.file, "spec_dir": str(spec_dir),
            "resolved_spec_sha256": spec.digest(), "seed": spec.seed, "data": data_sums,
            "python": platform.python_version(), "numpy": np.__version__,
            "blas": {k: blas.get(k) for k in ("name", "version")}, "blas_runtime": blas_info(),
            "libraries": versions(spec), "platform": platform.platform(),
            "cpus": os.cpu_count(), "command": sys.argv,
            "git": {"specnet": specnet_git(), "spec": git_state(spec_dir)}}


def write_json(path: Path, data: dict):
    """Write strict JSON (null for NaN: see specnet.runs.strictjson) atomically: a reader never sees half a file."""
    write_atomic(path, (dumps(data, indent=2) + "\n").encode())
