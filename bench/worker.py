"""One implementation in its own process, driven by the coordinator over stdin/stdout (one JSON per line).

    python -m bench.worker NAME

Commands: {"cmd": "prepare", "config": {...}} builds a Problem and the Trainer (compiling, for JAX and
Numba) and runs one untimed warm-up epoch; {"cmd": "time", "accuracy": true} resets to the initial weights,
times one epoch and optionally measures the test accuracy after it; {"cmd": "evaluate"} (specnet) times the
evaluation of the 10,000 test images; {"cmd": "peak"} measures the matmul peak; {"cmd": "rss"} the peak
memory of this process so far. Its own process keeps each library's threads away from the others.
"""
from __future__ import annotations

import importlib
import json
import resource
import statistics
import sys
import traceback

import numpy as np

from bench.impls import IMPLS, timed
from bench.problem import Config, Problem


def matmul_peak(dtype: str, n: int = 1024, repeats: int = 10) -> float:
    """GFLOP/s of an n×n by n×n product in this process (the best of `repeats`), as the BLAS threads allow."""
    rng = np.random.default_rng(0)
    a, b = rng.random((n, n)).astype(dtype), rng.random((n, n)).astype(dtype)
    a @ b
    best = min(timed(lambda: a @ b) for _ in range(repeats))
    return 2 * n ** 3 / best / 1e9


def serve(name: str, stdin=sys.stdin, stdout=sys.stdout) -> None:
    module_name, _ = IMPLS[name]
    try:
        module = importlib.import_module(f"bench.impls.{module_name}")
        for package in module.requires:
            importlib.import_module(package)
        hello = {"ready": True}
    except ImportError as e:
        module, hello = None, {"ready": False, "missing": getattr(e, "name", None) or str(e)}
    print(json.dumps(hello), file=stdout, flush=True)
    trainer = None
    for line in stdin:
        msg = json.loads(line)
        try:
            if msg["cmd"] == "quit":
                break
            if msg["cmd"] == "prepare":
                extra = getattr(module.Trainer, "overrides", ())  # --set overrides an implementation adds
                trainer = module.Trainer(Problem(Config(**msg["config"]), extra))
                trainer.reset()
                warmup = timed(trainer.epoch)  # warm-up: caches, BLAS threads, allocations
                reply = {"warmup_seconds": warmup, "compile_seconds": getattr(trainer, "compile_seconds", None)}
            elif msg["cmd"] == "time":
                trainer.reset()
                seconds = timed(trainer.epoch)
                reply = {"seconds": seconds, "accuracy": trainer.accuracy() if msg.get("accuracy") else None}
            elif msg["cmd"] == "evaluate":
                net, test = trainer.net, trainer.test
                net.evaluate(test)
                reply = {"ms": 1000 * statistics.median(timed(lambda: net.evaluate(test)) for _ in range(21))}
            elif msg["cmd"] == "peak":
                reply = {dtype: matmul_peak(dtype) for dtype in ("float32", "float64")}
            elif msg["cmd"] == "rss":
                reply = {"max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
            else:
                reply = {"error": f"unknown command {msg['cmd']!r}"}
        except Exception as e:  # reported to the coordinator, which says so in the results
            reply = {"error": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()}
        print(json.dumps(reply), file=stdout, flush=True)


if __name__ == "__main__":
    serve(sys.argv[1])
