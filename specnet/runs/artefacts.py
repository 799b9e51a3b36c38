"""Checks of a run folder's files before use: a run folder or model file from someone else is read like
untrusted input. Each file is bounded in size before it is read, parsed, and checked key by key; a problem
is one line naming the file (and the line, in a .jsonl file):

    runs/tiny-20261129-101500/metrics.jsonl:3: evaluation_cost: must be a number or null. Got 'high'.

The run's spec.yaml must be the one recorded: its digest is compared with run.json's
`resolved_spec_sha256` before the spec is used.
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from specnet.components.metrics import METRICS
from specnet.errors import DataError
from specnet.runs.strictjson import NAMES, restore
from specnet.spec.document import parse_yaml
from specnet.spec.yamlbounds import read_spec_text

MiB = 1 << 20
JSON_BYTES, DEPTH = 16 * MiB, 16
# metrics.jsonl has a line per epoch; checks.jsonl a line per monitor_every images (monitor_every 1,000 on
# MNIST's 50,000 training images writes 50 lines an epoch: 250,000 lines are 5,000 such epochs). A line takes
# about 200 bytes.
JSONL_BYTES, JSONL_LINES, CHECKS_BYTES, CHECKS_LINES = 16 * MiB, 100_000, 64 * MiB, 250_000
DAMAGED_HINT = "The run folder is damaged or was changed by hand: train the spec again."
NUMBER, COUNT, TEXT, TEXTS, NUMBERS, OBJECT, SHA, SIZES = (
    "a number", "a whole number >= 0", "a string", "a list of strings", "a list of numbers", "a JSON object",
    "64 hexadecimal digits (a SHA-256)", "a list of at least two layer sizes >= 1")
_TESTS = {NUMBER: lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
          COUNT: lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
          TEXT: lambda v: isinstance(v, str), OBJECT: lambda v: isinstance(v, dict),
          TEXTS: lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
          NUMBERS: lambda v: isinstance(v, list) and all(_TESTS[NUMBER](x) for x in v),
          SHA: lambda v: isinstance(v, str) and re.fullmatch("[0-9a-f]{64}", v) is not None, None: lambda v: v is None,
          SIZES: lambda v: isinstance(v, list) and len(v) >= 2 and all(_TESTS[COUNT](x) and x >= 1 for x in v)}
INFO = {"resolved_spec_sha256": (SHA,), "status": (TEXT,), "spec_dir": (TEXT,), "spec_file": (TEXT, None),
        "name": (TEXT,), "seed": (COUNT,), "data": (OBJECT,), "started": (TEXT, None), "ended": (TEXT,),
        "wall_seconds": (NUMBER,), "epoch_seconds": (NUMBERS,), "unmet": (TEXTS,), "classes": (TEXTS,),
        "executor": (TEXT,)}
ROW = {"epoch": (COUNT, None), "eta": (NUMBER, None), "images": (COUNT,), "stop": (TEXT,), "restored_epoch": (COUNT,),
       "nonfinite": (OBJECT,), **{m: (NUMBER, None) for m in METRICS},
       **{f"{role}_{n}": (COUNT,) for role in ("training", "evaluation") for n in ("correct", "total")}}


def _regular(path: Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise DataError("no such file" if not path.exists() else "not a regular file", file=str(path),
                        hint="Give a folder made by `specnet run`, or its model.json.")
    return path


def read_text(path: Path, limit: int, what: str = "file") -> str:
    """Return a file's text after checking that it is a regular file of at most `limit` bytes, in UTF-8."""
    path = _regular(path)
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)  # never more: the file may grow while it is read
        if len(data) > limit:
            raise DataError(f"it has more than {limit:,} bytes, more than a {what} can have", file=str(path),
                            hint=DAMAGED_HINT)
        return data.decode("utf-8")
    except OSError as e:
        raise DataError(f"cannot read it: {e.strerror or e}", file=str(path), hint=DAMAGED_HINT) from None
    except UnicodeDecodeError as e:
        raise DataError(f"not UTF-8 text (byte {e.start})", file=str(path), hint=DAMAGED_HINT) from None


