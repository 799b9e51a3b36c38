"""The `specnet` command: thin wrappers over the library; user errors are one line and exit code 2.

    $ specnet run specs/ch1_sgd.yaml
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, List, Optional

import typer

# NOTE: the commands import the library inside their bodies, on purpose: `specnet --help` (and a typo's
# one-line error) then loads neither NumPy nor jsonschema, which take a quarter of a second to import.
from specnet.commands.cli_support import Format, Json, Sets, out as _out, train_and_report, user_errors
from specnet.commands.cli_data import init, specs
from specnet.commands.cli_export import export, predict
from specnet.commands.cli_report import report
from specnet.commands.cli_runs import diff, evaluate, runs
from specnet.commands.cli_tools import gradcheck, plot, reproduce, resume
from specnet.commands.cli_sweep import Axes, Seeds, sweep, tune

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False,
                  context_settings={"help_option_names": ["-h", "--help"]},
                  help="Declarative specs for the networks of Nielsen's Neural Networks and Deep Learning."
                       "\n\n\b\nExamples:\n  specnet run specs/ch1_sgd.yaml\n  specnet show specs/ch3_l2.yaml\n"
                       "  specnet validate specs/")


@app.command()
@user_errors
def run(spec: Annotated[Path, typer.Argument(metavar="SPEC", help="The spec file.")], set: Sets = None,
        seed: Annotated[Optional[int], typer.Option(help="Use this seed instead of the spec's.")] = None,
        runs_dir: Annotated[Path, typer.Option(help="Folder for run folders.")] = Path("runs"), json_: Json = False,
        axes: Axes = None, seeds: Seeds = None):
    """Train a spec; record the run; check its `expect` bounds.

    The run folder (never overwritten) holds the resolved spec, metrics.jsonl, the model and run.json;
    an unmet `expect` bound gives exit code 1.

    \b
    Examples:
      specnet run specs/ch1_sgd.yaml
      specnet run specs/ch1_sgd.yaml --set training.epochs=1 --seed 7
      specnet run specs/ch3_l2.yaml --sweep training.optimizer.eta=0.025,0.25,2.5 --seeds 2   (a sweep)
    """
    if axes or seeds is not None:  # a sweep of this spec, as `specnet sweep SPEC --sweep ...` runs it
        return sweep(spec, axes, seeds, (set or []) + ([f"seed={seed}"] if seed is not None else []),
                     runs_dir=runs_dir, json_=json_)
    from specnet.runs.run import run_spec
    from specnet.spec.load import load_spec
    s = load_spec(spec, (set or []) + ([f"seed={seed}"] if seed is not None else []))
    train_and_report(s, lambda *callbacks: run_spec(s, runs_dir, *callbacks), json_, bounds_hint=bool(set))


@app.command()
@user_errors
def validate(paths: Annotated[List[Path], typer.Argument(metavar="PATH...", help="Spec files or folders of them.")],
             format: Annotated[Format, typer.Option(help="text, json, or GitHub annotations.")] = Format.text):
    """Check spec files: schema and semantic checks (for CI).

    Prints every problem of every file; exit code 2 if there is any.

    \b
    Examples:
      specnet validate specs/
      specnet validate specs/ --format github
    """
    from specnet.commands.validate import render, summary, validate_files
    results = validate_files(paths)
    text = render(results, format.value)
    if text:
        typer.echo(text)
    typer.echo(summary(results), err=True)
    raise typer.Exit(2 if any(ps for _, ps in results) else 0)


@app.command()
@user_errors
def show(spec: Annotated[Path, typer.Argument(metavar="SPEC", help="The spec file.")], set: Sets = None, json_: Json = False):
    """The resolved spec, where each value came from, and the layers.

    Layers are listed with their parameter counts (23,860 for [784, 30, 10]).

    \b
    Examples:
      specnet show specs/ch1_sgd.yaml --set network.layers[0].size=100
    """
    from specnet.runs.report import fmt, layer_rows, layer_table, origins_listing
    from specnet.spec.load import load_spec
    s = load_spec(spec, set or [])
    values = origins_listing(s)
    if json_:
        return _out({"resolved": s.resolved, "layers": layer_rows(s), "sha256": s.digest(),
                     "origins": {p: o for p, _, o in values}})
    typer.echo(f"{s.name}: {s.description}\n\n{layer_table(s)}\n")
    width = min(60, max(len(f"{p}: {fmt(v)}") for p, v, _ in values) + 2)
    typer.echo("\n".join(f"{p}: {fmt(v)}".ljust(width) + f"  # {o}" for p, v, o in values))


@app.command()
@user_errors
def schema(out_: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write it to this file (only "
                                                        "over an older specnet schema) instead of printing it.")] = None):
    """Print the JSON Schema that specs follow, or write it for your editor.

    With the file beside your specs, a first line '# yaml-language-server: $schema=spec.schema.json'
    gives completion, hovers and checks in editors that use the YAML language server (VS Code, ...).

    \b
    Examples:
      specnet schema --out spec.schema.json
    """
    from specnet.resources import schema_path, write_schema
    text = schema_path().read_text(encoding="utf-8")
    typer.echo(text, nl=False) if out_ is None else typer.echo(f"Wrote {write_schema(text, out_)}", err=True)


for tool in (evaluate, diff, resume, gradcheck, reproduce, plot, specs, init, sweep, tune, runs, report, export, predict):  # cli_*.py
    app.command()(user_errors(tool))


def _version(value: bool):
    if value:
        from specnet import __version__
        typer.echo(f"specnet {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version.")] = False):
    pass


def _given(args, param):
    """Return the value the user gave for an option, to echo it in an error message."""
    for opt in getattr(param, "opts", None) or ():
        for i, arg in enumerate(args):
            if arg == opt and i + 1 < len(args):
                return args[i + 1]
            if arg.startswith(opt + "="):
                return arg.split("=", 1)[1]
    return None


def _spec_path(message: str, args: list):
    """Return "path=value" if an unknown option looks like a spec path (--training.epochs=3), else None."""
    import re
    option = re.search(r"No such option: --([\w.\[\]]+)", message)
    if option is None:
        return None
    from specnet.spec.schema import key_homes, load_schema
    name = option.group(1)
    homes = key_homes().get(name, [])
    path = name if name.split(".")[0].split("[")[0] in load_schema()["properties"] else homes[0] if len(homes) == 1 else None
    if path is None or "." not in path or "[]" in path:  # --data, --size (network.layers[].size): no one path
        return None
    value = next((a.split("=", 1)[1] if "=" in a else args[i + 1] if i + 1 < len(args) and
                  not args[i + 1].startswith("-") else "VALUE" for i, a in enumerate(args)
                  if a.split("=", 1)[0] == f"--{name}"), "VALUE")
    return f"{path}={value}"


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
        args = sys.argv[1:] if argv is None else [str(a) for a in argv]
        got = _given(args, getattr(e, "param", None))
        message += f". Got {got!r}" if got is not None and got not in message else ""
        takes_set = e.ctx is not None and any(p.name == "set" for p in e.ctx.command.params)
        suggested = _spec_path(message, args) if takes_set else None
        hint = (f" '{where}' reads the files as they are; 'specnet show FILE --set path=value' shows a changed spec."
                if "No such option: --set" in message else
                f" To change a value of the spec, use --set {suggested}." if suggested else "")
        end = "" if message.endswith(("?", "!")) else "."
        typer.echo(f"{where}: {message}{end}{hint} See '{where} --help'.", err=True)
        code = 2
    except typer.Abort:
        typer.echo("Interrupted.", err=True)
        code = 130
    leave(code or 0, argv is None)


def leave(code: int, command_line: bool = True):
    """Exit with `code`. Note that unloading Numba's compiled loops (LLVM) takes 0.2 s at exit, a fifth of a
    run's fixed cost (bench/fixed_cost.py): the command line, once done (every file written and closed),
    ends at once when numba was loaded, leaving nothing the system does not clean up."""
    if command_line and "numba" in sys.modules:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe (specnet ... | head): nothing more to say there
                pass
        os._exit(code)
    sys.exit(code)
