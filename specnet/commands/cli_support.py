"""What the commands share: option types, JSON output, and turning a SpecError into one line and exit code 2."""
from __future__ import annotations

import functools
from enum import Enum
from typing import Annotated, List, Optional

import typer

# NOTE: specnet's modules are imported inside the functions, on purpose: `specnet --help` loads this module,
# and NumPy (strictjson) or even the error classes are needed only when a command runs or fails.
Sets = Annotated[Optional[List[str]], typer.Option("--set", metavar="PATH=VALUE",
                                                   help="Override a value, e.g. --set training.optimizer.eta=0.5")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for machines instead of text.")]
SplitName = Enum("SplitName", {s: s for s in ("test", "validation", "training")}, type=str)
Format = Enum("Format", {s: s for s in ("text", "json", "github")}, type=str)


def out(obj):
    """Print `obj` as indented, strict JSON on stdout (no NaN: see specnet.runs.strictjson)."""
    from specnet.runs.strictjson import dumps
    typer.echo(dumps(obj, indent=2))


def user_errors(command):
    """Print a SpecError as its lines on stderr and exit with code 2, without a traceback. So is a path that
    the system refuses (a name over 255 bytes, a NUL character) wherever it is used."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from specnet.errors import SpecError
        try:
            return command(*args, **kwargs)
        except SpecError as e:
            typer.echo(str(e), err=True)
        except OSError as e:
            if e.filename is None:
                raise
            typer.echo(str(bad_path(e.filename, e.strerror or str(e))), err=True)
        except ValueError as e:
            if "null byte" not in str(e):
                raise
            named = [a for a in _values(args, kwargs) if "\0" in str(a)]
            typer.echo(str(bad_path(named[0] if named else None, "a file name cannot hold a NUL character")), err=True)
        raise typer.Exit(2)
    return wrapper


def _values(args, kwargs) -> list:
    """Return the command's arguments, a list argument's items among them."""
    return [x for v in (*args, *kwargs.values()) for x in (v if isinstance(v, (list, tuple)) else [v])]


def bad_path(path, problem: str):
    """Return the one-line error for a path that cannot be used: `problem`, and the path cut to 200 characters."""
    from specnet.errors import SpecError, cut
    return SpecError(f"cannot use this path: {problem}", file=None if path is None else cut(path),
                     hint="Check the path (and the paths in the spec).")


def train_and_report(spec, start, json_: bool, note: str = "", bounds_hint: bool = False):
    """Print the run's first line, train with `start(on_epoch, on_batch, stop)` (run_spec or resume_run)
    under SIGINT/SIGTERM handlers, print the summary and exit: 0, 1 for an unmet `expect` bound, 3 for a run
    that diverged, or 130/143 for a run stopped by a signal (with one line saying how to resume it)."""
    from specnet.runs.interrupt import Interrupted, Signals
    from specnet.runs.report import Progress, header, run_summary
    from specnet.training.trainer import Diverged
    bar = Progress(spec.training.epochs if spec.training else 0)
    typer.echo(header(spec) + note, err=json_)
    try:
        with Signals() as signals:
            r = start(lambda row, sec: typer.echo(bar.line(row, sec), err=json_), bar.batch, signals.check)
    except (Interrupted, Diverged, KeyboardInterrupt) as e:  # with --json, what a program needs on stdout
        folder = getattr(e, "folder", None)  # None: stopped before the run folder was made
        if json_ and folder is not None:
            out({"folder": str(folder), "status": "diverged" if isinstance(e, Diverged) else "interrupted",
                 **({"diverged": {"epoch": e.epoch, "why": e.why}} if isinstance(e, Diverged) else {})})
        _stopped(spec, e, json_)
    summary = run_summary(r)
    out(summary["json"]) if json_ else typer.echo(summary["text"])
    for failure in r.failures:
        typer.echo(failure, err=True)
    if r.failures and bounds_hint:
        typer.echo("(The bounds are the spec's `expect`; --set expect=[] runs without them.)", err=True)
    raise typer.Exit(1 if r.failures else 0)


def _stopped(spec, e, json_: bool):
    """Say in one line why a run stopped before it completed, and exit with that reason's code."""
    from specnet.runs.interrupt import Interrupted
    folder = getattr(e, "folder", None)
    if isinstance(e, KeyboardInterrupt):  # the second Ctrl-C: no checkpoint at the mini-batch, no wait
        typer.echo("Interrupted at once by a second Ctrl-C" + (f": go on from the last checkpoint with: specnet "
                   f"resume {folder}" if folder else ", before the run folder was written"), err=True)
        raise typer.Exit(130)
    if isinstance(e, Interrupted):
        typer.echo(f"Interrupted by {e}: the run stopped at a mini-batch; go on with: specnet resume {e.folder}",
                   err=True)
        raise typer.Exit(e.code)
    if any(x.diverges for x in spec.expect):
        typer.echo(f"Diverged at epoch {e.epoch}: {e.why}, as the spec expects (diverges: true).", err=json_)
        raise typer.Exit(0)
    kept = f"; {e.folder} keeps its last checkpoint" if list(e.folder.glob("checkpoint-*.npz")) else ""
    typer.echo(f"Diverged at epoch {e.epoch}: {e.why}. eta = {e.eta:g} is likely too large for this cost and "
               f"initialisation (ch. 3's 'eta too large'): try a smaller training.optimizer.eta{kept}.", err=True)
    raise typer.Exit(3)
