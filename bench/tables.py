"""python -m bench.tables: specnet's CSV examples against scikit-learn's MLPClassifier, test accuracy.

    python -m bench.tables                    # both example specs, seeds 0-9, writes bench/TABLES.md
    python -m bench.tables --seeds 3 --out /tmp/t.md
    python -m bench.tables --spec specs/examples/iris.yaml

For each spec and seed s, three models are trained on the same training rows and scored on the same test
rows (the spec's split, as specnet's CSVSource.load makes it; the validation rows are used by none of them):

  specnet          the spec with seed=s, run by specnet.run_spec into a temporary runs folder; its final
                   epoch's model is scored by specnet.runs.evaluate.evaluate_path(run folder, "test").
  sklearn matched  MLPClassifier with the spec's recipe: the same hidden layer sizes and activation
                   (logistic for sigmoid), solver="sgd" with a constant learning rate eta, the same
                   mini-batch size, max_iter = epochs (and n_iter_no_change = epochs, so that it runs all of
                   them), momentum mu (0: plain SGD), alpha from the spec's L2 (0 without it),
                   random_state=s; inputs standardized by a StandardScaler fitted on the training rows.
  sklearn default  MLPClassifier(random_state=s): adam, relu, 100 hidden units, alpha 1e-4, up to 200
                   epochs; what a user tries first. The same standardized inputs.

It prints and writes (bench/TABLES.md) the mean ± sample standard deviation, min and max of the test
accuracy over the seeds, and the mean wall time of one fit. scikit-learn's ConvergenceWarning is kept out
of the output and counted in TABLES.md. Without scikit-learn it says so in one line and exits with 2.
"""
from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SPECS = ("specs/examples/iris.yaml", "specs/examples/breast_cancer.yaml")
METHODS = ("specnet", "sklearn matched", "sklearn default")
SKLEARN_ACTIVATION = {"sigmoid": "logistic", "tanh": "tanh", "relu": "relu", "identity": "identity",
                      "linear": "identity"}


class Parser(argparse.ArgumentParser):
    def error(self, message):
        """A bad argument: one line, exit code 2."""
        self.exit(2, f"{self.prog}: {message}. See '{self.prog} --help'.\n")


@dataclass
class Result:
    """One method on one table: per seed, the test accuracy, the fit's wall time and epochs run."""
    accuracy: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    epochs: list = field(default_factory=list)
    convergence_warnings: int = 0


@dataclass
class Table:
    spec_path: str
    spec: object
    sizes: dict          # split -> rows
    classes: list
    matched: dict        # the MLPClassifier arguments of "sklearn matched"
    notes: list
    results: dict = field(default_factory=lambda: {m: Result() for m in METHODS})


def matched_arguments(spec, n_train: int) -> tuple[dict, list]:
    """Return MLPClassifier's arguments for the spec's recipe (without random_state), and notes on what differs."""
    t, net = spec.training, spec.network
    hidden = net.layers[:-1]
    acts = {la.activation for la in hidden}
    if len(acts) != 1 or next(iter(acts)) not in SKLEARN_ACTIVATION:
        raise SystemExit(f"{spec.file}: MLPClassifier needs one hidden activation of {sorted(SKLEARN_ACTIVATION)}; "
                         f"this spec has {sorted(acts)}")
    if t.optimizer.type != "sgd" or t.schedule.type != "constant" or t.early_stopping:
        raise SystemExit(f"{spec.file}: only plain or momentum SGD with a constant eta and no early stopping "
                         "has a matching MLPClassifier here")
    if t.regularization.type not in ("none", "l2"):
        raise SystemExit(f"{spec.file}: MLPClassifier has no {t.regularization.type} regularization")
    if any(la.dropout for la in net.layers):
        raise SystemExit(f"{spec.file}: MLPClassifier has no dropout")
    m = t.mini_batch_size
    lmbda = t.regularization.params.get("lambda", 0.0) if t.regularization.type == "l2" else 0.0
    mu = t.optimizer.params.get("mu", 0.0)
    args = dict(hidden_layer_sizes=tuple(la.size for la in hidden), activation=SKLEARN_ACTIVATION[next(iter(acts))],
                solver="sgd", learning_rate="constant", learning_rate_init=t.optimizer.params["eta"],
                batch_size=m, max_iter=t.epochs, n_iter_no_change=t.epochs, momentum=mu,
                nesterovs_momentum=False, alpha=lmbda * m / n_train, shuffle=t.shuffle, early_stopping=False)
    out = net.layers[-1]
    notes = [f"specnet: output {out.size} × {out.activation}, cost {net.cost}, initial weights "
             f"{net.init.type}, {net.dtype}; scikit-learn: "
             + ("one logistic output unit with the binary log-loss (it uses one unit for two classes)"
                if len(spec_classes(spec)) == 2 else "softmax output with the log-loss")
             + ", Glorot-uniform initial weights, float64. The mini-batch orders come from different generators."]
    if lmbda:
        notes.append(f"L2: specnet's λ = {lmbda} (decay ηλ/n per step, n = {n_train}) is MLPClassifier's "
                     f"alpha = λ·m/n = {lmbda * m / n_train:g} (its decay is η·alpha/m per step).")
    return args, notes


