"""What a `specnet run` costs besides its epochs, item by item: python -m bench.fixed_cost [SPEC] [--repeats N]

Each repeat is a fresh Python process that goes through the stages of `specnet run` (specnet.runs.run.run_spec)
with a clock between them: the imports of the command line, the spec read and checked, the data loaded (and
checked by SHA-256), the network and its trainer compiled (which imports numba when the executor may be numba),
the loops' first call (Numba loads its cache: one epoch on 100 images), the training set listed for the loops,
and the first evaluation of the evaluation data. Prints a table of medians; --json prints the numbers.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

from bench.problem import ROOT

STAGES = {
    "python": "Python starting (the interpreter, site-packages' .pth files)",
    "imports": "specnet's command line imported (typer, numpy, pyyaml, jsonschema)",
    "spec": "the spec read and checked (read → schema → checks → resolve)",
    "data": "MNIST loaded and checked by SHA-256 (the verified cache)",
    "compile": "network and trainer compiled (imports numba for executor auto)",
    "loops": "the loops' first call: Numba loads them from its cache",
    "listing": "the training set listed for the loops (its nonzeros)",
    "evaluation": "the first evaluation of the 10,000 evaluation images",
    "exit": "the process ending (as `specnet` ends: specnet.commands.cli.leave)",
}

CHILD = r"""
import json, sys, time
started = time.time()
t0 = time.perf_counter()
stamps = {}
def stamp(name):
    global t0
    t = time.perf_counter(); stamps[name] = t - t0; t0 = t
import specnet.commands.cli
stamp("imports")
from specnet.spec.load import load_spec
spec = load_spec(sys.argv[1])
stamp("spec")
from specnet.training.compiler import build
from specnet.datasets.dataset import load_datasets
source = build("source", spec.data.source)
data = load_datasets(spec, {"training": spec.data.training, "evaluation": spec.data.evaluation}, source)
stamp("data")
from specnet.training.compiler import compile_spec, compile_trainer, generator
net, trainer = compile_spec(spec), compile_trainer(spec)
stamp("compile")
import dataclasses
from specnet.datasets.dataset import Dataset
t = data["training"]
few = Dataset(t.x[:100].copy(), t.y[:100].copy(), t.labels[:100].copy(), "training")
dataclasses.replace(trainer, epochs=1, monitor=()).train(compile_spec(spec), few, generator(spec.seed, "shuffle"))
stamp("loops")
if trainer.executor.name == "numba":
    from specnet.training.epochdata import listed
    listed(t.x)
stamp("listing")
net.measure(trainer.monitor, None, data["evaluation"], len(t))
stamp("evaluation")
print(json.dumps({"stamps": stamps, "executor": trainer.executor.name, "started": started, "ended": time.time()}),
      flush=True)
from specnet.commands.cli import leave
leave(0)  # as `specnet run` ends
"""


def once(spec: str) -> dict:
    """One fresh process; its stages in seconds (the first and the last by the wall clock)."""
    import time
    t0 = time.time()
    out = subprocess.run([sys.executable, "-c", CHILD, spec], cwd=ROOT, capture_output=True, text=True)
    t1 = time.time()
    if out.returncode != 0:  # a bad spec or missing data: the child's last line says why
        raise RuntimeError((out.stderr.strip().splitlines() or ["the child process failed"])[-1][:300])
    reply = json.loads(out.stdout.strip().splitlines()[-1])
    return {"python": reply["started"] - t0, **reply["stamps"], "exit": t1 - reply["ended"], "executor": reply["executor"]}


def measure(spec="specs/ch1_sgd.yaml", repeats=5) -> dict:
    runs = [once(spec) for _ in range(repeats + 1)][1:]  # the first fills the disk's cache and Numba's
    items = {k: statistics.median(r[k] for r in runs) for k in STAGES}
    return {"spec": spec, "executor": runs[0]["executor"], "repeats": repeats, "items": items,
            "total": sum(items.values())}


def table(result: dict) -> str:
    lines = [f"Fixed cost of `specnet run {result['spec']}` (executor {result['executor']}; medians of "
             f"{result['repeats']} fresh processes):", "", "| item | seconds |", "|---|---|"]
    lines += [f"| {STAGES[k]} | {v:.3f} |" for k, v in result["items"].items()]
    lines += [f"| **all of it** | **{result['total']:.3f}** |"]
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.fixed_cost", description=__doc__.split("\n")[0])
    p.add_argument("spec", nargs="?", default="specs/ch1_sgd.yaml")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--json", action="store_true")
    a = p.parse_args(argv)
    try:
        result = measure(a.spec, a.repeats)
    except RuntimeError as e:
        print(f"python -m bench.fixed_cost: {a.spec}: {e}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=1) if a.json else table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
