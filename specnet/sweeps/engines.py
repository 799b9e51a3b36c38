"""Where a sweep's points (or `specnet reproduce`'s runs) are trained: `engine(jobs, dask, fn)` returns a
function that takes the tasks and yields (task, fn(task) or the exception that ended it) as each ends, in
the order they end. `fn` is a module-level function, so that other processes can import it.

- one job: in this process, one point after the other;
- `--jobs N`: N processes of this machine (spawned, each with one BLAS thread);
- `--dask ADDRESS`: the workers of a Dask distributed scheduler (the `distributed` package, an optional
  extra: pip install "specnet[dask]"), on this machine or many.
"""
from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context

from specnet.errors import SpecError, cut
from specnet.sweeps.points import train_point


def engine(jobs: int = 1, dask: str | None = None, fn=train_point):
    if dask is not None:
        return lambda tasks: _on_dask(dask, list(tasks), fn)
    return (lambda tasks: _here(tasks, fn)) if jobs <= 1 else (lambda tasks: _pool(jobs, tasks, fn))


def _here(tasks, fn):
    for task in tasks:
        try:
            yield task, fn(task)
        except Exception as e:  # noqa: BLE001 (one broken point is reported; the others go on)
            yield task, e


def _one_thread():
    """A pool process's start: one Numba thread, as one BLAS thread (the jobs are the parallelism)."""
    import os
    os.environ["NUMBA_NUM_THREADS"] = "1"  # before numba is imported, which reads it once


def _pool(jobs: int, tasks, fn):
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"), initializer=_one_thread) as pool:
        futures = {pool.submit(fn, task): task for task in tasks}
        for future in as_completed(futures):
            yield futures[future], future.exception() or future.result()


def _connect(Client, address: str, seconds: float = 15.0):
    """Return a Client of the scheduler at `address`, or one line saying why not. The connection is made in a
    thread given `seconds`: something that is not a Dask scheduler may never answer, or answer garbage."""
    import threading
    found = {}

    def connect():
        try:
            found["client"] = Client(address, timeout=f"{seconds:g}s")
        except BaseException as e:  # noqa: BLE001 (whatever answered, it was not a scheduler we can use)
            found["error"] = e
    thread = threading.Thread(target=connect, daemon=True)
    thread.start()
    thread.join(seconds * 1.5 + 1)
    if "client" in found:
        return found["client"]
    why = cut(found["error"]) if "error" in found else f"no answer in {seconds * 1.5 + 1:g} s"
    raise SpecError(f"cannot reach the Dask scheduler: {why}", file="--dask", got=address,
                    hint="Start one with `dask scheduler` (and workers with `dask worker ADDRESS`); the "
                         "address looks like tcp://10.0.0.5:8786.")


def _on_dask(address: str, tasks: list, fn):
    try:
        from distributed import Client, as_completed as completed
    except ImportError:
        raise SpecError("needs the distributed package, which is not installed", file="--dask",
                        hint='Install it: pip install "specnet[dask]" (or run with --jobs N on this machine).') from None
    client = _connect(Client, address)
    with client:
        futures = {client.submit(fn, task, pure=False): i for i, task in enumerate(tasks)}
        for future in completed(futures):
            task = tasks[futures[future]]
            yield task, future.exception() or future.result()
