"""Sweeps and tune on each engine, timed as a user runs them (`specnet sweep`, `specnet tune` in a fresh
process, a fresh runs folder each time, back to back on the same machine):

    python -m bench.sweeps                      # the 24-point sweep: --jobs 1, --jobs 2, a Dask LocalCluster
    python -m bench.sweeps --tune               # also specnet tune specs/ch3_l2.yaml on each, and the tuned
                                                # spec trained in full beside the book's hand-chosen one

The LocalCluster has 2 worker processes of 1 thread (the machine's 2 cores); its start-up is timed apart.
Every engine's runs are compared with the first's: metrics.jsonl byte for byte.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SWEEP = "specs/sweeps/ch3_eta_lambda.yaml"


def timed(args: list, cwd) -> tuple:
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "specnet", *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - t0, done.stdout


def metrics(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("metrics.jsonl"))}


def engines():
    yield "--jobs 1", []
    yield "--jobs 2", ["--jobs", "2"]
    from distributed import LocalCluster
    t0 = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        print(f"  (LocalCluster of 2 workers started in {time.perf_counter() - t0:.1f} s)", flush=True)
        yield "Dask LocalCluster, 2 workers", ["--dask", cluster.scheduler_address]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sweep", default=SWEEP)
    ap.add_argument("--tune", action="store_true", help="also time specnet tune and train its spec in full")
    args = ap.parse_args(argv)
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="specnet-bench-sweeps-") as tmp:
        first, rows = None, []
        for name, options in engines():
            runs = Path(tmp) / name.split()[0].strip("-").lower() / name.split()[-1]
            seconds, out = timed(["sweep", args.sweep, "--runs-dir", str(runs), "--json", *options], root)
            points = len(json.loads(out)["points"])
            got = metrics(runs)
            first = first or got
            same = "same" if got == first else "DIFFERENT"
            rows.append((name, seconds, points))
            print(f"sweep {name}: {points} points in {seconds:.1f} s, {60 * points / seconds:.1f} points/min, "
                  f"{rows[0][1] / seconds:.2f}x --jobs 1; metrics {same} as --jobs 1", flush=True)
            if args.tune:
                seconds, out = timed(["tune", "specs/ch3_l2.yaml", "--runs-dir", str(runs / "tune"), "--json", *options],
                                     root)
                print(f"tune {name}: {seconds:.1f} s, chose {json.loads(out)['values']}", flush=True)
                tuned = json.loads(out)["spec"]
        if args.tune:
            for label, spec in (("tuned", tuned), ("book's", "specs/ch3_l2.yaml")):
                seconds, out = timed(["run", spec, "--runs-dir", str(Path(tmp) / "full"), "--set", "expect=[]",
                                      "--set", "data.evaluation=test", "--json"], root)
                print(f"{label} spec, trained in full ({seconds:.0f} s): best {json.loads(out)['best']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
