"""`specnet init`: a commented starter spec for a data file of your own (a CSV table, a .npz archive, or
the four IDX files of an MNIST-like set), with its checksum, input width and output layer filled in.

    $ specnet init flowers.csv --label species        # writes flowers.yaml beside you
"""
from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

import numpy as np

from specnet.datasets.idx import idx_shape, read_idx, sha256
from specnet.datasets.npzfile import class_count, read_npz
from specnet.datasets.tables import MAX_LINE, read_csv
from specnet.errors import DataError, SpecError
from specnet.spec.document import parse_yaml

IDX_ROLES = ("train_images", "train_labels", "test_images", "test_labels")
MAX_CLASSES_GUESSED = 100  # more distinct labels than this (or than half the rows): not a class column


def _q(text: str) -> str:
    """Return `text` as a YAML scalar: bare when YAML reads it back as this very string, else quoted."""
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_./-]*", text) and parse_yaml(f"k: {text}", "").data["k"] == text
    return text if plain else json.dumps(text)


def _shown(classes: list) -> str:
    return ", ".join(map(str, classes[:10])) + (f", ... ({len(classes)} in all)" if len(classes) > 10 else "")


def _csv(path: Path, rel: str, label: str | None) -> tuple:
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as f:
        line = f.readline(MAX_LINE)
    delimiter = max((",", ";", "\t", "|"), key=line.count)
    header = next(csv.reader([line], delimiter=delimiter), [""])
    label = label or header[-1].strip()
    x, _, classes, _ = read_csv(path, sha256(path), label, delimiter=delimiter, where=())
    if len(classes) > MAX_CLASSES_GUESSED or (len(x) >= 20 and len(classes) > len(x) // 2):
        raise DataError(f"column {label} has {len(classes)} distinct values in {len(x)} rows: a measurement "
                        "rather than a class", file=str(path), hint="Name the class column with --label COLUMN.")
    test, validation = (len(x) // 5, len(x) // 10) if len(x) >= 10 else (0, 0)
    source = (f"  source:\n    type: csv\n    path: {_q(rel)}\n    sha256: {sha256(path)}\n"
              f"    label: {_q(label)} # the class of each row; every other column is an input\n"
              + (f"    delimiter: {json.dumps(delimiter)}\n" if delimiter != "," else "") +
              f"    test: {test} # rows held out for the final report (after a seeded shuffle)\n"
              f"    validation: {validation} # rows evaluated after each epoch\n"
              f"  scale: standardize # columns in different units: mean 0, sd 1 on the training rows\n")
    about = f"{len(x)} rows, {x.shape[1]} inputs, classes {_shown(classes)}"
    return source, x.shape[1], len(classes), about, "validation" if validation else "training"


def _npz(path: Path, rel: str) -> tuple:
    splits = read_npz(path, sha256(path), 0, where=())
    x, y = splits["training"]
    classes = class_count(*(y for _, y in splits.values()))
    own = len(splits["validation"][1]) > 0
    validation = 0 if own else len(x) // 6
    unscaled = x.dtype != np.uint8 and x.size and (x.min() < 0 or x.max() > 1)
    source = (f"  source:\n    type: npz\n    path: {_q(rel)}\n    sha256: {sha256(path)}\n"
              + (f"    validation: {validation} # the last training examples, evaluated after each epoch\n"
                 if validation else "")
              + ("  scale: standardize # inputs outside [0, 1]: mean 0, sd 1 on the training examples\n"
                 if unscaled else ""))
    about = f"{len(x)} training examples of {x.shape[1]} inputs, {classes} classes"
    return source, x.shape[1], classes, about, "validation" if own or validation else "test"


def _idx(paths: list, rel) -> tuple:
    roles: dict = {}
    for p in paths:
        kind = "labels" if len(idx_shape(p, ())) == 1 else "images"
        role = ("test" if any(w in p.name.lower() for w in ("t10k", "test")) else "train") + f"_{kind}"
        if role in roles:
            raise DataError(f"both {roles[role].name} and {p.name} look like the {role.replace('_', ' ')}",
                            file=str(p), hint="Test files have 'test' or 't10k' in their names.")
        roles[role] = p
    if len(roles) != 4:
        missing = ", ".join(r.replace("_", " ") for r in IDX_ROLES if r not in roles)
        raise DataError(f"an IDX data set is four files; the {missing} are missing", file=str(paths[0]),
                        hint="Give training and test images and labels (the test files named with 'test' or 't10k').")
    shape = idx_shape(roles["train_images"], ())
    classes = class_count(*(read_idx(roles[r], sha256(roles[r]), ()) for r in IDX_ROLES[1::2]))
    validation = shape[0] // 6
    files = "".join(f"      {r}: {{path: {_q(rel(roles[r]))}, sha256: {sha256(roles[r])}}}\n" for r in IDX_ROLES)
    source = (f"  source:\n    type: idx\n    files:\n{files}"
              f"    validation: {validation} # the last training images, evaluated after each epoch\n")
    about = f"{shape[0]} training images of {' x '.join(map(str, shape[1:]))}, {classes} classes"
    return source, int(np.prod(shape[1:])), classes, about, "validation" if validation else "test"


def starter_spec(paths: list, out: Path, label: str | None = None) -> tuple:
    """Return (the text of a starter spec for the data at `paths`, a one-line summary of the data).

    Paths in the spec are relative to the folder of `out`, where the spec is meant to be written.
    """
    paths = [Path(p) for p in paths]
    csv_file = len(paths) == 1 and paths[0].name.lower().endswith(".csv")
    if label and not csv_file:
        raise SpecError("--label is for a CSV table only", file="--label", got=label)
    for p in paths:
        if not p.is_file():
            raise DataError("no such data file" if not p.exists() else "not a regular file", file=str(p),
                            hint="Give a .csv, a .npz or four IDX files.")

    def rel(p: Path) -> str:
        return Path(os.path.relpath(p.resolve(), out.resolve().parent)).as_posix()

    try:
        if csv_file:
            source, inputs, classes, about, evaluation = _csv(paths[0], rel(paths[0]), label)
        elif len(paths) == 1 and paths[0].name.lower().endswith(".npz"):
            source, inputs, classes, about, evaluation = _npz(paths[0], rel(paths[0]))
        elif all("idx" in p.name.lower() or p.suffix == ".gz" for p in paths):
            source, inputs, classes, about, evaluation = _idx(paths, rel)
        else:
            raise DataError("cannot tell the kind of data from the file name", file=str(paths[0]),
                            hint="specnet init reads a .csv table, a .npz archive, or four IDX files (*-idx3-ubyte*).")
    except DataError as e:  # the readers name spec paths; here there is no spec yet, only the data file
        if e.file is not None:
            raise
        raise DataError(e.message, file=str(paths[0]), hint=e.hint) from None
    if classes < 2:
        raise DataError(f"the data have {classes} class: a classifier needs two or more", file=str(paths[0]))
    text = _TEMPLATE.format(file=out.name, name=json.dumps(f"A first network for {out.stem}"), about=about,
                            source=source, evaluation=evaluation, inputs=inputs, classes=classes, hidden=30)
    return "\n".join(map(_aligned, text.splitlines())) + "\n", about


def default_name(data: Path) -> Path:
    """Return the spec file `init` writes by default: the data file's name with .yaml, in this folder."""
    stem = data.name.removesuffix(".gz").rsplit(".", 1)[0].lstrip(".")
    return Path((stem or "spec") + ".yaml")


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
{source}  evaluation: {evaluation} # the split evaluated after each epoch (keep test for the end)
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
