"""The one family of user-facing errors, each printed as a single line:

    file:line: dotted.path: what is wrong. Got X. hint

    >>> print(SpecError("must be a number > 0", file="a.yaml", line=9, path="training.optimizer.eta", got=-0.5))
    a.yaml:9: training.optimizer.eta: must be a number > 0. Got -0.5.
"""
from __future__ import annotations

class _NOTHING:
    """Marks "no value given" (a class, so that it keeps its identity when an error crosses processes)."""


def shown(value, limit: int = 200) -> str:
    """Return a value as the user wrote it: YAML's true, false and null, else Python's repr, cut to `limit`
    characters (a message never repeats a whole file).

        >>> shown("x" * 300)[-22:]
        "x...' (302 characters)"
    """
    text = {True: "true", False: "false"}[value] if isinstance(value, bool) else "null" if value is None else repr(value)
    if len(text) <= limit:
        return text
    quote = text[0] if text[0] in "'\"" else ""
    return f"{text[:limit - 4]}...{quote} ({len(text)} characters)"


def cut(text, limit: int = 200) -> str:
    """Return str(text) cut to `limit` characters, saying how long it was (for a file name, a header cell or
    a library's error text in a message).

        >>> cut("x" * 300)[-22:]
        'xx... (300 characters)'
    """
    text = str(text)
    return text if len(text) <= limit else f"{text[:limit - 4]}... ({len(text)} characters)"


def format_path(path) -> str:
    """Return a path tuple as dots with [i] for list indices: ('a', 0, 'b') -> 'a[0].b'."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class SpecError(ValueError):
    """A problem in a spec, a data file or a command-line argument; the CLI exits with code 2."""

    def __init__(self, message: str, *, file=None, line=None, path="", got=_NOTHING, hint: str = ""):
        self.message, self.file, self.line, self.got, self.hint = message.rstrip("."), file, line, got, hint
        self.parts = () if isinstance(path, str) else tuple(path)  # the path as a tuple, to look up its line
        self.path = path if isinstance(path, str) else format_path(path)
        super().__init__(str(self))

    @property
    def problems(self) -> list:
        """Every problem this error reports (one, except for SpecErrors)."""
        return [self]

    def located(self, file=None, line=None) -> "SpecError":
        """Return self with a location filled in where it had none (used when re-raising)."""
        if self.file is None:
            self.file, self.line = file, line
            self.args = (str(self),)
        return self

    @property
    def location(self) -> str:
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line is not None else str(self.file)

    def __str__(self) -> str:
        parts = [p for p in (self.location, self.path) if p]
        text = ": ".join(parts + [self.message]) + "."
        if self.got is not _NOTHING:
            text += f" Got {shown(self.got)}."
        return f"{text} {self.hint}".rstrip()

    def as_dict(self) -> dict:
        got = None if self.got is _NOTHING else shown(self.got)
        return {"file": None if self.file is None else str(self.file), "line": self.line, "path": self.path,
                "message": self.message, "got": got, "hint": self.hint, "text": str(self)}


class SchemaError(SpecError):
    """The spec does not match schemas/spec.schema.json (wrong type, unknown key, bad value)."""


class UnknownNameError(SpecError):
    """A name is not in its registry (activation, cost, ...)."""


class CheckError(SpecError):
    """A semantic check failed (layer sizes vs data, cost vs output activation, ...)."""


class DataError(SpecError):
    """A data file is missing, corrupt or of the wrong shape."""


class SpecErrors(SpecError):
    """Several problems found at once; str() gives one line per problem, sorted by file and line."""

    def __init__(self, problems: list):
        self._problems = sorted(problems, key=lambda p: (str(p.file), p.line or 0, p.path))
        first = self._problems[0]
        super().__init__(first.message, file=first.file, line=first.line, path=first.parts or first.path)

    @property
    def problems(self) -> list:
        return self._problems

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self._problems)


def raise_all(problems: list[SpecError]) -> None:
    """Raise the problems as one error (nothing if the list is empty)."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise SpecErrors(problems)