def spec_classes(spec) -> list:
    from specnet.training.compiler import build

    return build("source", spec.data.source).class_names(spec.base)


def rows_of(spec) -> dict:
    """Return {split: (x, y)} exactly as specnet's CSV source splits the table."""
    from specnet.training.compiler import build

    source = build("source", spec.data.source)
    if spec.data.source.type != "csv" or spec.data.training.take is not None or spec.data.training.digits:
        raise SystemExit(f"{spec.file}: bench.tables takes specs with a CSV source and the whole training split")
    if spec.data.scale != "standardize":
        raise SystemExit(f"{spec.file}: bench.tables compares with StandardScaler: the spec needs data.scale: standardize")
    return source.load(spec.base, ("training", "validation", "test"))


def fit_sklearn(make, x_train, y_train, x_test, y_test, result: Result):
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        t0 = time.perf_counter()
        model = make().fit(x_train, y_train)
        result.seconds.append(time.perf_counter() - t0)
    others = [w for w in caught if not issubclass(w.category, ConvergenceWarning)]
    for w in others:  # anything else is shown as usual
        warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    result.convergence_warnings += len(caught) - len(others)
    result.accuracy.append(float(np.mean(model.predict(x_test) == y_test)))
    result.epochs.append(int(model.n_iter_))


def measure(spec_path: str, seeds: int, runs_dir: Path) -> Table:
    import specnet
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler
    from specnet.runs.evaluate import evaluate_path

    spec = specnet.load_spec(ROOT / spec_path)
    rows = rows_of(spec)
    (x_train, y_train), (x_test, y_test) = rows["training"], rows["test"]
    scaler = StandardScaler().fit(x_train)
    xs_train, xs_test = scaler.transform(x_train), scaler.transform(x_test)
    matched, notes = matched_arguments(spec, len(x_train))
    table = Table(spec_path, spec, {s: len(y) for s, (_, y) in rows.items()}, spec_classes(spec), matched, notes)
    r = table.results
    for seed in range(seeds):
        spec = specnet.load_spec(ROOT / spec_path, [f"seed={seed}"])
        t0 = time.perf_counter()
        run = specnet.run_spec(spec, runs_dir)
        r["specnet"].seconds.append(time.perf_counter() - t0)
        r["specnet"].epochs.append(len(run.history))
        test = evaluate_path(run.folder, "test")
        # The same rows, scaled the same way, or the comparison means nothing: check it rather than trust it.
        if not np.array_equal(test["data"].labels, y_test):
            raise SystemExit(f"{spec_path}: specnet's test labels differ from CSVSource.load's test rows")
        if not np.allclose(test["data"].x, xs_test, rtol=1e-5, atol=1e-5):
            worst = float(np.abs(test["data"].x - xs_test).max())
            raise SystemExit(f"{spec_path}: specnet's scaled test inputs differ from StandardScaler's by up to {worst:g}")
        r["specnet"].accuracy.append(test["accuracy"])
        fit_sklearn(lambda: MLPClassifier(**matched, random_state=seed), xs_train, y_train, xs_test, y_test,
                    r["sklearn matched"])
        fit_sklearn(lambda: MLPClassifier(random_state=seed), xs_train, y_train, xs_test, y_test, r["sklearn default"])
        print(f"  {Path(spec_path).stem} seed {seed}: " + ", ".join(
            f"{m} {r[m].accuracy[-1]:.2%}" for m in METHODS), flush=True)
    return table


