"""Seconds per training epoch (mini-batch SGD, no evaluation): specnet's executor vs the book's reference.

    python bench/epoch_time.py [--repeats N] [--quick] [--out bench/RESULTS.md]

Every configuration is timed in this one process, round by round, so that ratios mean something on a
noisy machine. See bench/README.md.
"""
import argparse
import datetime
import importlib.util
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from specnet.compiler import compile_spec, generator
from specnet.datasets import load_datasets
from specnet.executor import Recipe
from specnet.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "specs" / "ch1_sgd.yaml"
FULL = 50_000  # the chapter-1 training set: every time is reported per epoch of this many images

# tests/reference.py, imported by its path so that the benchmark needs no install of tests/
_module_spec = importlib.util.spec_from_file_location("bench_reference", ROOT / "tests" / "reference.py")
reference = importlib.util.module_from_spec(_module_spec)
_module_spec.loader.exec_module(reference)


def reference_of(spec, net):
    """Return a ReferenceNetwork starting from `net`'s current weights and biases (copied, as float64)."""
    acts = [layer.activation for layer in spec.network.layers]
    return reference.ReferenceNetwork(net.weights, net.biases, acts, spec.network.cost)


def columns(data, count: int) -> list:
    """Return the first `count` examples as the book's (x, y) pairs of (784, 1) and (10, 1) columns."""
    return [(data.x[i].reshape(-1, 1), data.y[i].reshape(-1, 1)) for i in range(count)]


def specnet_epoch(net, data, m, rng) -> float:
    """Seconds of one epoch of net.train (shuffle and mini-batch SGD, no evaluation)."""
    t0 = time.perf_counter()
    net.train(data, Recipe(1, m), rng)
    return time.perf_counter() - t0


def reference_epoch(ref, pairs, m, eta, n, rng) -> float:
    """Seconds of one epoch of the book's SGD: shuffle, then update_mini_batch on each run of m pairs."""
    t0 = time.perf_counter()
    order = rng.permutation(len(pairs))
    for k in range(0, len(pairs), m):
        ref.update_mini_batch([pairs[i] for i in order[k:k + m]], eta, n)
    return time.perf_counter() - t0


def agreement(spec, data) -> float:
    """Max |difference| of the weights and biases after one mini-batch step from the same float64 start."""
    net = compile_spec(spec)
    ref = reference_of(spec, net)
    m, eta = spec.training.mini_batch_size, spec.training.optimizer.params["eta"]
    net.optimizer.start(net.weights + net.biases)
    net.update_mini_batch(data.x[:m].T, data.y[:m].T, len(data))
    ref.update_mini_batch(columns(data, m), eta, len(data))
    return max(float(np.max(np.abs(a - b))) for a, b in zip(net.weights + net.biases, ref.weights + ref.biases))


def machine() -> dict:
    """Where and on what the numbers were taken."""
    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []
    cpu = next((x.split(":", 1)[1].strip() for x in cpuinfo if x.startswith("model name")), platform.processor())
    git = lambda *a: subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    info = {"date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
            "python": platform.python_version(), "platform": platform.platform(), "cpu": cpu,
            "cpu_count": os.cpu_count(), "numpy": np.__version__, "blas": f"{blas.get('name')} {blas.get('version')}",
            "blas_config": blas.get("openblas configuration"),
            "thread_env": {k: v for k, v in os.environ.items() if k.endswith("_NUM_THREADS")},
            "git_commit": git("rev-parse", "--short", "HEAD") + (" (specnet/ modified)" if git(
                "status", "--porcelain", "specnet") else "")}
    if hasattr(os, "sched_getaffinity"):
        info["cpus_usable"] = len(os.sched_getaffinity(0))
    try:  # optional
        info["threadpools"] = __import__("threadpoolctl").threadpool_info()
    except ImportError:
        pass
    return info


def table(rows: list) -> str:
    """The Markdown table of the results (times per epoch of 50,000 images)."""
    out = ["| configuration | sizes | dtype | images timed | s/epoch median | min | max | images/s "
           "| specnet × faster than reference | float64 / float32 |", "|" + "---|" * 10]
    for r in rows:
        out.append(f"| {r['name']} | {r['sizes']} | {r['dtype']} | {r['images']:,} | {r['median']:.3f} "
                   f"| {r['min']:.3f} | {r['max']:.3f} | {r['images_per_s']:,.0f} | {r['speedup'] or '—'} "
                   f"| {r['f64_over_f32'] or '—'} |")
    return "\n".join(out)


