"""`specnet runs`: every run at a glance, a line per run folder. `cli.py` registers it on the app.

    $ specnet runs runs/ --sort best_evaluation_accuracy --reverse
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

# NOTE: the library is imported inside the command, on purpose: `specnet --help` then loads no NumPy.
from specnet.commands.cli_support import Json, out


def runs(folders: Annotated[Optional[List[Path]], typer.Argument(
             metavar="[FOLDER...]", help="Folders of run folders, looked for 3 levels deep (default: runs).")] = None,
         sort: Annotated[Optional[str], typer.Option(
             metavar="KEY", help="Sort on a column (best_evaluation_accuracy, epochs, wall_seconds, ...) or a spec "
                                 "path; numbers as numbers.")] = None,
         reverse: Annotated[bool, typer.Option("--reverse", help="Sort from the largest value down.")] = False,
         where: Annotated[Optional[List[str]], typer.Option(
             metavar="PATH=VALUE", help="Keep the runs with this value at a resolved-spec path, or this status "
                                        "(repeat: every one must hold).")] = None,
         json_: Json = False):
    """Every run at a glance: status, what varies between the runs, accuracies, epochs and wall time.

    The status is the true one (a run whose process died is 'interrupted'); the columns between spec and
    the accuracies are the resolved-spec values that differ between the runs listed. A folder that cannot
    be read shows as 'damaged', with the reason.

    \b
    Examples:
      specnet runs
      specnet runs runs/ --sort best_evaluation_accuracy --reverse
      specnet runs --where training.optimizer.eta=0.5 --where status=completed --json
    """
    from specnet.runs.listing import as_json, listing, render
    folders = folders or [Path("runs")]
    rows, columns = listing(folders, where or [], sort, reverse)
    if json_:
        return out(as_json(rows, columns))
    if not rows:
        typer.echo(f"No run folders in {', '.join(map(str, folders))}{' match --where' if where else ''}.", err=True)
    else:
        typer.echo(render(rows, columns))
