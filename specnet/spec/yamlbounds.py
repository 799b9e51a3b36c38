"""Bounds on a YAML document from a stranger, checked before and while it is turned into data, so that no
spec can take more than a fraction of a second or a few MB to read:

- its size: at most MAX_BYTES (a spec is a few KB);
- nesting: at most MAX_DEPTH mappings and lists inside each other, checked on the parser's event stream,
  before anything is built (a deep document would exhaust the recursion of the composer);
- aliases: at most MAX_VALUES values once anchors and aliases are expanded (236 bytes of aliases can stand
  for billions of values); YAML merge keys (`<<`), which expand without going through that count, are
  refused: `extends:` is how one spec builds on another;
- characters: control characters are reported at their line and column.

    >>> check_text("a: &x [1, 2]\\nb: [*x, *x]\\n", "s.yaml")
"""
from __future__ import annotations

import os
import re
import stat

import yaml

from specnet.errors import SpecError

class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The safe loader (libyaml's where PyYAML has it: parsing every shipped spec takes a tenth of the
    time) that also reads 1e-3 as a float (YAML 1.1 wants 1.0e-3), and does not read 1:30 as a base-60
    number (YAML 1.1 does, in time that grows with the square of the length: 45 s for a 1 MB value)."""


_NUMBERS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
Loader.yaml_implicit_resolvers = {k: [(tag, regex) for tag, regex in v if tag not in _NUMBERS]
                                   for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
for _tag, _pattern, _first in (
        (_NUMBERS[0], r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$", "-+0123456789"),
        (_NUMBERS[1], r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
                      r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+0123456789."),
        (_NUMBERS[1], r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$", "-+0123456789")):
    Loader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


MAX_BYTES, MAX_DEPTH, MAX_VALUES = 1 << 20, 64, 30_000  # a hand-set 784 x 30 layer fits
_OPEN, _CLOSE = (yaml.MappingStartEvent, yaml.SequenceStartEvent), (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def check_text(text: str, file, loader=None) -> None:
    """Raise a SpecError if the document is too large, nested too deep, uses merge keys or holds a control
    character; parse errors themselves are left to the loader that reads it next."""
    check_size(text, file)
    depth, values, parser = 0, 0, (loader or Loader)(text)
    try:
        while parser.check_event():
            event = parser.get_event()
            if getattr(event, "tag", None) is not None:
                tag = event.tag.replace("tag:yaml.org,2002:", "!!")  # !!merge, !!python/..., !!str: none is data
                raise SpecError(f"YAML tag {tag} is not allowed: a spec is data, never code", file=file,
                                line=event.start_mark.line + 1, hint="Remove the tag.")
            if isinstance(event, (*_OPEN, yaml.ScalarEvent)):
                values += 1
                if values > MAX_VALUES:  # before any alias is expanded: the walk counts those
                    raise SpecError(f"more than {MAX_VALUES:,} values", file=file, line=event.start_mark.line + 1,
                                    hint="A spec this large is not a spec: keep data in a data file.")
            if isinstance(event, _OPEN):
                depth += 1
                if depth > MAX_DEPTH:
                    raise SpecError(f"nested more than {MAX_DEPTH} levels deep", file=file,
                                    line=event.start_mark.line + 1, hint="A spec is a few levels of keys.")
            elif isinstance(event, _CLOSE):
                depth -= 1
            elif isinstance(event, yaml.ScalarEvent) and event.value == "<<" and event.implicit[0]:
                raise SpecError("YAML merge keys (<<) are not supported in specs", file=file,
                                line=event.start_mark.line + 1, hint="Use extends: to build on another spec.")
    except yaml.reader.ReaderError as e:
        line, column = _line_column(text, e.position)
        char = chr(e.character) if isinstance(e.character, int) else e.character
        raise SpecError(f"control character {char!r} at column {column}: a spec is plain text", file=file,
                        line=line, hint="Remove it (an editor can show invisible characters).") from None
    except yaml.YAMLError as e:
        if "nesting depth" in str(e):  # libyaml >= 0.2.6 stops at 1,000 levels, before the events come
            mark = getattr(e, "problem_mark", None)
            raise SpecError(f"nested more than {MAX_DEPTH} levels deep", file=file, line=mark.line + 1 if mark else None,
                            hint="A spec is a few levels of keys.") from None
        # any other syntax error: the loader reports it with its line
    finally:
        parser.dispose()


def read_spec_text(path) -> str:
    """Return a spec file's text: at most MAX_BYTES + 1 bytes are read (/dev/zero is no spec either), and
    bytes that are not UTF-8 are reported at their line."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO would block, a device never end
            raise SpecError("not a regular file: a spec is one", file=str(path), hint="Give a .yaml file.")
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except SpecError:
        raise
    except (OSError, ValueError) as e:  # ValueError: a NUL in the path
        raise SpecError(f"cannot read the spec: {getattr(e, 'strerror', None) or e}", file=str(path)[:200],
                        hint="Check the path.") from None
    check_size(raw, str(path))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        column = e.start - raw.rfind(b"\n", 0, e.start)
        raise SpecError(f"not UTF-8 text (byte {column} of the line)", file=str(path),
                        line=raw.count(b"\n", 0, e.start) + 1, hint="Save the spec as UTF-8.") from None


def check_size(text, file) -> None:
    """Raise a SpecError if a document (text or bytes) is larger than MAX_BYTES."""
    if len(text) > MAX_BYTES:
        raise SpecError(f"the file is larger than {MAX_BYTES >> 20} MB: too large for a spec", file=file,
                        hint="A spec is a few KB: is this the right file?")


def _line_column(text: str, position: int) -> tuple:
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


class Budget:
    """Counts the values built from a document, aliases expanded; refuses more than MAX_VALUES."""

    def __init__(self, file):
        self.left, self.file = MAX_VALUES, file

    def take(self, line: int) -> None:
        self.left -= 1
        if self.left < 0:
            raise SpecError(f"more than {MAX_VALUES:,} values once YAML aliases are expanded", file=self.file,
                            line=line, hint="A spec this large is not a spec: check its anchors (&) and aliases (*).")
