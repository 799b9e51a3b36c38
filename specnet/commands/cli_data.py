"""The commands for getting started outside the repository: `specs` lists the shipped specs, `init` writes a
starter spec for a data file of your own. `cli.py` registers them on the app.

    $ specnet specs
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

# NOTE: the commands import the library inside their bodies, on purpose: `specnet --help` (and a typo's
# one-line error) then loads neither NumPy nor jsonschema, which take a quarter of a second to import.
from specnet.commands.cli_support import Json, out


def catalog() -> list:
    """Return {"name", "description", "result", "value"} for every shipped spec, book results first."""
    from specnet.spec.document import parse_yaml
    from specnet.resources import shipped_names, shipped_spec

    rows = []
    for name in shipped_names():
        data = parse_yaml(shipped_spec(name).read_text(encoding="utf-8"), name).data
        book, expect = data.get("book") or {}, data.get("expect") or [{}]
        rows.append({"name": name, "description": data.get("description", ""), "result": book.get("result"),
                     "value": book.get("value"), "metric": expect[0].get("metric")})
    return rows


def _reported(row) -> str:
    """Return the book's figure: accuracies as percentages, other metrics (a cost) as numbers."""
    if not row["value"]:
        return ""
    return f"{100 * row['value']:.2f}%" if "accuracy" in str(row["metric"]) else f"{row['value']:g}"


def specs(json_: Json = False):
    """List the specs that come with specnet, with the book result each reproduces.

    Run one by its name from any folder; extend one in a spec of your own with `extends: NAME`.

    \b
    Examples:
      specnet specs
      specnet run ch3_l2
      specnet show examples/iris
    """
    rows = catalog()
    if json_:
        return out(rows)
    width, book = max(len(r["name"]) for r in rows) + 2, max(len(r["result"] or "") for r in rows) + 2
    typer.echo(f"{'name':<{width}}{'book':<{book}}{'reported':>9}  description")
    for r in rows:
        typer.echo(f"{r['name']:<{width}}{r['result'] or '-':<{book}}{_reported(r):>9}  {r['description']}")
    typer.echo(f"\n{len(rows)} specs. Run one with 'specnet run NAME' (a sweep's: 'specnet sweep NAME'); see it with "
               "'specnet show NAME'.")


def init(data: Annotated[List[Path], typer.Argument(metavar="DATA...", help="A .csv or .npz file, or four IDX files.")],
         out_: Annotated[Optional[Path], typer.Option("--out", "-o", help="The spec file to write (default: "
                                                      "DATA's name with .yaml, in this folder).")] = None,
         label: Annotated[Optional[str], typer.Option(help="A CSV's label column (default: the last one).")] = None):
    """Write a commented starter spec for a data file of your own.

    It reads the data's shape and classes, fills in the sha256, the input size and the output layer; the
    spec validates and runs as written. An existing file is never overwritten.

    \b
    Examples:
      specnet init flowers.csv --label species
      specnet init fashion/*-ubyte.gz -o fashion.yaml
    """
    from specnet.errors import SpecError
    from specnet.commands.starter import default_name, starter_spec
    target = out_ or default_name(data[0])
    if target.exists():
        raise SpecError("the file exists already, and init never overwrites", file=str(target),
                        hint="Choose another name with --out.")
    text, about = starter_spec(data, target, label)
    try:
        with open(target, "x", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise SpecError(f"cannot write the spec: {e.strerror or e}", file=str(target)) from None
    typer.echo(f"Wrote {target} for {about}.\nNext: specnet validate {target} && specnet run {target}")
