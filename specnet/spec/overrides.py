"""Command-line overrides: `--set dotted.path=value`, applied to a spec's data before validation, so that an
override gets exactly the checks a file would.

    >>> from specnet.spec.document import parse_yaml
    >>> doc = apply_overrides(parse_yaml("training: {epochs: 30}", "x.yaml"), ["training.epochs=1"])
    >>> doc.data, doc.where(("training", "epochs"))
    ({'training': {'epochs': 1}}, ('--set training.epochs=1', None))
"""
from __future__ import annotations

import copy
import re

from specnet.spec.document import Document, Origin, parse_yaml, paths_of
from specnet.errors import SpecError, cut, format_path

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_PATH = re.compile(r"^[^.\[\]=]+(?:\.[^.\[\]=]+|\[\d+\])*$")


def parse_override(text: str) -> tuple:
    """Return (path parts, value) of "dotted.path=value"; the value is read as YAML (0.5, true, [1, 2], l2)."""
    where = f"--set {cut(text)}"  # the message quotes at most 200 characters of it
    key, sep, raw = text.partition("=")
    if not sep or not _PATH.match(key.strip()):
        raise SpecError("expected dotted.path=value", file=where, got=text,
                        hint="For example: --set training.optimizer.eta=0.5 or --set network.layers[0].size=100")
    parts = path_parts(key)
    try:
        value = parse_yaml(f"v: {raw}" if raw.strip() else "v: null", where).data["v"]
    except SpecError as e:
        if not e.message.startswith("invalid YAML"):  # a bound or a rule of specs: said as it is, its column
            message = re.sub(r"at column (\d+)", lambda m: f"at column {int(m[1]) - 3} of the value", e.message)
            raise SpecError(message, file=where, got=e.got, hint=e.hint) from None  # counted after "v: "
        raise SpecError(f"the value is not valid YAML: {e.message.removeprefix('invalid YAML: ')}", file=where,
                        hint="Quote a value with special characters: --set 'path=[1, 2]'.") from None
    return parts, value


def apply_overrides(doc: Document, overrides, expand=None) -> Document:
    """Return a copy of `doc` with each "dotted.path=value" set.

    `expand(path, name)` may return the mapping that a bare name stands for, so that a value can be set
    inside it (e.g. `data.training.take=1000` when the spec says `training: training`).
    """
    data, origins = copy.deepcopy(doc.data), dict(doc.origins)
    for text in overrides:
        parts, value = parse_override(text)
        set_value(data, origins, parts, value, Origin("set", f"--set {text}"), expand)
    return Document(data, doc.file, origins)


def path_parts(key: str) -> list:
    """Return the parts of a dotted path: "network.layers[0].size" → ["network", "layers", 0, "size"]."""
    return [int(i) if i else (int(n) if n.isascii() and n.isdigit() else n) for n, i in _PART.findall(key.strip())]


def set_value(data: dict, origins: dict, parts: list, value, origin: Origin, expand=None) -> None:
    """Set `value` at the path `parts` of the spec data, in place, recording `origin` (the --set option, or
    the line of a sweep's axis) for it and for every path inside it; errors are located there."""
    where, line, parts = origin.file, origin.line, list(parts)
    node = data
    for i, part in enumerate(parts[:-1]):
        part = parts[i] = str(part) if isinstance(node, dict) else part  # layers.0 indexes; a key is a name
        here = tuple(parts[:i + 1])
        if isinstance(node, list) and not _has(node, part):
            raise SpecError(f"no item {part} in a list of {len(node)}", file=where, line=line, path=here)
        nxt = node[part] if _has(node, part) else None
        if nxt is None and isinstance(node, dict):
            nxt = node[part] = {}
            origins[here] = origin
        elif isinstance(nxt, str) and expand and expand(here, nxt) is not None:
            nxt = node[part] = expand(here, nxt)
        if not isinstance(nxt, (dict, list)):
            raise SpecError(f"cannot set inside {format_path(here)}: it is not a mapping or list",
                            file=where, line=line, path=here, got=nxt)
        node = nxt
    if isinstance(node, dict):
        parts[-1] = str(parts[-1])
    if isinstance(node, list) and not _has(node, parts[-1]):
        raise SpecError(f"no item {parts[-1]} in a list of {len(node)}", file=where, line=line, path=parts)
    node[parts[-1]] = value
    for p in paths_of(value, tuple(parts)):
        origins[p] = origin


def _has(node, part) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
