"""What the commands share: option types, JSON output, and turning a SpecError into one line and exit code 2."""
from __future__ import annotations

import functools
from enum import Enum
from typing import Annotated, List, Optional

import typer

Sets = Annotated[Optional[List[str]], typer.Option("--set", metavar="PATH=VALUE",
                                                   help="Override a value, e.g. --set training.optimizer.eta=0.5")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for machines instead of text.")]
SplitName = Enum("SplitName", {s: s for s in ("test", "validation", "training")}, type=str)
Format = Enum("Format", {s: s for s in ("text", "json", "github")}, type=str)


def out(obj):
    """Print `obj` as indented, strict JSON on stdout (no NaN: see specnet.strictjson)."""
    from specnet.strictjson import dumps
    typer.echo(dumps(obj, indent=2))


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
