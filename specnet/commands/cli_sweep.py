"""`specnet sweep`: many variants of one spec (its `sweep:` block, or axes given on the command line),
trained as runs in one folder, on this machine or a Dask cluster. `cli.py` registers it.

    $ specnet sweep sweeps/eta.yaml --jobs 2
    $ specnet sweep specs/ch3_l2.yaml --sweep training.optimizer.eta=0.025,0.25,2.5 --seeds 2
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

# NOTE: the library is imported inside the command's body, on purpose: `specnet --help` loads no NumPy.
from specnet.commands.cli_support import Json, Sets, out

Axes = Annotated[Optional[List[str]], typer.Option(
    "--sweep", metavar="PATH=V1,V2,...", help="An axis of the sweep: a spec path and its values "
                                              "(repeat it for a grid), e.g. training.optimizer.eta=0.025,0.25,2.5")]
def one_engine(jobs: int, dask) -> None:
    """Refuse --jobs with --dask: the cluster's workers are the parallelism."""
    if dask is not None and jobs != 1:
        from specnet.errors import SpecError
        raise SpecError("--jobs and --dask are two engines: give one", file="--jobs", got=jobs,
                        hint="With --dask, the cluster's workers train the points (start more workers for more).")


Seeds = Annotated[Optional[int], typer.Option(min=1, max=100, help="Runs of every point, with seeds seed, seed + 1, ...")]


def sweep(spec: Annotated[Path, typer.Argument(metavar="FILE", help="A spec with a sweep: block (or any spec, "
                                                                  "with --sweep).")],
          axes: Axes = None, seeds: Seeds = None, set: Sets = None,
          jobs: Annotated[int, typer.Option(min=1, help="Points trained at a time on this machine.")] = 1,
          dask: Annotated[Optional[str], typer.Option(metavar="ADDRESS", help="Train on the workers of this "
                                                      "Dask scheduler (tcp://host:8786).")] = None,
          runs_dir: Annotated[Path, typer.Option(help="Folder for the sweep's folder.")] = Path("runs"),
          json_: Json = False):
    """Train every point of a sweep, each a run; train only what is missing when run again.

    Each point's run folder is named by its resolved spec's SHA-256 (runs/<name>/<name>-<hash>): a point
    already trained is kept, one that stopped is resumed, a changed point is a new folder. sweep.json
    lists every point. Exit code 1 if a point failed (the others still ran).

    \b
    Examples:
      specnet sweep sweeps/ch3_eta_lambda --jobs 2
      specnet sweep specs/ch3_l2.yaml --sweep training.optimizer.eta=0.025,0.25,2.5 --seeds 2
      specnet sweep sweeps/ch3_eta_lambda --dask tcp://10.0.0.5:8786
    """
    one_engine(jobs, dask)
    from specnet.spec.load import load_sweep
    from specnet.sweeps.runner import run_sweep
    points = load_sweep(spec, set or [], axes or [], seeds)
    folder = runs_dir / points[0].spec.name
    rows = run_sweep(points, folder, jobs, dask, lambda line: typer.echo(line, err=True))
    failed = [r for r in rows if r.get("status") == "failed"]
    counts = {s: sum(r.get("status") == s for r in rows) for s in ("completed", "diverged", "interrupted", "failed")}
    typer.echo(f"Sweep saved in {folder} (sweep.json): {len(rows)} point{'s' * (len(rows) != 1)}, "
               + ", ".join(f"{n} {s}" for s, n in counts.items() if n), err=json_)
    if json_:
        out({"folder": str(folder), "points": rows})
    raise typer.Exit(1 if failed else 0)


def tune(spec: Annotated[Path, typer.Argument(metavar="SPEC", help="The spec to tune.")], set: Sets = None,
         jobs: Annotated[int, typer.Option(min=1, help="Trials trained at a time on this machine.")] = 1,
         dask: Annotated[Optional[str], typer.Option(metavar="ADDRESS", help="Train the trials on the workers of "
                                                     "this Dask scheduler (tcp://host:8786).")] = None,
         runs_dir: Annotated[Path, typer.Option(help="Folder for the tuning's folder.")] = Path("runs"),
         json_: Json = False):
    """Choose η, the epochs and λ by the book's heuristics (ch. 3), on a quick subset of the data.

    η: the threshold at which the training cost stops falling in the first few epochs (orders of
    magnitude, then halving), halved; the epochs: no improvement in ten; λ: orders of magnitude, then
    refined. Writes the chosen spec (with how each value was found) and tune.md, a table of every trial.
    The spec's `tune:` block sets the subset and the rules (docs/sweeps.md).

    \b
    Examples:
      specnet tune specs/ch3_l2.yaml --jobs 2
    """
    one_engine(jobs, dask)
    from specnet.sweeps.tune import tune as run_tune
    result = run_tune(spec, set or [], runs_dir, jobs, dask, lambda line: typer.echo(line, err=True))
    if json_:
        return out(result)
    typer.echo("Chosen: " + ", ".join(f"{k} = {v:g}" for k, v in result["values"].items()))
    typer.echo(f"Tuned spec written to {result['spec']} (every trial: {result['table']})")
