"""One name table per concept: the spec's vocabulary mapped to implementations.

    >>> COLOURS = Registry("colour")
    >>> @COLOURS.register("red")
    ... class Red: pass
    >>> COLOURS.names()
    ['red']
    >>> COLOURS.get("red") is Red
    True
"""
from __future__ import annotations

import difflib

from specnet.errors import UnknownNameError


def suggest(word: str, known) -> str:
    """Return " Did you mean 'x'?" for the closest known name, or ""."""
    cutoff = 0.5 if len(str(word)) <= 3 else 0.7  # 'l3' -> 'l2', but not 'dropout' -> 'input'
    close = difflib.get_close_matches(str(word), [str(k) for k in known], n=1, cutoff=cutoff)
    return f" Did you mean '{close[0]}'?" if close else ""


class Registry:
    """Map spec names to implementations of one kind (e.g. "cost")."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, object] = {}

    def register(self, name: str):
        """Decorator: add the decorated object under `name` (snake_case, unique)."""
        def add(obj):
            if name in self._entries:
                raise ValueError(f"{self.kind} '{name}' is registered twice")
            obj.name = name  # the saved name is the registered key, never __name__
            self._entries[name] = obj
            return obj
        return add

    def get(self, name: str, *, where: str = "") -> object:
        """Return the entry for `name`, or raise UnknownNameError listing the known names."""
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownNameError(
                f"unknown {self.kind} '{name}'. Known: {', '.join(self.names())}.{suggest(name, self.names())}",
                path=where) from None

    def names(self) -> list[str]:
        """Return the registered names, sorted."""
        return sorted(self._entries)

    def __contains__(self, name) -> bool:
        return name in self._entries

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, names={self.names()})"
