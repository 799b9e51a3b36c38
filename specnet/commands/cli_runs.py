"""The commands that read runs back: `runs` (every run at a glance, a line per run folder), `evaluate` and
`diff`. `cli.py` registers them on the app.

    $ specnet runs runs/ --sort best_evaluation_accuracy --reverse
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

# NOTE: the library is imported inside the command, on purpose: `specnet --help` then loads no NumPy.
from specnet.commands.cli_support import Json, SplitName, out


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


def evaluate(model: Annotated[Path, typer.Argument(metavar="RUN", help="A run folder, or a model.json / network2 JSON file.")],
             split: Annotated[SplitName, typer.Option(help="The data to evaluate on.")] = SplitName.test,
             checkpoint: Annotated[bool, typer.Option(help="Evaluate the last checkpoint of a run that did "
                                                           "not complete (interrupted or diverged).")] = False,
             json_: Json = False):
    """Accuracy and cost of a trained model on one split.

    For an inline table (a perceptron's truth table, say) it also prints every output.

    \b
    Examples:
      specnet evaluate runs/ch1_sgd-20261123-101500 --split validation
    """
    from specnet.runs.evaluate import evaluate_path
    from specnet.runs.report import outputs_table
    r = evaluate_path(model, split.value, checkpoint)
    data, outputs = r.pop("data"), r.pop("outputs")
    if json_:
        return out({**r, "outputs": outputs.tolist() if r["inline"] else None})
    if r["inline"]:
        typer.echo(outputs_table(data, outputs))
    cost = "" if r["cost"] is None else f", cost {r['cost']:.6g}"
    at = r.get("checkpoint")  # where the checkpoint is: after E epochs and B mini-batches of the next
    at = "" if not at else f" (the checkpoint after {at['epochs']} epochs" + (
        f" and {at['batches']} mini-batches)" if at["batches"] else ")")
    typer.echo(f"{split.value}: accuracy {r['correct']} / {r['total']} ({100 * r['accuracy']:.2f}%){cost}{at}")


def diff(paths: Annotated[List[Path], typer.Argument(metavar="A B [C...]",
                                                     help="Spec files or run folders (two or more).")], json_: Json = False):
    """Compare specs or runs.

    Resolved values by section (stating a default is no difference); for two runs also the metrics
    (final and best) and the provenance. Three or more: a table, a column per spec or run.

    \b
    Examples:
      specnet diff specs/ch1_sgd.yaml specs/ch3_cross_entropy.yaml
      specnet diff runs/ch1_sgd-20261123-101500 runs/ch1_sgd-20261123-103000
      specnet diff runs/ch3_l2-*        (three or more: a table)
    """
    from specnet.runs.folder import load_sides
    from specnet.runs.report import compared
    result, text = compared(load_sides(paths))
    out(result) if json_ else typer.echo(text)
