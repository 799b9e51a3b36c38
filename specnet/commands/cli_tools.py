"""The commands beyond the core ones: resume, and the book-level gradcheck, reproduce and plot. `cli.py`
registers them on the app.

    $ specnet gradcheck specs/ch3_l2.yaml
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

# NOTE: the commands import the library inside their bodies, on purpose: `specnet --help` (and a typo's
# one-line error) then loads neither NumPy nor jsonschema, which take a quarter of a second to import.
from specnet.commands.cli_support import Json, Sets, out, train_and_report


def resume(run: Annotated[Path, typer.Argument(metavar="RUN", help="A run folder that did not complete.")],
           force: Annotated[bool, typer.Option("--force", help="Go on although its data or specnet's version "
                                                               "changed (run.json records the change).")] = False,
           json_: Json = False):
    """Go on with a run that stopped before it completed, from its last checkpoint.

    A run writes a checkpoint after every epoch. Resumed, the run folder ends as the run that never
    stopped would have: the same metrics.jsonl and model, bit for bit. Exit codes as for run.

    \b
    Examples:
      specnet resume runs/ch1_sgd-20261130-101500
    """
    from specnet.runs.resume import prepare_resume
    resumption = prepare_resume(run, force)  # every problem said before the first line of the run is printed
    train_and_report(resumption.run.spec, resumption.go, json_, ", resumed")


def gradcheck(spec: Annotated[Path, typer.Argument(metavar="SPEC", help="The spec file.")], set: Sets = None,
              examples: Annotated[int, typer.Option(min=1, help="Training examples in the cost.")] = 10,
              samples: Annotated[int, typer.Option(min=1, help="Entries checked per weight or bias array.")] = 50,
              json_: Json = False):
    """Check the compiled network's gradients against finite differences.

    Per layer: the relative error |g - n| / (|g| + |n|) over the weights and biases checked (the verdict:
    at most 1e-6), and the worst single entry. Exit code 1 if a layer fails.

    \b
    Examples:
      specnet gradcheck specs/ch3_cross_entropy.yaml
      specnet gradcheck specs/ch1_sgd.yaml --set network.layers[0].activation=tanh --samples 200
    """
    from specnet.training.gradcheck import TOLERANCE, gradcheck as check
    from specnet.spec.load import load_spec
    s = load_spec(spec, set or [])
    report = check(s, examples, samples)
    if json_:
        out(report)
    else:
        left_out = [w for w, on in (("regularization", s.training and s.training.regularization.type != "none"),
                                    ("dropout", any(la.dropout for la in s.network.layers))) if on]
        typer.echo(f"{'layer':<7}{'size':>6}  {'weights':>10} {'worst entry':>12}  {'biases':>10} {'worst entry':>12}")
        for r in report:
            typer.echo(f"{r['layer']:<7}{r['size']:>6}  {r['weights']:>10.2e} {r['weights_worst_entry']:>12.2e}  "
                       f"{r['biases']:>10.2e} {r['biases_worst_entry']:>12.2e}  {'ok' if r['ok'] else 'FAILED'}")
        typer.echo(f"{sum(r['ok'] for r in report)} of {len(report)} layers within {TOLERANCE:g} (the verdict is "
                   f"on the whole array; a single entry's error can be larger where its gradient is tiny).")
        if left_out:
            typer.echo(f"Checked: the cost C_0's backpropagation; this spec's {' and '.join(left_out)} is not part "
                       "of the check.")
    raise typer.Exit(0 if all(r["ok"] for r in report) else 1)


def reproduce(specs: Annotated[Optional[List[Path]], typer.Argument(
                  metavar="SPECS...", help="Spec files or folders (default: ./specs, else the shipped specs); only specs with a book section run.")] = None,
              seeds: Annotated[int, typer.Option(min=1, help="Seeds per spec: its own and the next ones.")] = 1,
              jobs: Annotated[int, typer.Option(min=1, help="Runs at a time, each in its own process.")] = 1,
              out: Annotated[Optional[Path], typer.Option(
                  help="The report to write. Default: REPRODUCTION.md when no SPECS are named, else a new "
                       "report-<time>/REPRODUCTION.md in --runs-dir (a partial report never replaces the full one).")] = None,
              runs_dir: Annotated[Path, typer.Option(help="Folder for the run folders.")] = Path("runs/reproduce"),
              resume: Annotated[bool, typer.Option(help="Reuse runs of the same spec and seed already completed "
                                                        "in --runs-dir (e.g. after an interruption).")] = False,
              dask: Annotated[Optional[str], typer.Option(metavar="ADDRESS", help="Run on the workers of this Dask "
                                                          "scheduler; --runs-dir must be a folder they share.")] = None):
    """Run the specs that reproduce the book and write REPRODUCTION.md.

    For every result: the book's figure, specnet's mean and spread over the seeds, pass or fail against the
    spec's `expect` bounds, and the wall time. Exit code 1 if a run missed a bound.

    \b
    Examples:
      specnet reproduce --seeds 3 --jobs 2
      specnet reproduce specs/ch3_l2.yaml --seeds 5     # report: runs/reproduce/report-<time>/REPRODUCTION.md
      specnet reproduce --seeds 3 --jobs 2 --resume     # after an interruption, or to redo the report
    """
    from specnet.commands.reproduce import main_command
    out = out or (None if specs else Path("REPRODUCTION.md"))  # None: a new report in runs_dir
    if not specs:  # the checkout's specs/, else (an installed specnet elsewhere) the shipped ones
        from specnet.resources import specs_dir
        specs = [Path("specs") if Path("specs").is_dir() else specs_dir()]
    raise typer.Exit(main_command(specs, seeds, jobs, out, runs_dir, resume, dask))


def plot(runs: Annotated[List[Path], typer.Argument(metavar="RUN...", help="Run folders to draw, overlaid.")],
         metric: Annotated[Optional[List[str]], typer.Option(
             help="A panel: a metric, or two joined by + to share it (repeat for more panels). "
                  "Default: every metric the first run monitored. 'eta' draws the learning rate.")] = None,
         from_epoch: Annotated[int, typer.Option(min=0, help="Leave out the epochs before this one.")] = 0,
         title: Annotated[Optional[str], typer.Option(help="A title above the panels.")] = None,
         out: Annotated[Path, typer.Option(help="The picture to write (.png, .svg or .pdf).")] = Path("plot.png")):
    """Draw learning curves like the book's figures (needs matplotlib: pip install -e ".[plot]").

    \b
    Examples:
      specnet plot runs/ch3_overfitting-* --metric evaluation_accuracy+training_accuracy --out gap.png
      specnet plot runs/ch3_eta_* --metric training_cost --out eta.png
      specnet plot runs/ch3_eta_lambda --out sweep.png     (a sweep: final accuracy against the swept value)
    """
    from specnet.runs.plot import plot_runs
    from specnet.runs.folder import load_run
    from specnet.sweeps.figure import is_sweep, plot_sweep
    if len(runs) == 1 and is_sweep(runs[0]):  # a sweep's folder: the metric at the end against the swept value
        return typer.echo(f"Wrote {plot_sweep(runs[0], (metric or ['evaluation_accuracy'])[0], out, title=title)}")
    loaded = [load_run(r) for r in runs]
    panels = metric or list(loaded[0].spec.training.monitor if loaded[0].spec.training else ["evaluation_accuracy"])
    typer.echo(f"Wrote {plot_runs(loaded, panels, out, from_epoch, title)}")
