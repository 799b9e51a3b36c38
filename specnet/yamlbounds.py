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

import yaml

from specnet.errors import SpecError

MAX_BYTES, MAX_DEPTH, MAX_VALUES = 1 << 20, 64, 100_000
_OPEN, _CLOSE = (yaml.MappingStartEvent, yaml.SequenceStartEvent), (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def check_text(text: str, file, loader=yaml.SafeLoader) -> None:
    """Raise a SpecError if the document is too large, nested too deep, uses merge keys or holds a control
    character; parse errors themselves are left to the loader that reads it next."""
    check_size(text, file)
    depth, parser = 0, loader(text)
    try:
        while parser.check_event():
            event = parser.get_event()
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
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise SpecError(f"cannot read the spec: {e.strerror or e}", file=str(path), hint="Check the path.") from None
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