def configurations(quick, take, ref_images):
    """Return the configurations to time (name, sizes, dtype, images, run) and the agreement check."""
    datasets, configs = {}, []
    for hidden in (30, 100):
        for dtype in ("float32", "float64"):
            overrides = [f"network.dtype={dtype}", f"network.layers[0].size={hidden}"]
            if take:  # data.training is a bare split name in the spec: --set needs the mapping form
                overrides.append(f"data.training={{split: training, take: {take}}}")
            spec = load_spec(SPEC, overrides)
            if dtype not in datasets:  # the data does not depend on the hidden size: load it once per dtype
                datasets[dtype] = load_datasets(spec, {"training": spec.data.training})["training"]
            net, data = compile_spec(spec), datasets[dtype]
            m, rng = spec.training.mini_batch_size, generator(spec.seed, "shuffle")
            configs.append(dict(name="specnet", sizes=spec.network.sizes, dtype=dtype, images=len(data),
                                run=lambda net=net, data=data, m=m, rng=rng: specnet_epoch(net, data, m, rng)))
            if hidden == 30 and dtype == "float64":  # the reference starts from the same initial weights
                ref = reference_of(spec, net)
                pairs = columns(data, min(ref_images or (500 if quick else 10_000), len(data)))
                eta, rng = spec.training.optimizer.params["eta"], generator(spec.seed, "shuffle")
                configs.append(dict(name="reference (tests/reference.py)", sizes=spec.network.sizes, dtype=dtype,
                                    images=len(pairs), run=lambda ref=ref, pairs=pairs, m=m, eta=eta, n=len(data),
                                    rng=rng: reference_epoch(ref, pairs, m, eta, n, rng)))
                diff = agreement(spec, data)
    return configs, diff


def summarize(configs) -> list:
    """Return one row per configuration: times scaled to 50,000 images, and the ratios."""
    rows = []
    for c in configs:
        t, scale = c["times"], FULL / c["images"]  # 1 for specnet on the whole training set
        rows.append({k: c[k] for k in ("name", "sizes", "dtype", "images")} | {
            "raw_seconds": t, "scale_to_50000": scale, "median": statistics.median(t) * scale,
            "min": min(t) * scale, "max": max(t) * scale, "images_per_s": c["images"] / statistics.median(t),
            "speedup": None, "f64_over_f32": None})
    ref = next(r for r in rows if r["name"] != "specnet")
    f32 = {str(r["sizes"]): r for r in rows if r["name"] == "specnet" and r["dtype"] == "float32"}
    for r in (r for r in rows if r["name"] == "specnet"):
        if r["sizes"] == ref["sizes"]:
            r["speedup"] = f"{ref['median'] / r['median']:.1f}"
        if r["dtype"] == "float64" and str(r["sizes"]) in f32:
            r["f64_over_f32"] = f"{r['median'] / f32[str(r['sizes'])]['median']:.2f}"
    return rows


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, help="timed epochs per configuration (default 3; --quick: 1)")
    p.add_argument("--quick", action="store_true", help="tiny sizes, to check that the script works")
    p.add_argument("--train-images", type=int, help="training images for specnet (default all 50,000)")
    p.add_argument("--ref-images", type=int, help="prefix timed for the reference (default 10,000)")
    p.add_argument("--out", type=Path, help="Markdown file to write (default bench/RESULTS.md; with --quick, "
                                            "bench/out/QUICK.md, which git ignores)")
    a = p.parse_args(argv)
    repeats, take = a.repeats or (1 if a.quick else 3), a.train_images or (2_000 if a.quick else None)
    a.out = a.out or ROOT / "bench" / ("out/QUICK.md" if a.quick else "RESULTS.md")
    say = lambda text: print(text, file=sys.stderr, flush=True)
    configs, diff = configurations(a.quick, take, a.ref_images)
    for c in configs:
        say(f"warm-up: {c['name']} {c['sizes']} {c['dtype']} ({c['images']:,} images)")
        c["run"]()
        c["times"] = []
    for r in range(repeats):  # round robin, rotated each round, so that no configuration always goes first
        say(f"round {r + 1}/{repeats}")
        for c in configs[r % len(configs):] + configs[:r % len(configs)]:
            c["times"].append(c["run"]())
    rows = summarize(configs)
    ref = next(r for r in rows if r["name"] != "specnet")
    info, command = machine(), "python " + shlex.join(sys.argv if argv is None else ["bench/epoch_time.py", *argv])
    notes = [f"Seconds per epoch of {FULL:,} images: median, min, max of {repeats} timed epoch(s) after one untimed "
             "warm-up, no evaluation, all timed in this process round by round (specnet: see specnet_epoch).",
             f"The reference is timed on the first {ref['images']:,} images, scaled ×{ref['scale_to_50000']:g}"
             + (f"; specnet on {rows[0]['images']:,} images, scaled ×{rows[0]['scale_to_50000']:g}." if take else "."),
             f"Agreement: max |specnet − reference| over weights and biases after one mini-batch step from the "
             f"same float64 weights = {diff:.1e}."]
    text = table(rows) + "\n\n" + "\n".join(f"- {n}" for n in notes)
    print(text)
    md = [f"# specnet epoch time{' — QUICK CHECK, not a measurement' if a.quick else ''}", "",
          f"Generated {info['date_utc']} by `{command}` (regenerate with the same command; "
          "see bench/README.md).", "", text, "", "## Machine", ""]
    md += [f"- {k}: {v}" for k, v in info.items() if k != "threadpools"]
    md += [f"- threadpool: {t.get('internal_api')} {t.get('version')}, {t.get('num_threads')} threads"
           for t in info.get("threadpools", [])]
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text("\n".join(md) + "\n")
    raw = a.out.with_name(a.out.stem.lower() + ".json")
    raw.write_text(json.dumps({"command": command, "quick": a.quick, "repeats": repeats, "agreement_max_abs": diff,
                               "machine": info, "results": rows}, indent=2, default=str) + "\n")
    say(f"wrote {a.out} and {raw}")


if __name__ == "__main__":
    main()
