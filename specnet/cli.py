"""The `specnet` command: thin wrappers over the library; user errors are one line and exit code 2.

    $ specnet run specs/ch1_sgd.yaml
"""
from __future__ import annotations

import functools
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False,
                  help="Declarative specs for the networks of Nielsen's Neural Networks and Deep Learning.")
Sets = Annotated[Optional[List[str]], typer.Option("--set", metavar="PATH=VALUE",
                                                   help="Override a value, e.g. --set training.optimizer.eta=0.5")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for machines instead of text.")]
SplitName = Enum("SplitName", {s: s for s in ("test", "validation", "training")}, type=str)
Format = Enum("Format", {s: s for s in ("text", "json", "github")}, type=str)


def _out(obj):
    typer.echo(json.dumps(obj, indent=2, default=str))


def user_errors(command):
    """Print a SpecError as its lines on stderr and exit with code 2, without a traceback."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from specnet.errors import SpecError
        try:
            return command(*args, **kwargs)
        except SpecError as e:
            typer.echo(str(e), err=True)
            raise typer.Exit(2)
    return wrapper


@app.command()
@user_errors
def run(spec: Annotated[Path, typer.Argument(help="The spec file.")], set: Sets = None,
        seed: Annotated[Optional[int], typer.Option(help="Use this seed instead of the spec's.")] = None,
        runs_dir: Annotated[Path, typer.Option(help="Folder for run folders.")] = Path("runs"), json_: Json = False):
    """Train a spec and record it in a new run folder; check its `expect` bounds (exit 1 if unmet).

    \b
    Examples:
      specnet run specs/ch1_sgd.yaml
      specnet run specs/ch1_sgd.yaml --set training.epochs=1 --seed 7
    """
    from specnet.report import Progress, epoch_line
    from specnet.runs import best, run_spec
    from specnet.spec import load_spec
    s = load_spec(spec, (set or []) + ([f"seed={seed}"] if seed is not None else []))
    bar = Progress(s.training.epochs if s.training else 0)
    typer.echo(f"{s.name}: sizes {s.network.sizes}, seed {s.seed}", err=True)
    r = run_spec(s, runs_dir, on_epoch=lambda row, sec: (bar.clear(), typer.echo(epoch_line(row, sec), err=json_)),
                 on_batch=bar.batch)
    monitored = [m for m in (s.training.monitor if s.training else ()) if "accuracy" in m]
    summary = {m: dict(zip(("best", "epoch"), best(r.history, m))) for m in monitored}
    if json_:
        _out({"run": str(r.folder), "history": r.history, "best": summary, "unmet": r.failures})
    else:
        for m, b in summary.items():
            typer.echo(f"Best {m.replace('_', ' ')}: {100 * b['best']:.2f}% (epoch {b['epoch']})")
        typer.echo(f"Run saved in {r.folder}")
    for failure in r.failures:
        typer.echo(failure, err=True)
    raise typer.Exit(1 if r.failures else 0)


@app.command()
@user_errors
def evaluate(model: Annotated[Path, typer.Argument(help="A run folder, or a model.json / network2 JSON file.")],
             split: Annotated[SplitName, typer.Option(help="The data to evaluate on.")] = SplitName.test,
             json_: Json = False):
    """Print the accuracy and cost of a trained model on one split (the truth table for an inline table).

    \b
    Examples:
      specnet evaluate runs/ch1_sgd-20261123-101500 --split validation
    """
    from specnet.evaluate import evaluate_path
    from specnet.report import outputs_table
    r = evaluate_path(model, split.value)
    data, outputs = r.pop("data"), r.pop("outputs")
    if json_:
        return _out({**r, "outputs": outputs.tolist() if r["inline"] else None})
    if r["inline"]:
        typer.echo(outputs_table(data, outputs))
    typer.echo(f"{split.value}: accuracy {r['correct']} / {r['total']} ({100 * r['accuracy']:.2f}%), "
               f"cost {r['cost']:.6g}")


@app.command()
@user_errors
def diff(a: Annotated[Path, typer.Argument(help="A spec file or a run folder.")],
         b: Annotated[Path, typer.Argument(help="Another spec file or run folder.")], json_: Json = False):
    """Compare two specs or runs: resolved values by section, and for runs metrics and provenance.

    \b
    Examples:
      specnet diff specs/ch1_sgd.yaml specs/ch3_cross_entropy.yaml
      specnet diff runs/ch1_sgd-20261123-101500 runs/ch1_sgd-20261123-103000
    """
    from specnet.diff import compare, load_side
    from specnet.report import diff_text
    result = compare(load_side(a), load_side(b))
    _out(result) if json_ else typer.echo(diff_text(result))


@app.command()
@user_errors
def validate(paths: Annotated[List[Path], typer.Argument(help="Spec files or folders of them.")],
             format: Annotated[Format, typer.Option(help="text, json, or GitHub annotations.")] = Format.text):
    """Check spec files (schema and semantic checks); exit 2 if any has a problem. For CI.

    \b
    Examples:
      specnet validate specs/
      specnet validate specs/ --format github
    """
    from specnet.validate import render, summary, validate_files
    results = validate_files(paths)
    text = render(results, format.value)
    if text:
        typer.echo(text)
    typer.echo(summary(results), err=True)
    raise typer.Exit(2 if any(ps for _, ps in results) else 0)


@app.command()
@user_errors
def show(spec: Annotated[Path, typer.Argument(help="The spec file.")], set: Sets = None, json_: Json = False):
    """Print the resolved spec, where each value came from, and the layers with their parameter counts.

    \b
    Examples:
      specnet show specs/ch1_sgd.yaml --set network.layers[0].size=100
    """
    from specnet.report import fmt, layer_rows, layer_table, origins_listing
    from specnet.spec import load_spec
    s = load_spec(spec, set or [])
    values = origins_listing(s)
    if json_:
        return _out({"resolved": s.resolved, "layers": layer_rows(s), "sha256": s.digest(),
                     "origins": {p: o for p, _, o in values}})
    typer.echo(f"{s.name}: {s.description}\n\n{layer_table(s)}\n")
    width = min(60, max(len(f"{p}: {fmt(v)}") for p, v, _ in values) + 2)
    typer.echo("\n".join(f"{p}: {fmt(v)}".ljust(width) + f"  # {o}" for p, v, o in values))


@app.command()
def schema():
    """Print the JSON Schema of specs (point your editor at schemas/spec.schema.json)."""
    from specnet.schema import SCHEMA_PATH
    typer.echo(SCHEMA_PATH.read_text(encoding="utf-8"), nl=False)


def _version(value: bool):
    if value:
        from specnet import __version__
        typer.echo(f"specnet {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version.")] = False):
    """Declarative specs for the networks of Nielsen's Neural Networks and Deep Learning."""


def main(argv=None) -> int:
    """Entry point: run the app; a bad command-line argument is one line on stderr and exit code 2."""
    try:  # typer >= 0.2x carries its own copy of click
        from typer._click.exceptions import UsageError
    except ImportError:
        from click.exceptions import UsageError
    try:
        code = app(args=argv, prog_name="specnet", standalone_mode=False)
    except UsageError as e:
        if type(e).__name__ == "NoArgsIsHelpError":  # plain `specnet`: show the help
            typer.echo(e.ctx.get_help())
            sys.exit(0)
        where = e.ctx.command_path if e.ctx else "specnet"
        message = e.format_message().replace("Value error, ", "").rstrip(".")
        typer.echo(f"{where}: {message}. See '{where} --help'.", err=True)
        code = 2
    except typer.Abort:
        typer.echo("Interrupted.", err=True)
        code = 130
    sys.exit(code or 0)
