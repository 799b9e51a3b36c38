"""python -m bench: time one SGD epoch of the book's networks in specnet and its peers; write RESULTS.md.

    python -m bench                      # the whole benchmark (about 20 minutes on 2 cores)
    python -m bench --quick              # a minute: two configurations, one repeat, into bench/out/
    python -m bench --impl specnet --impl jax --batch 10 --hidden 30 --dtype float32
    python -m bench --data fashion --data dense   # other data: Fashion-MNIST, MNIST without zeros

See bench/README.md for what is measured and how to read it.
"""
from __future__ import annotations

import argparse
import itertools
import json
import shlex
import statistics
import sys
import tempfile
from pathlib import Path

from bench import fixed_cost
from bench.coordinator import Worker, time_config, whole_commands
from bench.impls import IMPLS
from bench.problem import DATA, FULL, HEADLINE, ROOT, Config, missing
from bench.report import figure, machine, markdown



class Parser(argparse.ArgumentParser):
    def error(self, message):
        """A bad argument: one line, exit code 2 (argparse would print the whole usage first)."""
        self.exit(2, f"{self.prog}: {message}. See '{self.prog} --help'.\n")


def positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def grid(a) -> list:
    return [Config(hidden=h, cost=c, m=m, dtype=d, data=data) for data, h, c, m, d in
            itertools.product(a.data, a.hidden, a.cost, a.batch, a.dtype)]


def main(argv=None) -> int:
    p = Parser(prog="python -m bench", description=__doc__.split("\n")[0])
    p.add_argument("--impl", action="append", choices=list(IMPLS), help="implementations (default: all installed)")
    p.add_argument("--hidden", type=positive, action="append", help="hidden widths (default 30 and 100)")
    p.add_argument("--cost", action="append", choices=["quadratic", "cross_entropy"], help="default: both")
    p.add_argument("--batch", type=positive, action="append", help="mini-batch sizes (default 1, 10, 32, 100, 1000)")
    p.add_argument("--dtype", action="append", choices=["float32", "float64"], help="default: both")
    p.add_argument("--data", action="append", choices=list(DATA),
                   help="training data (default mnist; fashion: Debian's dataset-fashion-mnist; dense: MNIST as 0.05 + 0.9x)")
    p.add_argument("--repeats", type=positive, default=None, help="timed epochs per implementation (default 3)")
    p.add_argument("--no-scaling", action="store_true", help="skip the training-set size and width scans")
    p.add_argument("--quick", action="store_true", help="a check that the benchmark works, not a measurement")
    p.add_argument("--out", type=Path, help="default bench/RESULTS.md (--quick: bench/out/QUICK.md)")
    a = p.parse_args(argv)
    if a.quick:
        a.hidden, a.cost, a.batch, a.dtype = a.hidden or [30], a.cost or ["quadratic"], a.batch or [10, 100], a.dtype or ["float32"]
    a.hidden, a.cost = a.hidden or [30, 100], a.cost or ["quadratic", "cross_entropy"]
    a.batch, a.dtype = a.batch or [1, 10, 32, 100, 1000], a.dtype or ["float32", "float64"]
    a.data = list(dict.fromkeys(a.data or ["mnist"]))
    repeats = a.repeats or (1 if a.quick else 3)
    out = a.out or ROOT / "bench" / ("out/QUICK.md" if a.quick else "RESULTS.md")
    say = lambda text: print(text, file=sys.stderr, flush=True)
    command = "python -m bench " + shlex.join(sys.argv[1:] if argv is None else argv)
    skipped_data = {d: missing(d) for d in a.data if missing(d)}
    for line in skipped_data.values():
        say(line)
    a.data = [d for d in a.data if d not in skipped_data]
    if not a.data:
        return 2  # nothing left to time

    workers = {name: Worker(name) for name in (a.impl or IMPLS)}
    for w in workers.values():
        if not w.ready:
            say(f"{w.name}: not installed ({w.missing}); skipped. pip install -e \".[bench]\" installs the peers.")
    if "specnet" not in workers or not workers["specnet"].ready:
        say("the specnet implementation is needed as the reference of every ratio")
        return 2
    results = {"command": command, "repeats": repeats, "machine": machine(), "configs": [],
               "skipped": {w.name: w.missing for w in workers.values() if not w.ready}, "skipped_data": skipped_data}
    try:
        say("matmul peak (1024 x 1024 product) ...")
        results["peak_gflops"] = workers["specnet"].ask("peak")
        configs = grid(a)
        configs = [HEADLINE] + [c for c in configs if c != HEADLINE] if HEADLINE in configs else configs
        for i, c in enumerate(configs):
            say(f"[{i + 1}/{len(configs)}] {c.label()}")
            results["configs"].append({"config": c.as_dict(), "label": c.label(), "headline": c == HEADLINE,
                                       "impls": time_config(workers, c, repeats, say, headline=c == HEADLINE)})
            if c == HEADLINE:
                results["evaluate_ms"] = workers["specnet"].ask("evaluate")["ms"]
        if not a.no_scaling and not a.quick:
            only = {"specnet": workers["specnet"]}
            results["scaling_images"] = []
            for n in (1_000, 2_000, 5_000, 10_000, 20_000, FULL):
                say(f"scaling: {n:,} training images")
                c = Config(hidden=30, m=10, dtype="float32", images=n)
                r = time_config(only, c, repeats, say, headline=True)["specnet"]
                results["scaling_images"].append({"images": n, "seconds": statistics.median(r["times"])})
            results["scaling_width"] = []
            for h in (30, 100, 300, 1000):
                say(f"scaling: {h} hidden neurons, m = 100")
                c = Config(hidden=h, m=100, dtype="float32")
                r = time_config(only, c, repeats, say)["specnet"]
                results["scaling_width"].append({"hidden": h, "seconds": r["median"], "gflops": c.flops() / r["median"] / 1e9})
        results["max_rss_mb"] = {n: w.ask("rss")["max_rss_mb"] for n, w in workers.items() if w.ready}
    finally:
        for w in workers.values():
            w.close()
    if not a.quick:
        say("whole commands: specnet run specs/ch1_sgd.yaml, --help, validate ...")
        with tempfile.TemporaryDirectory() as runs:
            results["commands"] = whole_commands(repeats, runs)
        say("the fixed cost of a run, item by item ...")
        try:
            results["fixed_cost"] = fixed_cost.measure(repeats=max(3, repeats))
        except Exception as e:  # noqa: BLE001 (said in the results; the run's other figures are kept)
            results["fixed_cost_error"] = f"{type(e).__name__}: {e}"
            say(f"the fixed cost could not be measured: {results['fixed_cost_error']}")
    out.parent.mkdir(parents=True, exist_ok=True)
    picture = figure(results, out.with_name(out.stem.lower().replace("results", "epoch_vs_batch") + ".png"))
    out.write_text(markdown(results, picture, quick=a.quick), encoding="utf-8")
    raw = out.with_name(out.stem.lower() + ".json")
    raw.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(out.read_text(encoding="utf-8"))
    say(f"wrote {out}, {raw}" + (f" and {picture}" if picture else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
