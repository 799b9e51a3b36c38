"""python -m bench.same_runs: run every shipped spec briefly and record digests of what it wrote, so that a
refactor can show that nothing changed but the design (same machine, before and after: byte-identical runs).

    python -m bench.same_runs                          # all shipped specs, numpy and numba: bench/same_runs.json
    python -m bench.same_runs --compare bench/same_runs.json   # rerun; list every spec whose digests differ
    python -m bench.same_runs --executor numpy --epochs 1 --out /tmp/s.json

Each spec is loaded with `specnet.load_spec(name, overrides)` and run with `specnet.run_spec` into a temporary
folder. The overrides (see `overrides_for`) keep a run short and leave the design alone: `training.epochs`
(default 2), `training.executor` pinned, at most 2,000 MNIST training images and 1,000 evaluation images
(a spec's own smaller `take` is kept; `digits` and `expand` stay as they are) and `expect=[]` (a short run
does not reach the book's numbers). Per spec and executor it records the SHA-256 of metrics.jsonl, of the
trained arrays (see `model_digest`: model.npz's file embeds the time it was written, so its arrays are
hashed, by name, dtype, shape and bytes) and of checks.jsonl, and the final metrics row.

The digests are bitwise: another CPU or BLAS library rounds differently, so compare on one machine.
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib.metadata
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "same_runs.json"
TRAIN_TAKE, EVAL_TAKE = 2000, 1000


class Parser(argparse.ArgumentParser):
    def error(self, message):
        """A bad argument: one line, exit code 2."""
        self.exit(2, f"{self.prog}: {message}. See '{self.prog} --help'.\n")


def numba_available() -> bool:
    try:
        import numba  # noqa: F401
    except Exception:
        return False
    return True


def overrides_for(name: str, epochs: int, executor: str) -> list:
    """Return the --set overrides that make `name` a short run on `executor` (same design, less work)."""
    import specnet

    spec = specnet.load_spec(name, [], check_data=False)
    out = ["expect=[]"]
    if spec.training is not None:
        out += [f"training.epochs={epochs}", f"training.executor={executor}"]
    if spec.data.source.type == "mnist":
        # A bare split name ("training: training") becomes {split: training} before take is set inside it
        # (specnet.spec.overrides' expand), so digits and the split stay as the spec says.
        for part, limit in (("training", TRAIN_TAKE), ("evaluation", EVAL_TAKE)):
            split = getattr(spec.data, part)
            take = min(limit, split.take) if split is not None and split.take else limit
            out.append(f"data.{part}.take={take}")
    return out


def model_digest(folder: Path) -> str | None:
    """SHA-256 of the trained model: model.npz's arrays (name, dtype, shape, bytes, in name order), or a
    baseline's model.json. Not the .npz file's bytes: its zip entries carry the time they were written."""
    npz, js = folder / "model.npz", folder / "model.json"
    h = hashlib.sha256()
    if npz.exists():
        import numpy as np

        with zipfile.ZipFile(npz) as z:
            for member in sorted(z.namelist()):
                a = np.load(io.BytesIO(z.read(member)), allow_pickle=False)
                h.update(f"{member}|{a.dtype.str}|{a.shape}|".encode())
                h.update(np.ascontiguousarray(a).tobytes())
        return h.hexdigest()
    if js.exists():
        return hashlib.sha256(js.read_bytes()).hexdigest()
    return None


def sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def run_one(name: str, epochs: int, executor: str, runs_dir: Path, extra=()) -> dict:
    """Run shipped spec `name` briefly on `executor`; return its digests, final row and time.
    `extra` overrides go after ours (the test uses it to change the seed)."""
    import specnet

    t0 = time.perf_counter()
    overrides = overrides_for(name, epochs, executor) + list(extra)
    spec = specnet.load_spec(name, overrides)
    run = specnet.run_spec(spec, runs_dir=runs_dir)
    metrics = run.folder / "metrics.jsonl"
    lines = metrics.read_text(encoding="utf-8").splitlines()
    return {"metrics_sha256": sha256(metrics), "model_sha256": model_digest(run.folder),
            "checks_sha256": sha256(run.folder / "checks.jsonl"),
            "final": json.loads(lines[-1]) if lines else None, "metrics_lines": lines,
            "overrides": overrides, "seconds": round(time.perf_counter() - t0, 2)}


def machine() -> dict:
    import numpy as np

    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []
    cpu = next((x.split(":", 1)[1].strip() for x in cpuinfo if x.startswith("model name")), platform.processor())
    try:
        from specnet.runs.provenance import blas_info
        runtime = blas_info()
    except Exception:  # threadpoolctl missing: the build's BLAS is still recorded
        runtime = None
    versions = {}
    for package in ("numpy", "numba", "threadpoolctl"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    return {"platform": platform.platform(), "python": platform.python_version(), "cpu": cpu,
            "cpus": os.cpu_count(), "blas": {k: blas.get(k) for k in ("name", "version")},
            "blas_runtime": runtime, "versions": versions,
            "thread_env": {k: v for k, v in os.environ.items() if k.endswith("_NUM_THREADS")}}


def git_commit() -> dict:
    git = lambda *a: subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return {"commit": git("rev-parse", "HEAD") or None, "specnet_modified": bool(git("status", "--porcelain", "specnet"))}


def run_all(names, epochs: int, executors, log=print) -> dict:
    """Run every spec in `names` on every executor; return {"runs": {executor: {name: result}}, "failed": [...]}."""
    runs, failed = {}, []
    with tempfile.TemporaryDirectory(prefix="same_runs-") as tmp:
        for executor in executors:
            runs[executor] = {}
            t0 = time.perf_counter()
            for name in names:
                try:
                    runs[executor][name] = run_one(name, epochs, executor, Path(tmp) / executor)
                except Exception as e:  # one line, counted: a broken spec must not hide the others
                    message = " ".join(str(e).split())[:300] or type(e).__name__
                    if executor != "numpy" and (f"training.executor={executor}" in message
                                                or message.startswith(f"training.executor: the {executor} executor has no")):
                        # the spec refuses this executor (numba has no dropout; said by the spec's checks
                        # before issue 13, by the compiler since): not a failure, a skip
                        runs[executor][name] = {"skipped": message}
                        log(f"skipped {executor}/{name}: {message}")
                        continue
                    runs[executor][name] = {"error": f"{type(e).__name__}: {message}"}
                    failed.append(f"{executor}/{name}")
                    log(f"FAILED {executor}/{name}: {type(e).__name__}: {message}")
            log(f"{executor}: {len(names)} specs in {time.perf_counter() - t0:.1f} s")
    return {"runs": runs, "failed": failed}


DIGESTS = ("metrics_sha256", "model_sha256", "checks_sha256")


def differences(old: dict, new: dict) -> list:
    """Return one report (a few lines) per spec and executor whose digests differ between two results files."""
    out = []
    for executor, specs in new["runs"].items():
        before = old.get("runs", {}).get(executor)
        if before is None:
            out.append(f"{executor}: not in the file compared with")
            continue
        for name in sorted(set(specs) | set(before)):
            a, b = before.get(name), specs.get(name)
            if a is None or b is None:
                out.append(f"{executor}/{name}: {'new' if a is None else 'missing'} in this run")
                continue
            state = lambda r: r.get("error") or (r.get("skipped") and "skipped") or "ran"
            if state(a) != "ran" or state(b) != "ran":
                if state(a) != state(b):
                    out.append(f"{executor}/{name}: before: {state(a)}; now: {state(b)}")
                continue
            which = [k for k in DIGESTS if a.get(k) != b.get(k)]
            if not which:
                continue
            report = f"{executor}/{name}: {', '.join(which)} differ"
            la, lb = a.get("metrics_lines", []), b.get("metrics_lines", [])
            for i in range(max(len(la), len(lb))):
                x, y = (la[i] if i < len(la) else "(none)"), (lb[i] if i < len(lb) else "(none)")
                if x != y:
                    report += f"\n    metrics line {i + 1} before: {x}\n    metrics line {i + 1} now:    {y}"
                    break
            out.append(report)
    return out


def main(argv=None) -> int:
    p = Parser(prog="python -m bench.same_runs", description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, help=f"write the results here (default {DEFAULT_OUT.relative_to(ROOT)}; "
                                            "with --compare, nothing is written unless --out is given)")
    p.add_argument("--compare", type=Path, metavar="FILE", help="rerun and report every spec whose digests differ")
    p.add_argument("--epochs", type=int, help="epochs of each training spec (default 2, or FILE's with --compare)")
    p.add_argument("--executor", choices=("numpy", "numba", "both"),
                   help="default both (or FILE's with --compare)")
    p.add_argument("--spec", action="append", help="only this shipped spec (repeatable)")
    a = p.parse_args(argv)
    if a.epochs is not None and a.epochs < 1:
        p.error("--epochs must be at least 1")
    old = None
    if a.compare:
        try:
            old = json.loads(a.compare.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            print(f"python -m bench.same_runs: cannot read {a.compare}: {e}", file=sys.stderr)
            return 2
    settings = (old or {}).get("settings", {})
    epochs = a.epochs or settings.get("epochs", 2)
    wanted = {"both": ["numpy", "numba"], None: settings.get("executors", ["numpy", "numba"])}.get(
        a.executor, [a.executor])
    executors = [e for e in wanted if e != "numba" or numba_available()]
    if len(executors) < len(wanted):
        print("numba is not importable: the numba executor is skipped")

    from specnet.resources import shipped_names

    names = a.spec or settings.get("specs") or [n for n in shipped_names() if not n.startswith("sweeps/")]  # a sweep is many runs
    t0 = time.perf_counter()
    result = {**git_commit(), "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
              "machine": machine(),
              "settings": {"epochs": epochs, "executors": executors, "train_take": TRAIN_TAKE, "eval_take": EVAL_TAKE,
                           **({"specs": names} if a.spec or "specs" in settings else {})},
              **run_all(names, epochs, executors)}
    result["total_seconds"] = round(time.perf_counter() - t0, 1)
    runs = sum(len(v) for v in result["runs"].values())
    skipped = sum("skipped" in r for v in result["runs"].values() for r in v.values())
    print(f"{runs} runs ({len(names)} specs x {', '.join(executors)}), {len(result['failed'])} failed, "
          f"{skipped} skipped (executor refused by the spec), "
          f"total {result['total_seconds']} s")
    out = a.out or (None if a.compare else DEFAULT_OUT)
    if out:
        out.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {out}")
    status = 1 if result["failed"] else 0
    if old is not None:
        if old.get("machine", {}).get("cpu") != result["machine"]["cpu"] or \
                old.get("machine", {}).get("blas") != result["machine"]["blas"]:
            print("note: FILE was written on another CPU or BLAS: digests are bitwise, differences are expected")
        diffs = differences(old, result)
        for d in diffs:
            print(d)
        print(f"{len(diffs)} differ from {a.compare} (commit {str(old.get('commit'))[:10]}, {old.get('date_utc')})")
        status = 1 if diffs or status else 0
    return status


if __name__ == "__main__":
    sys.exit(main())
