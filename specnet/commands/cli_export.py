"""The commands that take a trained network elsewhere: `export` (the book's network2 JSON, or ONNX) and
`predict` (classify new inputs). `cli.py` registers them on the app.

    $ specnet export runs/ch1_sgd-20261123-101500 -o net.onnx
    $ specnet predict runs/ch1_sgd-20261123-101500 seven.png
"""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer

# NOTE: the library (NumPy, onnx, Pillow) is imported inside the commands, on purpose: `specnet --help` loads none.
from specnet.commands.cli_support import Json, out

ExportFormat = Enum("ExportFormat", {s: s for s in ("network2", "onnx")}, type=str)
Trained = Annotated[Path, typer.Argument(metavar="RUN", help="A run folder, or a model.json / network2 JSON file.")]


def export(model: Trained,
           out_: Annotated[Path, typer.Option("--out", "-o", help="The file to write.")],
           format: Annotated[Optional[ExportFormat], typer.Option(
               help="network2 (the book's network2.py JSON) or onnx; default: from --out's extension, .json or .onnx.")] = None,
           force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False):
    """Write a trained network for use outside specnet: the book's network2.py JSON, or ONNX.

    network2 holds sigmoid networks with the quadratic or cross-entropy cost, and `specnet evaluate` reads
    it back. ONNX (pip install "specnet[onnx]") holds every specnet network; its graph applies a fitted
    data.scale and its metadata say what inputs it expects.

    \b
    Examples:
      specnet export runs/ch1_sgd-20261123-101500 --format network2 -o net.json
      specnet export runs/ch1_sgd-20261123-101500 -o net.onnx
    """
    from specnet.runs.export import export_model
    typer.echo(export_model(model, out_, format and format.value, force), err=True)


def predict(model: Trained,
            inputs: Annotated[List[Path], typer.Argument(metavar="INPUT...", help="Images (PNG, ...), .npz or CSV files of rows.")],
            json_: Json = False):
    """Classify new inputs: the class and the output activations of each.

    An image is read as MNIST's: grayscale, resized to the network's input (28 x 28), a white digit on
    black (a dark digit on a light background is inverted); Pillow reads it (pip install
    "specnet[images]"). A .npz holds one array of rows, a CSV rows of numbers, in the training data's units.

    \b
    Examples:
      specnet predict runs/ch1_sgd-20261123-101500 seven.png
      specnet predict runs/iris-20261129-101500 flowers.csv --json
    """
    from specnet.runs.predict import predict_files, render
    predictions = predict_files(model, inputs)
    out({"predictions": predictions}) if json_ else typer.echo(render(predictions))