def parse_json(text: str, file, line=None):
    """Return the JSON value of `text` (NaN and Infinity are read too: files written before 1.0 have them)."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as e:
        raise DataError(f"not valid JSON: {str(e) or 'nested too deeply'}", file=str(file), line=line,
                        hint=DAMAGED_HINT) from None


def read_json(path: Path, limit: int = JSON_BYTES, what: str = "JSON file"):
    """Return the JSON value of a file of at most `limit` bytes."""
    return parse_json(read_text(path, limit, what), path)


def check_fields(value, fields: dict, required, file, line=None) -> dict:
    """Return `value` if it is a JSON object whose keys in `fields` have one of their kinds and that has the
    `required` keys; else raise a DataError naming the first wrong key."""
    if not isinstance(value, dict):
        raise DataError("must be a JSON object", file=str(file), line=line, got=type(value).__name__,
                        hint=DAMAGED_HINT)
    for key in required:
        if key not in value:
            raise DataError(f"no key '{key}'", file=str(file), line=line, hint=DAMAGED_HINT)
    for key, kinds in fields.items():
        if key in value and not any(_TESTS[k](value[key]) for k in kinds):
            raise DataError(f"must be {' or '.join(k or 'null' for k in kinds)}", file=str(file), line=line,
                            path=key, got=value[key], hint=DAMAGED_HINT)
    return value


def read_jsonl(path: Path, required=("epoch",), torn_tail: bool = False) -> list:
    """Return the records of metrics.jsonl or checks.jsonl, each checked and with its non-finite numbers
    restored (a missing file has none). With `torn_tail` (a run that did not complete: its process may have
    died in the middle of writing a line), a last line without its newline is left out."""
    if not Path(path).exists():
        return []
    rows = []
    for number, text in _lines(_regular(path), *((CHECKS_BYTES, CHECKS_LINES) if Path(path).name == "checks.jsonl"
                                                 else (JSONL_BYTES, JSONL_LINES))):
        if torn_tail and not text.endswith("\n"):
            break
        if text.strip():
            row = check_fields(parse_json(text, path, number), ROW, required, path, number)
            if not all(isinstance(v, str) and v in NAMES for v in row.get("nonfinite", {}).values()):
                raise DataError(f"nonfinite: must map keys to one of {', '.join(sorted(NAMES))}", file=str(path),
                                line=number, got=row["nonfinite"], hint=DAMAGED_HINT)
            rows.append(restore(row))
    return rows


def _lines(path: Path, size: int, most: int):
    """Yield (number, text) of a .jsonl file's lines, read one at a time (64 MB of newlines held as a list of
    lines took 644 MB): refuse more than `size` bytes or `most` lines as soon as the reader reaches them."""
    try:
        with open(path, "rb") as f:
            total = 0
            for number, data in enumerate(iter(lambda: f.readline(size + 1 - total), b""), 1):
                total += len(data)
                if total > size or number > most:
                    raise DataError(f"it has more than {size:,} bytes" if total > size else
                                    f"it has more than {most:,} lines", file=str(path), hint=DAMAGED_HINT)
                yield number, data.decode("utf-8")
    except OSError as e:
        raise DataError(f"cannot read it: {e.strerror or e}", file=str(path), hint=DAMAGED_HINT) from None
    except UnicodeDecodeError as e:
        raise DataError(f"not UTF-8 text (byte {e.start})", file=str(path), line=number, hint=DAMAGED_HINT) from None


def _depth(value) -> int:
    """Return how deeply lists and objects nest in `value` (level by level: no recursion)."""
    level, items = 0, [value]
    while items:
        items = [v for x in items for v in (x.values() if isinstance(x, dict) else x if isinstance(x, list) else ())]
        level += 1
    return level


def read_info(folder: Path) -> dict:
    """Return a run folder's checked run.json."""
    path = Path(folder) / "run.json"
    info = check_fields(read_json(path, what="run.json"), INFO, ("resolved_spec_sha256", "status"), path)
    if _depth(info) > DEPTH:
        raise DataError(f"its values nest more than {DEPTH} levels deep", file=str(path), hint=DAMAGED_HINT)
    return info


class SpecEdited(DataError):
    """A run's spec.yaml that is not the one it was trained with (run.json's digest)."""


def check_spec_digest(folder: Path, info: dict) -> None:
    """Refuse a run's spec.yaml whose digest is not run.json's `resolved_spec_sha256`, before it is parsed as
    a spec: the spec would not be the one the model was trained with."""
    path = Path(folder) / "spec.yaml"
    text = read_spec_text(path)
    try:  # the bounded loader of every spec: no tags, no base-60 numbers, aliases counted
        data = parse_yaml(text, str(path)).data
        digest = data and hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    except (TypeError, ValueError):  # a SpecError is a ValueError
        digest = None  # not YAML that specnet wrote: the digest cannot match
    if digest != info["resolved_spec_sha256"]:
        raise SpecEdited(f"it is not the spec of this run: its SHA-256 is {digest or '(not a spec)'}, run.json "
                        f"records {info['resolved_spec_sha256']}", file=str(path),
                        hint="The spec was edited after the run: restore it, or run the edited spec "
                             "(specnet run) to get a model trained with it.")
