"""The book-level commands: gradcheck (and reproduce, plot). `cli.py` registers them on the app.

    $ specnet gradcheck specs/ch3_l2.yaml
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from specnet.cli_support import Json, Sets, out


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
    from specnet.gradcheck import TOLERANCE, gradcheck as check
    from specnet.spec import load_spec
    report = check(load_spec(spec, set or []), examples, samples)
    if json_:
        out(report)
    else:
        typer.echo(f"{'layer':<7}{'size':>6}  {'weights':>10} {'worst entry':>12}  {'biases':>10} {'worst entry':>12}")
        for r in report:
            typer.echo(f"{r['layer']:<7}{r['size']:>6}  {r['weights']:>10.2e} {r['weights_worst_entry']:>12.2e}  "
                       f"{r['biases']:>10.2e} {r['biases_worst_entry']:>12.2e}  {'ok' if r['ok'] else 'FAILED'}")
        typer.echo(f"{sum(r['ok'] for r in report)} of {len(report)} layers within {TOLERANCE:g}.")
    raise typer.Exit(0 if all(r["ok"] for r in report) else 1)
