"""Drive the workers: one process per implementation, all timing the same configurations round by round.

For each configuration every implementation prepares (and warms up), then each round times one epoch of
each, in a rotated order, with a pause between them so that no library's idle threads (PyTorch's OpenMP
spins after each call) eat into the next one's time.
"""
from __future__ import annotations

import dataclasses
import json
import statistics
import subprocess
import sys
import time

from bench.problem import FULL, ROOT, Config

PAUSE = 0.2  # seconds between two timed epochs


class Worker:
    def __init__(self, name: str):
        self.name = name
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.worker", name], cwd=ROOT, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        hello = json.loads(self.proc.stdout.readline())
        self.ready, self.missing = hello["ready"], hello.get("missing")

    def ask(self, cmd: str, **kw) -> dict:
        self.proc.stdin.write(json.dumps({"cmd": cmd, **kw}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.name} worker died")
        return json.loads(line)

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.write('{"cmd": "quit"}\n')
            self.proc.stdin.close()
            self.proc.wait(timeout=60)


PROBE, BUDGET = 1_000, 0.6  # images of the trial epoch; seconds a timed epoch should take, at most


def is_target(config: Config) -> bool:
    """The configurations the issue's targets name (float32, quadratic, m = 10, 100, 1000): every fast
    implementation times whole epochs of 50,000 images there."""
    return config.dtype == "float32" and config.cost == "quadratic" and config.m in (10, 100, 1000)


def images_for(impl: str, config: Config, headline: bool, probe_seconds=None) -> int:
    """How many training images the implementation times per epoch (its time is scaled to 50,000).

    In the headline configuration every one trains on all 50,000, so that their test accuracies can be
    compared. In the target configurations all do, except the per-example reference (5,000) and PyTorch at
    m ≤ 10 (10,000), whose epochs take seconds. Elsewhere an epoch is cut to about BUDGET seconds, as
    measured on a trial epoch of PROBE images, so that the whole grid runs in minutes."""
    if config.images < FULL:  # asked for explicitly (the training-set size scan)
        return config.images
    if headline:
        return FULL
    if is_target(config) or probe_seconds is None:
        return {"reference": 5_000, "torch": 10_000 if config.m <= 10 else FULL}.get(impl, FULL)
    images = int(BUDGET / max(probe_seconds / PROBE, 1e-9)) // config.m * config.m
    return max(PROBE, min(FULL, images))


def time_config(workers: dict, config: Config, repeats: int, say, headline=False) -> dict:
    """Time every ready worker on `config`; return {impl: result dict}."""
    results, live = {}, []
    for name, w in workers.items():
        if not w.ready:
            continue
        probe = None
        if not headline and not is_target(config):  # a trial epoch, to size the timed ones
            reply = w.ask("prepare", config=dataclasses.replace(config, images=PROBE).as_dict())
            probe = reply.get("warmup_seconds")
        c = dataclasses.replace(config, images=images_for(name, config, headline, probe))
        if probe is None or c.images != PROBE:
            reply = w.ask("prepare", config=c.as_dict())
        if "error" in reply:
            say(f"  {name}: {reply['error']}")
            results[name] = {"error": reply["error"]}
            continue
        results[name] = {"images": c.images, "times": [], "accuracy": None, "compile_seconds": reply["compile_seconds"],
                         "flops_per_epoch": dataclasses.replace(c, images=FULL).flops()}
        live.append(name)
    for r in range(repeats):
        for name in live[r % len(live):] + live[:r % len(live)]:
            time.sleep(PAUSE)
            reply = workers[name].ask("time", accuracy=(r == 0 and results[name]["images"] == FULL))
            if "error" in reply:
                results[name]["error"] = reply["error"]
                continue
            results[name]["times"].append(reply["seconds"])
            if reply["accuracy"] is not None:
                results[name]["accuracy"] = reply["accuracy"]
    for name in live:
        res = results[name]
        if res["times"]:
            scale = FULL / res["images"]
            res.update(median=statistics.median(res["times"]) * scale, min=min(res["times"]) * scale,
                       max=max(res["times"]) * scale)
    return results


def whole_commands(repeats: int, runs_dir) -> dict:
    """Time whole specnet processes: `specnet run specs/ch1_sgd.yaml` (wall time and peak memory) as it runs
    (the default executor) and on the NumPy executor, `specnet --help` and `specnet validate specs/`."""
    import os
    exe = [sys.executable, "-m", "specnet"] if not _has_script() else ["specnet"]

    def timed(args) -> tuple:
        t0 = time.perf_counter()
        p = subprocess.Popen(exe + args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        return time.perf_counter() - t0, usage.ru_maxrss / 1024, p.returncode

    out, run = {}, ["run", "specs/ch1_sgd.yaml", "--runs-dir", str(runs_dir)]
    numpy_run = run + ["--set", "training.executor=numpy"]
    commands = [("help", ["--help"], 5), ("validate_specs", ["validate", "specs/"], 5), ("run_ch1_sgd", run, repeats),
                ("run_ch1_sgd_numpy", numpy_run, repeats)]
    for key, args, n in commands:
        first = timed(args)[0] if key == "run_ch1_sgd" else None  # the default executor: Numba's cache, filled
        rows = [timed(args) for _ in range(n)]
        out[key] = {"command": "specnet " + " ".join(args), "seconds": [r[0] for r in rows],
                    "median": statistics.median(r[0] for r in rows), "max_rss_mb": max(r[1] for r in rows),
                    "exit_codes": sorted({r[2] for r in rows}), "first_run_seconds": first}
    return out


def _has_script() -> bool:
    import shutil
    return shutil.which("specnet") is not None
