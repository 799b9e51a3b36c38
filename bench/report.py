"""RESULTS.md, its figure and the machine it was measured on, from the coordinator's results."""
from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
import subprocess
from pathlib import Path

import numpy as np

from bench.impls import IMPLS
from bench.problem import FULL, HEADLINE, ROOT, Config

ORDER = list(IMPLS)
PEERS = ("torch", "jax", "numba")  # the tools the issue measures specnet against (not our own loops)
DATA_TEXT = {"mnist": "MNIST", "fashion": "Fashion-MNIST (Debian's dataset-fashion-mnist; about 50% zero pixels)",
             "dense": "MNIST with every pixel x mapped to 0.05 + 0.9x (no zero pixels)"}


def data_of(c: dict) -> str:
    """The data of a result row; rows saved before the data axis are MNIST."""
    return c["config"].get("data", "mnist")


def machine() -> dict:
    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []
    cpu = next((x.split(":", 1)[1].strip() for x in cpuinfo if x.startswith("model name")), platform.processor())
    git = lambda *a: subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    versions = {}
    for package in ("numpy", "torch", "jax", "jaxlib", "numba", "threadpoolctl"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    return {"date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "cpu": cpu, "cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "blas": f"{blas.get('name')} {blas.get('version')}", "versions": versions,
            "thread_env": {k: v for k, v in os.environ.items() if k.endswith("_NUM_THREADS")},
            "git_commit": git("rev-parse", "--short", "HEAD") + (" (specnet/ modified)" if git(
                "status", "--porcelain", "specnet") else "")}


def _median(results, label, impl):
    row = next((c for c in results["configs"] if c["label"] == label), None)
    r = row["impls"].get(impl, {}) if row else {}
    return r.get("median")


def _versus(me: str, mine: float, other: str, theirs: float) -> str:
    """'me 0.257 s, jax 0.350 s: me 1.36× as fast' (or 'jax 1.20× faster')."""
    ratio = theirs / mine
    return (f"{me} {mine:.3f} s, {other} {theirs:.3f} s: " +
            (f"{me} {ratio:.2f}× as fast" if ratio >= 1 else f"{other} {1 / ratio:.2f}× faster"))


def _peers(c: dict) -> dict:
    """{peer: median seconds} of one configuration's results, for the peers that have a time."""
    return {k: v["median"] for k, v in c["impls"].items() if k in PEERS and v.get("median")}


def targets(results) -> list:
    """Return (target, measured, met) rows for issue 17's targets that these results cover, for specnet as it
    runs a spec (the default executor, `auto`), and for its two executors where the issue names both."""
    me, impl = "specnet", "specnet"
    rows, peak = [], results.get("peak_gflops", {})
    head = HEADLINE.label()
    s = _median(results, head, impl)
    for peer, want, text in (("jax", 1.0, "no slower than JAX jit+scan"), ("torch", 10.0, "≥ 10× faster than PyTorch eager"),
                             ("reference", 15.0, "≥ 15× faster than the per-example reference")):
        other = _median(results, head, peer)
        if s and other:
            rows.append((f"m = 10, [784, 30, 10], float32: {text}", _versus(me, s, peer, other), other / s >= want))
    for c in results["configs"]:
        cfg, mine = c["config"], c["impls"].get(impl, {}).get("median")
        if cfg["m"] in (100, 1000) and cfg["dtype"] == "float32" and cfg["cost"] == "quadratic" and data_of(c) == "mnist":
            peers = _peers(c)
            if peers and mine:
                best = min(peers, key=peers.get)
                rows.append((f"{c['label']}: ≥ 1.2× faster than the fastest of PyTorch, JAX and Numba",
                             _versus(me, mine, best, peers[best]), peers[best] >= 1.2 * mine))
            if cfg["m"] == 1000 and cfg["hidden"] == 100 and mine and peak.get("float32"):
                g = c["impls"][impl]["flops_per_epoch"] / mine / 1e9
                rows.append((f"{c['label']}: ≥ 60% of the matmul peak (dense-equivalent: the flops of the matrix "
                             "products over the epoch's time; the loops skip the zero inputs' share)",
                             f"{g:.0f} GFLOP/s = {100 * g / peak['float32']:.0f}% of {peak['float32']:.0f}",
                             g >= 0.6 * peak["float32"]))
        if data_of(c) != "mnist" and cfg["m"] == 10 and cfg["dtype"] == "float32" and mine:
            others = {k: c["impls"].get(k, {}).get("median") for k in ("specnet-numpy", "jax")}
            others = {k: v for k, v in others.items() if v}
            if others:
                best = min(others, key=others.get)
                rows.append((f"{c['label']}: no slower than the NumPy executor and JAX jit+scan",
                             _versus(me, mine, best, others[best]), others[best] >= mine))
    for who in ("specnet", "specnet-numpy", "specnet-numba"):
        f64 = []
        for c in results["configs"]:
            mine = c["impls"].get(who, {}).get("median")
            twin = _median(results, c["label"].replace("float64", "float32"), who) if c["config"]["dtype"] == "float64" else None
            if mine and twin:
                f64.append((mine / twin, c["label"]))
        if f64:
            worst = max(f64)
            rows.append((f"float64 within 2.5× of float32 ({who}, every configuration)",
                         f"worst {worst[0]:.2f}× ({worst[1]})", worst[0] <= 2.5))
    cmds = results.get("commands", {})
    jax = next((c["impls"].get("jax", {}) for c in results["configs"] if c["label"] == head), {})
    if "run_ch1_sgd" in cmds:
        r = cmds["run_ch1_sgd"]
        if jax.get("median") and jax.get("compile_seconds") is not None:
            budget = 0.8 * (30 * jax["median"] + jax["compile_seconds"])
            rows.append((f"`{r['command']}` (30 epochs, test evaluation after each): ≤ 0.8× (30 JAX epochs + JAX's compile)",
                         f"{r['median']:.2f} s; 0.8 × (30 × {jax['median']:.3f} + {jax['compile_seconds']:.2f}) = {budget:.2f} s",
                         r["median"] <= budget))
        rows.append(("peak memory training on all of MNIST (that run): under 400 MB", f"{r['max_rss_mb']:.0f} MB", r["max_rss_mb"] < 400))
    if "fixed_cost" in results:
        f = results["fixed_cost"]
        rows.append(("the fixed cost of such a run (imports, numba, data; itemised below, in fresh processes): under 1 s",
                     f"{f['total']:.2f} s", f["total"] < 1))
    if "evaluate_ms" in results:
        rows.append(("evaluation of the 10,000 test images: under 15 ms", f"{results['evaluate_ms']:.1f} ms", results["evaluate_ms"] < 15))
    if "help" in cmds:
        rows.append(("`specnet --help`: under 0.2 s", f"{cmds['help']['median']:.2f} s", cmds["help"]["median"] < 0.2))
        v = cmds["validate_specs"]
        rows.append(("`specnet validate specs/` (every shipped spec): under 0.5 s", f"{v['median']:.2f} s", v["median"] < 0.5))
    return rows


def markdown(results, picture, quick=False) -> str:
    m, peak = results["machine"], results.get("peak_gflops", {})
    impls = [i for i in ORDER if any(i in c["impls"] for c in results["configs"])]
    data = list(dict.fromkeys(data_of(c) for c in results["configs"])) or ["mnist"]
    images = "MNIST images" if data == ["mnist"] else "training images"
    which = "" if data == ["mnist"] else " The data: " + "; ".join(  # the labels of the other data end in their name
        f"{DATA_TEXT[d]} where the configuration ends in \"{d}\"" if d != "mnist" else "MNIST where it names no data"
        for d in data) + "."
    lines = [f"# specnet benchmark{' — QUICK CHECK, not a measurement' if quick else ''}", "",
             f"Generated {m['date_utc']} by `{results['command']}` (git {m['git_commit']}). Regenerate with the "
             f"same command; bench/README.md says how to read it. Seconds per epoch of 50,000 {images}, "
             f"median of {results['repeats']} epochs after a warm-up, each implementation in its own process, "
             "all timed round by round in this one run: only the ratios mean much on a shared machine. In the "
             "tables, \"(1.40×)\" after a time is that implementation's time over specnet's (above 1: specnet is "
             "faster), and \"(9,148 images timed)\" marks an epoch timed on a prefix of the training set and "
             "scaled to 50,000 images." + which, ""]
    rows = targets(results)
    if rows:
        lines += ["## Targets: specnet as `specnet run` runs a spec (the default executor, auto)", "",
                  "| target | measured | met |", "|---|---|---|"]
        lines += [f"| {t} | {v} | {'yes' if ok else '**no**'} |" for t, v, ok in rows] + [""]
    if "fixed_cost" in results:
        from bench.fixed_cost import table
        lines += ["## The fixed cost of a run", "", table(results["fixed_cost"]), ""]
    lines += ["", "## Seconds per epoch (× specnet's time)", "",
              "| configuration | " + " | ".join(impls) + " |", "|---|" + "---|" * len(impls)]
    for c in results["configs"]:
        mine = c["impls"].get("specnet", {}).get("median")
        cells = []
        for i in impls:
            r = c["impls"].get(i)
            if not r or r.get("median") is None:
                cells.append("—" if not r else f"error: {r.get('error', '?')[:40]}")
                continue
            star = "" if r["images"] == FULL else f" ({r['images']:,} images timed)"
            ratio = "" if i == "specnet" or not mine else f" ({r['median'] / mine:.2f}×)"
            cells.append(f"{r['median']:.3f}{ratio}{star}")
        lines.append(f"| {c['label']} | " + " | ".join(cells) + " |")
    lines += ["", "Spread: the min and max of every cell are in results.json. Cells marked \"timed\" were timed on "
              "a prefix of the training set and scaled to 50,000 images.", ""]
    lines += ["## Throughput against the matmul peak", "",
              f"Matmul peak measured in this run (1024 × 1024 product, best of 10): float32 {peak.get('float32', 0):.0f} "
              f"GFLOP/s, float64 {peak.get('float64', 0):.0f} GFLOP/s, with every BLAS thread (specnet uses one "
              "thread for products under 2 million multiply-adds). GFLOP/s counts the products of the "
              "feedforward, BP2 and BP4 only.", "",
              "| configuration | specnet GFLOP/s | % of peak | fastest of PyTorch, JAX, Numba | its GFLOP/s |",
              "|---|---|---|---|---|"]
    for c in results["configs"]:
        mine, peers = c["impls"].get("specnet", {}).get("median"), _peers(c)
        if not mine:
            continue
        flops = c["impls"]["specnet"]["flops_per_epoch"]
        best = min(peers, key=peers.get) if peers else None
        lines.append(f"| {c['label']} | {flops / mine / 1e9:.1f} | {100 * flops / mine / 1e9 / peak.get(c['config']['dtype'], 1):.0f}% | "
                     f"{best or '—'} | {flops / peers[best] / 1e9:.1f} |" if best else
                     f"| {c['label']} | {flops / mine / 1e9:.1f} | — | — | — |")
    head = next((c for c in results["configs"] if c.get("headline")), None)
    if head:
        acc = {k: v.get("accuracy") for k, v in head["impls"].items() if v.get("accuracy") is not None}
        spread = (max(acc.values()) - min(acc.values())) * 100 if acc else 0
        lines += ["", "## Same computation: test accuracy after one epoch", "",
                  f"{head['label']}, every implementation from the same initial weights and mini-batch order "
                  f"(the reference in float64): " + ", ".join(f"{k} {100 * v:.2f}%" for k, v in acc.items()) +
                  f". Largest difference {spread:.2f} points: {'OK' if spread <= 0.5 else 'TOO LARGE'} "
                  "(rounding differences grow over 5,000 steps; 0.5 points allowed)."]
    by_impl = {}
    for c in results["configs"]:
        for k, v in c["impls"].items():
            if v.get("compile_seconds"):
                by_impl.setdefault(k, []).append(v["compile_seconds"])
    if by_impl:
        lines += ["", "## Compile time (not in the epoch times)", ""]
        lines += [f"- {k}: {min(v):.2f}–{max(v):.2f} s per configuration" for k, v in by_impl.items()]
        lines += ["", "Numba compiles once per dtype in its worker process: later configurations reuse the code."]
    if results.get("scaling_images"):
        rows = results["scaling_images"]
        per = [r["seconds"] / r["images"] * 1e6 for r in rows]
        lines += ["", "## Scaling (specnet, float32)", "", "Epoch time against the training-set size, [784, 30, 10], m = 10:", "",
                  "| images | s/epoch | µs per image |", "|---|---|---|"]
        lines += [f"| {r['images']:,} | {r['seconds']:.3f} | {p:.1f} |" for r, p in zip(rows, per)]
        lines += ["", "Against the hidden width, [784, h, 10], quadratic, m = 100:", "", "| hidden | s/epoch | GFLOP/s | % of peak |", "|---|---|---|---|"]
        lines += [f"| {r['hidden']} | {r['seconds']:.3f} | {r['gflops']:.1f} | {100 * r['gflops'] / peak.get('float32', 1):.0f}% |"
                  for r in results["scaling_width"]]
    again = []
    for r in results.get("scaling_width", []):
        grid = _median(results, Config(hidden=r["hidden"], m=100).label(), "specnet")
        if grid:
            again.append(f"[784, {r['hidden']}, 10] m = 100: {grid:.3f} s in the grid, {r['seconds']:.3f} s in the scan")
    full = next((r for r in results.get("scaling_images", []) if r["images"] == FULL), None)
    grid = _median(results, HEADLINE.label(), "specnet")
    if full and grid:
        again.append(f"[784, 30, 10] m = 10: {grid:.3f} s in the grid, {full['seconds']:.3f} s in the scan")
    if again:
        lines += ["", "The same configuration timed twice in this run, minutes apart (how far the machine drifts): "
                  + "; ".join(again) + "."]
    if results.get("commands"):
        lines += ["", "## Whole commands", "", "| command | median s | peak memory |", "|---|---|---|"]
        lines += [f"| `{v['command']}` | {v['median']:.2f} | {v['max_rss_mb']:.0f} MB |" for v in results["commands"].values()]
        first = results["commands"].get("run_ch1_sgd", {}).get("first_run_seconds")
        if first:
            lines += ["", f"The default executor's runs above come after one untimed run, which took {first:.1f} s: "
                      "the first run on a machine with numba compiles the loops (Numba caches them on disk for "
                      "later runs)."]
    if results.get("max_rss_mb"):
        lines += ["", "Peak memory of each worker process over all its configurations (data in both dtypes): " +
                  ", ".join(f"{k} {v:.0f} MB" for k, v in results["max_rss_mb"].items()) + "."]
    if results.get("skipped"):
        lines += ["", "Not installed, so not timed: " + ", ".join(f"{k} ({v})" for k, v in results["skipped"].items()) + "."]
    lines += [f"\n{line}." for line in results.get("skipped_data", {}).values()]
    if picture:
        lines += ["", f"![Seconds per epoch against mini-batch size]({picture.name})"]
    lines += ["", "## Machine", ""] + [f"- {k}: {v}" for k, v in m.items()]
    lines += ["", "## The implementations", ""] + [f"- **{k}**: {d}" for k, (_, d) in IMPLS.items()]
    return "\n".join(lines) + "\n"


def figure(results, path: Path):
    """Seconds per epoch against mini-batch size, log-log, one line per implementation (float32, quadratic),
    one panel per width, the measured sizes and plain numbers as tick labels, one legend right of the panels
    (a colour per implementation in both); None without matplotlib. Redraw it from the saved numbers with
    `python -m bench.report` (bench/results.json to bench/epoch_vs_batch.png)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FixedLocator, LogLocator, NullFormatter, NullLocator, StrMethodFormatter
    except ImportError:
        return None
    mnist = [c for c in results["configs"] if data_of(c) == "mnist"]  # the figure is MNIST's
    if not mnist:
        return None
    widths = sorted({c["config"]["hidden"] for c in mnist})
    sizes = sorted({c["config"]["m"] for c in mnist})
    fig, axes = plt.subplots(1, len(widths), figsize=(5.5 * len(widths), 4.2), squeeze=False)
    for ax, h in zip(axes[0], widths):
        cells = [c for c in results["configs"] if c["config"]["hidden"] == h and c["config"]["dtype"] == "float32"
                 and c["config"]["cost"] == "quadratic" and data_of(c) == "mnist"]
        for i, impl in enumerate(ORDER):
            pts = sorted((c["config"]["m"], c["impls"][impl]["median"]) for c in cells
                         if c["impls"].get(impl, {}).get("median"))
            if len(pts) > 1:
                ax.plot(*zip(*pts), marker="o", label=impl, color=f"C{i % 10}",
                        linewidth=2.5 if impl == "specnet" else 1.2)
        ax.set(xscale="log", yscale="log", xlabel="mini-batch size m", ylabel="seconds per epoch (50,000 images)",
               title=f"[784, {h}, 10], sigmoid + quadratic, float32")
        ax.xaxis.set_major_locator(FixedLocator(sizes))  # the sizes measured, written out: 1, 10, 32, 100, 1000
        ax.xaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))  # 0.1, 0.2, 0.5, 1, 2, 5, 10, 20
        ax.yaxis.set_minor_formatter(NullFormatter())
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(StrMethodFormatter("{x:g}"))
        ax.grid(alpha=0.3, which="major")
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.tight_layout()
    fig.legend(handles, names, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize="small",
               title="implementation")
    fig.savefig(path, dpi=110, bbox_inches="tight")  # "tight": the legend outside the panels is kept whole
    plt.close(fig)
    return path


if __name__ == "__main__":  # redraw the figure from the saved numbers, without measuring again
    import json
    here = Path(__file__).resolve().parent
    print(figure(json.loads((here / "results.json").read_text(encoding="utf-8")), here / "epoch_vs_batch.png"))