def summary(res: Result) -> dict:
    a = [100 * x for x in res.accuracy]
    return {"mean": statistics.mean(a), "sd": statistics.stdev(a) if len(a) > 1 else 0.0, "min": min(a),
            "max": max(a), "seconds": statistics.mean(res.seconds), "epochs": statistics.mean(res.epochs)}


def machine() -> dict:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        cpu = next(x.split(":", 1)[1].strip() for x in out.splitlines() if x.strip().startswith("Model name"))
    except (OSError, subprocess.CalledProcessError, StopIteration):
        cpu = platform.processor() or "unknown"
    versions = {"python": platform.python_version()}
    for package in ("specnet", "numpy", "scikit-learn", "scipy", "threadpoolctl"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "not installed"
    git = lambda *a: subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    commit = git("rev-parse", "--short", "HEAD") + (" (specnet/ modified)" if git("status", "--porcelain", "specnet") else "")
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"
    return {"cpu": cpu, "cpus": os.cpu_count(), "load": load, "platform": platform.platform(), "versions": versions,
            "commit": commit, "threads": {k: v for k, v in os.environ.items() if k.endswith("_NUM_THREADS")}}


def table_rows(table: Table) -> list:
    lines = ["| method | test accuracy, mean ± sd | min – max | epochs run | seconds per fit |", "|---|---|---|---|---|"]
    for m in METHODS:
        s = summary(table.results[m])
        lines.append(f"| {m} | {s['mean']:.2f} ± {s['sd']:.2f} % | {s['min']:.2f} – {s['max']:.2f} % "
                     f"| {s['epochs']:g} | {s['seconds']:.3f} |")
    return lines


def paired(table: Table, other: str) -> str:
    d = [100 * (a - b) for a, b in zip(table.results["specnet"].accuracy, table.results[other].accuracy)]
    sd = statistics.stdev(d) if len(d) > 1 else 0.0
    wins = sum(x > 0 for x in d), sum(x == 0 for x in d), sum(x < 0 for x in d)
    return (f"specnet − {other}, seed by seed: {statistics.mean(d):+.2f} points on average (sd {sd:.2f}); "
            f"specnet higher / equal / lower on {wins[0]} / {wins[1]} / {wins[2]} seeds")


def markdown(tables: list, seeds: int, command: str, started: str, total: float, info: dict) -> str:
    out = ["# specnet's CSV examples against scikit-learn's MLPClassifier", "",
           "Generated by `bench/tables.py`: **rerun the command rather than edit this file.**", "",
           f"- date: {started}", f"- command: `{command}` ({total:.0f} s in all)",
           f"- machine: {info['cpu']}, {info['cpus']} logical CPUs, {info['platform']}; load average "
           f"(1 / 5 / 15 min) {info['load']} at the start"
           + (f"; thread settings {info['threads']}" if info["threads"] else ""),
           "- versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()) + f"; git {info['commit']}",
           f"- seeds 0–{seeds - 1}: each method is trained once per seed; accuracy is on the TEST split, of the "
           "model after the last epoch (no model picked by its test or validation score).", "",
           "Every method trains on the same training rows and is scored on the same test rows: the spec's split, "
           "taken from specnet's own `CSVSource.load` (the validation rows are used by none of them); "
           "scikit-learn's inputs are standardized by a `StandardScaler` fitted on the training rows, and the run "
           "checks that specnet's scaled test inputs and labels (from `evaluate_path`) equal them. "
           "sd is the sample standard deviation over the seeds. *seconds per fit*: for specnet the whole "
           "`run_spec` call (reading the CSV, training with the spec's per-epoch monitoring, writing the run "
           "folder), for scikit-learn `fit` alone on arrays already in memory; small numbers on a shared "
           "machine, a rough guide only.", ""]
    for t in tables:
        spec, tr = t.spec, t.spec.training
        s = t.sizes
        out += [f"## {Path(t.spec_path).stem} (`{t.spec_path}`)", "",
                f"{s['training'] + s['validation'] + s['test']} rows: {s['training']} training, {s['validation']} "
                f"validation (unused here), {s['test']} test (one test row is {100 / s['test']:.2f} points); "
                f"classes {t.classes}. Network {spec.network.sizes}, "
                f"{' / '.join(la.activation for la in spec.network.layers)}, cost {spec.network.cost}; "
                f"SGD η = {tr.optimizer.params['eta']}, μ = {tr.optimizer.params.get('mu', 0.0)}, "
                f"mini-batch {tr.mini_batch_size}, {tr.epochs} epochs, regularization {tr.regularization.type}.", ""]
        out += table_rows(t) + [""]
        out += [f"- {paired(t, 'sklearn matched')}.", f"- {paired(t, 'sklearn default')}."]
        out += ["- sklearn matched: `MLPClassifier(" + ", ".join(f"{k}={v!r}" for k, v in t.matched.items())
                + ", random_state=seed)`."]
        out += [f"- {n}" for n in t.notes]
        for m in ("sklearn matched", "sklearn default"):
            k = t.results[m].convergence_warnings
            why = {"sklearn matched": "by construction: it is meant to run all the spec's epochs",
                   "sklearn default": "it ran all 200 epochs"}[m]
            out.append(f"- {m}: ConvergenceWarning raised in {k} of {seeds} fits" + (
                " (scikit-learn raises it whenever a fit reaches max_iter before its stopping rule, training loss "
                f"not lower by tol for n_iter_no_change epochs, ends it; {why}). Kept out of the output"
                if k else "") + ".")
        out += ["", "Test accuracy per seed (%):", "",
                "| seed | " + " | ".join(METHODS) + " |", "|---|" + "---|" * len(METHODS)]
        for i in range(seeds):
            out.append(f"| {i} | " + " | ".join(f"{100 * t.results[m].accuracy[i]:.2f}" for m in METHODS) + " |")
        out.append("")
    return "\n".join(out)


def main(argv=None) -> int:
    parser = Parser(prog="python -m bench.tables", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1 (default 10)")
    parser.add_argument("--spec", action="append", help=f"a spec to measure (repeatable; default {', '.join(SPECS)})")
    parser.add_argument("--out", default=str(ROOT / "bench" / "TABLES.md"), help="the Markdown file to write")
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error("--seeds must be at least 1")
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("python -m bench.tables: scikit-learn is not installed (pip install scikit-learn); nothing measured.",
              file=sys.stderr)
        return 2
    command = "python -m bench.tables" + "".join(" " + shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    info, t0 = machine(), time.perf_counter()
    tables = []
    with tempfile.TemporaryDirectory(prefix="specnet-tables-") as runs_dir:
        for spec_path in args.spec or SPECS:
            print(f"{spec_path}: {args.seeds} seeds", flush=True)
            tables.append(measure(spec_path, args.seeds, Path(runs_dir)))
    total = time.perf_counter() - t0
    for t in tables:
        print(f"\n{Path(t.spec_path).stem}: test accuracy over seeds 0-{args.seeds - 1} ({t.sizes['test']} test rows)")
        print("\n".join(table_rows(t)))
        for m in ("sklearn matched", "sklearn default"):
            print(f"{paired(t, m)}; ConvergenceWarning in {t.results[m].convergence_warnings} fits of {m}")
    Path(args.out).write_text(markdown(tables, args.seeds, command, started, total, info), encoding="utf-8")
    print(f"\nWritten: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
