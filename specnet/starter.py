"""`specnet init`: a commented starter spec for a data file of your own (a CSV table, a .npz archive, or
the four IDX files of an MNIST-like set), with its checksum, input width and output layer filled in.

    $ specnet init flowers.csv --label species        # writes flowers.yaml beside you
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np

from specnet.errors import DataError, SpecError
from specnet.idx import idx_shape, read_idx, sha256

IDX_ROLES = ("train_images", "train_labels", "test_images", "test_labels")


def _q(text: str) -> str:
    """Return `text` as a YAML scalar: bare when plainly safe, else quoted (JSON strings are YAML)."""
    return text if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_./-]*", text) else json.dumps(text)


def _csv(path: Path, rel: str, label: str | None) -> tuple:
    from specnet.tables import MAX_LINE, read_csv

    with open(path, encoding="utf-8-sig", errors="replace") as f:
        header = f.readline(MAX_LINE).rstrip("\r\n")
    delimiter = max((",", ";", "\t", "|"), key=header.count)
    label = label or header.split(delimiter)[-1].strip()
    x, _, classes, _ = read_csv(path, sha256(path), label, delimiter=delimiter, where=("data",))
    test, validation = max(1, len(x) // 5), max(1, len(x) // 10)
    source = (f"  source:\n    type: csv\n    path: {_q(rel)}\n    sha256: {sha256(path)}\n"
              f"    label: {_q(label)}                  # the class of each row; every other column is an input\n"
              + (f"    delimiter: {delimiter!r}\n" if delimiter != "," else "") +
              f"    test: {test}                      # rows held out for the final report (after a seeded shuffle)\n"
              f"    validation: {validation}                # rows evaluated after each epoch\n"
              f"  scale: standardize               # columns in different units: mean 0, sd 1 on the training rows\n")
    return source, x.shape[1], len(classes), f"{len(x)} rows, {x.shape[1]} inputs, classes {classes}"


def _npz(path: Path, rel: str) -> tuple:
    from specnet.tables import read_npz

    splits = read_npz(path, sha256(path), 0, where=("data",))
    x, y = splits["training"]
    classes = int(max(int(s[1].max()) for s in splits.values() if len(s[1]))) + 1
    validation = 0 if len(splits["validation"][1]) else max(1, len(x) // 6)
    source = (f"  source:\n    type: npz\n    path: {_q(rel)}\n    sha256: {sha256(path)}\n"
              + (f"    validation: {validation}            # the last training examples, evaluated after each epoch\n"
                 if validation else ""))
    return source, x.shape[1], classes, f"{len(x)} training examples of {x.shape[1]} inputs, {classes} classes"


def _idx(paths: list, rel) -> tuple:
    roles = {}
    for p in paths:
        kind = "labels" if len(idx_shape(p, ("data",))) == 1 else "images"
        part = "test" if any(w in p.name.lower() for w in ("t10k", "test")) else "train"
        roles.setdefault(f"{part}_{kind}", p)
    if sorted(roles) != sorted(IDX_ROLES) or len(paths) != 4:
        raise DataError("an IDX data set is four files: training and test images and labels, the test files "
                        "named with 'test' or 't10k'", got=[p.name for p in paths], hint="Give all four files.")
    shape = idx_shape(roles["train_images"], ("data",))
    classes = int(max(read_idx(roles[r], sha256(roles[r]), ("data",)).max() for r in IDX_ROLES[1::2])) + 1
    validation = shape[0] // 6
    files = "".join(f"      {r}: {{path: {_q(rel(roles[r]))}, sha256: {sha256(roles[r])}}}\n" for r in IDX_ROLES)
    source = (f"  source:\n    type: idx\n    files:\n{files}"
              f"    validation: {validation}            # the last training images, evaluated after each epoch\n")
    inputs = int(np.prod(shape[1:]))
    return source, inputs, classes, f"{shape[0]} training images of {' x '.join(map(str, shape[1:]))}, {classes} classes"


def starter_spec(paths: list, out: Path, label: str | None = None) -> tuple:
    """Return (the text of a starter spec for the data at `paths`, a one-line summary of the data).

    Paths in the spec are relative to the folder of `out`, where the spec is meant to be written.
    """
    paths = [Path(p) for p in paths]
    for p in paths:
        if not p.is_file():
            raise DataError("no such data file", file=str(p), hint="Give a .csv, a .npz or four IDX files.")
    rel = lambda p: Path(os.path.relpath(p.resolve(), out.resolve().parent)).as_posix()  # noqa: E731
    suffix = paths[0].name.lower()
    if len(paths) == 1 and suffix.endswith(".csv"):
        source, inputs, classes, about = _csv(paths[0], rel(paths[0]), label)
    elif len(paths) == 1 and suffix.endswith(".npz"):
        source, inputs, classes, about = _npz(paths[0], rel(paths[0]))
    elif all("idx" in p.name.lower() or p.suffix == ".gz" for p in paths):
        source, inputs, classes, about = _idx(paths, rel)
    else:
        raise DataError("cannot tell the kind of data from the file name", file=str(paths[0]),
                        hint="specnet init reads a .csv table, a .npz archive, or four IDX files (*-idx3-ubyte*).")
    if label and not suffix.endswith(".csv"):
        raise SpecError("--label is for CSV tables only", file="--label", got=label)
    text = _TEMPLATE.format(file=out.name, name=json.dumps(f"A first network for {out.stem}"), about=about, source=source, inputs=inputs, classes=classes, hidden=30)
    return "\n".join(map(_aligned, text.splitlines())) + "\n", about


def _aligned(line: str) -> str:
    """Return a line with its trailing comment moved to column 40."""
    code, sep, comment = line.partition(" # ")
    return f"{code.rstrip():<38} # {comment}" if sep and code.strip() and not line.startswith("#") else line


_TEMPLATE = """\
# yaml-language-server: $schema=spec.schema.json
# A starter spec written by `specnet init` for {about}.
# Check it with `specnet validate {file}`, run it with `specnet run {file}`, and change what you
# like: `specnet schema --out spec.schema.json` writes the schema that the first line points your editor at.
specnet: 1
description: {name}
seed: 0                            # every random draw comes from it: the same seed, the same run
data:
{source}  evaluation: validation           # the split evaluated after each epoch (keep test for the end)
network:
  input: {inputs}
  layers:
    - {{size: {hidden}, activation: sigmoid}}   # one hidden layer of {hidden} neurons, as in the book's chapter 1
    - {{size: {classes}, activation: softmax}}   # one output neuron per class
  cost: log_likelihood             # with softmax outputs (the book's chapter 3)
training:
  epochs: 30
  mini_batch_size: 10
  optimizer: {{type: sgd, eta: 0.1}}   # the learning rate: try factors of 10 first (chapter 3's heuristics)
  regularization: none             # or {{type: l2, lambda: 5.0}}
  monitor: [evaluation_accuracy, evaluation_cost, training_accuracy]
"""
