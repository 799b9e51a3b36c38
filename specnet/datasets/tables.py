"""Tables of your own: a CSV file with a header row, read into arrays.

The reader is bounded (file size, line length, cells, classes) and turns a bad file into one DataError
that names the file and the line of the bad row:

    iris.csv:17: column petal_width: not a finite number. Got 'n/a'. specnet reads numbers only: ...
"""
from __future__ import annotations

import csv
from collections import Counter
from array import array
from pathlib import Path

import numpy as np

from specnet.errors import DataError, cut, shown
from specnet.datasets.idx import DAMAGED, require, verify
from specnet.registry import suggest

MAX_BYTES = 1 << 30        # a larger table is no longer "a few lines of your own data": use .npz or IDX
MAX_COLUMNS, MAX_CLASSES, MAX_CELLS, MAX_LINE = 100_000, 10_000, 50_000_000, 4 << 20  # 400 MB of cells at most
_last: dict = {}           # the last table read, by (file, checksum, options): describe() and load() share it


def read_csv(path: Path, sha256: str, label: str, features=None, classes=None, delimiter: str = ",",
             where=("data", "source")) -> tuple:
    """Return (x (N, features) float64, y (N,) class indices, class names, feature names) of a checked CSV.

    The first row names the columns. `features` picks columns (default: all but `label`); the classes
    are `classes` in that order, else the distinct labels sorted (as numbers when they all are integers).
    """
    path = Path(path)
    if require(path, where + ("path",)).stat().st_size > MAX_BYTES:
        raise DataError(f"larger than {MAX_BYTES >> 20} MiB", file=str(path),
                        hint="Store large data as .npz (numpy.savez) or IDX files.")
    verify(path, sha256, where + ("path",))
    key = (str(path.resolve()), sha256, label, tuple(features or ()), tuple(classes or ()), delimiter)
    if key not in _last:
        _last.clear()
        _last[key] = _parse(path, label, features, classes, delimiter)
    return _last[key]


def _parse(path: Path, label, features, classes, delimiter) -> tuple:
    def fail(message, line, got=None, hint=""):
        kw = {} if got is None else {"got": got if len(str(got)) <= 60 else str(got)[:57] + "..."}
        return DataError(message, file=str(path), line=line, hint=hint, **kw)

    values, codes, labels = array("d"), array("q"), {}  # flat float64 cells; a code per row; label -> code
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(_lines(f, fail), delimiter=delimiter, strict=True)
            header = next(reader, None)
            if header is None:
                raise fail("the file is empty: a CSV needs a header row naming its columns", 1)
            header = [h.strip() for h in header]
            columns, at = _columns(header, label, features, fail), header.index(label)
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue  # a blank line
                if len(row) != len(header):
                    raise fail(f"this row has {len(row)} cells, the header has {len(header)}", reader.line_num,
                               delimiter.join(row), "Every row needs a value in every column.")
                if len(values) + len(columns) > MAX_CELLS:
                    raise fail(f"more than {MAX_CELLS:,} feature cells", reader.line_num,
                               hint="Store large data as .npz (numpy.savez) or IDX files.")
                values.extend(_numbers(row, columns, header, reader.line_num, fail))
                value = row[at].strip()
                if not value:
                    raise fail(f"column {cut(label)}: an empty cell", reader.line_num, hint="Every row needs its class.")
                if value not in labels:
                    _new_label(value, labels, classes, label, reader.line_num, fail)
                codes.append(labels[value])
    except UnicodeDecodeError:
        raise fail("not UTF-8 text", _bad_utf8_line(path), hint="Save the table as UTF-8 CSV.") from None
    except csv.Error as e:
        raise fail(f"not a well-formed CSV: {cut(e)}", reader.line_num) from None
    except DAMAGED as e:
        raise fail(f"cannot read it: {cut(e)}", None) from None
    if not codes:
        raise fail("the file has a header but no rows", 1)
    names = list(classes) if classes is not None else _sorted_labels(list(labels))
    order = {str(n): i for i, n in enumerate(names)}
    y = np.array([order[v] for v in labels], dtype=np.int64)[np.frombuffer(codes, dtype=np.int64)]
    return np.frombuffer(values, dtype=np.float64).reshape(len(codes), len(columns)), y, names, \
        [header[c] for c in columns]


def _lines(f, fail):
    """Yield the lines of a text file, refusing one longer than MAX_LINE characters (read no further)."""
    number = 0
    while line := f.readline(MAX_LINE + 1):
        number += 1
        if len(line) > MAX_LINE:
            raise fail(f"line longer than {MAX_LINE:,} characters", number, hint="Is this a CSV table?")
        yield line


def _bad_utf8_line(path: Path) -> int | None:
    """Return the number of the first line that is not UTF-8 (read again, in bytes, only after a failure)."""
    with open(path, "rb") as f:
        for number, line in enumerate(iter(lambda: f.readline(MAX_LINE + 1), b""), 1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


def _new_label(value, labels, classes, label, line, fail) -> None:
    """Give a label seen for the first time its code, if it is one of `classes` (or there is room)."""
    if classes is not None and value not in map(str, classes):
        raise fail(f"column {cut(label)}: not one of the classes", line, value,
                   f"data.source.classes lists: {cut(', '.join(map(str, classes)))}.")
    if len(labels) >= MAX_CLASSES:
        raise fail(f"column {cut(label)} has more than {MAX_CLASSES:,} distinct values: too many to be classes", line)
    labels[value] = len(labels)


def _sorted_labels(distinct: list) -> list:
    """Return the labels sorted, as integers when they all are (but '01' and '1' stay two strings)."""
    try:
        numbers = sorted({int(v) for v in distinct})
    except ValueError:
        return sorted(distinct)
    return numbers if len(numbers) == len(distinct) and all(str(int(v)) == v for v in distinct) else sorted(distinct)


def _columns(header, label, features, fail) -> list:
    """Return the indices of the feature columns, checking that every named column exists once."""
    if len(header) > MAX_COLUMNS:
        raise fail(f"the header has {len(header)} columns, more than {MAX_COLUMNS}", 1)
    for name, count in Counter(header).items():  # Counter and a dict: header.count per column took 75 s
        if count > 1:                              # for 100,000 columns
            raise fail("the header names a column twice", 1, name, hint="Give every column its own name.")
    index = {h: i for i, h in enumerate(header)}
    for name in [label] + list(features or []):
        if name not in index:
            raise fail(f"no column {shown(name)} in the header", 1, hint=f"Columns: {cut(', '.join(header))}."
                       + cut(suggest(name, header)))
    if features and label in features:
        raise fail(f"the label column {shown(label)} is also a feature", 1, hint="Remove it from features.")
    columns = [index[f] for f in features] if features else [i for i, h in enumerate(header) if h != label]
    if not columns:
        raise fail(f"the header has no column but the label {shown(label)}", 1, hint="A table needs input columns.")
    return columns


def _numbers(row, columns, header, line, fail) -> list:
    out = []
    for c in columns:
        try:
            value = float(row[c])
        except ValueError:
            value = None
        if value is None or not np.isfinite(value):
            what = "an empty cell" if not row[c].strip() else "not a finite number"
            raise fail(f"column {cut(header[c])}: {what}", line, row[c],
                       "specnet reads numbers only: fill in or remove the row, or leave the column out of features.")
        out.append(value)
    return out
