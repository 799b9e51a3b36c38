"""`specnet report`: one self-contained HTML page about runs (specnet.runs.html), a sweep's figure and table
first when given a sweep's folder. `cli.py` registers it on the app.

    $ specnet report runs/ch1_sgd-20261130-101500 -o report.html
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, List

import typer


def report(runs: Annotated[List[Path], typer.Argument(metavar="RUN...", help="Run folders, or a sweep's folder.")],
           out: Annotated[Path, typer.Option("--out", "-o", help="The page to write.")] = Path("report.html")):
    """Write one HTML page about runs, to open in a browser (no network needed).

    Status, resolved spec, provenance and timings; learning curves, runs overlaid and labelled by what
    differs; the confusion matrix, the mistakes the network was surest of (as images) and what each
    hidden neuron looks for; for several runs, what differs and their metrics; for a sweep, its figure.

    \b
    Examples:
      specnet report runs/ch1_sgd-20261130-101500
      specnet report runs/ch3_eta_lambda -o sweep.html
    """
    # NOTE: imported here, on purpose: `specnet --help` loads no NumPy.
    from specnet.runs.html import report as write_report
    from specnet.runs.listing import find_runs
    from specnet.sweeps.figure import is_sweep, sweep_section
    extra, folders, title = "", list(runs), None
    if len(runs) == 1 and is_sweep(runs[0]):  # a sweep's folder: its figure and table, then its runs
        extra, folders, title = sweep_section(runs[0]), find_runs(runs[0]), f"the sweep {runs[0].name}"
    typer.echo(f"Wrote {write_report(folders, out, extra, title)}")
