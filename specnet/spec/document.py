"""Read a YAML spec into plain data plus the origin (file:line, base spec, --set or default) of every value.

    >>> doc = parse_yaml("seed: 1\\ntraining:\\n  epochs: 1e1\\n", "x.yaml")
    >>> doc.data, doc.where(("training", "epochs"))
    ({'seed': 1, 'training': {'epochs': 10.0}}, ('x.yaml', 3))
"""
from __future__ import annotations

import copy
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from specnet.errors import SpecError
from specnet.spec.yamlbounds import Budget, Loader as _Loader, check_text, read_spec_text
from specnet.resources import SPEC_SUFFIXES, is_bare_name, shipped_spec, spec_file


@dataclass(frozen=True)
class Origin:
    """Where a value came from: kind is "file", "base" (an extended spec), "set" (--set) or "default"."""
    kind: str
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        return {"default": "default", "set": str(self.file)}.get(self.kind, f"{self.file}:{self.line}")


@dataclass
class Document:
    """A spec's data (dicts, lists, scalars) and the origin of every path in it."""
    data: dict
    file: str | None
    origins: dict = field(default_factory=dict)

    def where(self, path) -> tuple:
        """Return (file, line) of `path`, or of its nearest ancestor that has one."""
        return locate(self.origins, path, self.file)


def locate(origins: dict, path, file) -> tuple:
    """Return (file, line) of the nearest `path` prefix written in a file or on the command line."""
    path = tuple(path)
    for i in range(len(path), -1, -1):
        o = origins.get(path[:i])
        if o is not None and o.kind != "default":
            return o.file, o.line
    return file, None


_PLAIN = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def _walk(node, loader, path, origins, file, kind, budget):
    """Build the Python value of `node`, recording the line of every path; reject duplicate keys, and
    numbers that are not finite."""
    line = node.start_mark.line + 1
    budget.take(line)
    origins.setdefault(path, Origin(kind, file, line))
    if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN:
        raise SpecError(f"YAML tag {node.tag} is not allowed: a spec is data, never code", file=file, line=line,
                        path=path, hint="Remove the !! tag.")
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise SpecError("keys must be names", file=file, line=key_line, path=path, got=key)
            if key in out:
                first = origins[path + (key,)].line
                raise SpecError(f"duplicate key '{key}' (first set on line {first})", file=file, line=key_line,
                                path=path + (key,), hint="Keep one of them.")
            origins[path + (key,)] = Origin(kind, file, key_line)
            out[key] = _walk(value_node, loader, path + (key,), origins, file, kind, budget)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(n, loader, path + (i,), origins, file, kind, budget) for i, n in enumerate(node.value)]
    try:
        value = loader.construct_object(node, deep=True)
    except (ValueError, OverflowError):  # an integer of more than 4,300 digits
        value = OverflowError
    if value is OverflowError or isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**63:
        raise SpecError("is not a number specnet can hold: integers stop at 2**63", file=file, line=line, path=path,
                        got=node.value, hint="Is a digit repeated by mistake?")
    if isinstance(value, float) and not math.isfinite(value):
        raise SpecError("must be a finite number", file=file, line=line, path=path, got=node.value,
                        hint="specnet takes no infinities or NaN (YAML reads 1e999 as infinity).")
    return value


def parse_yaml(text: str, file: str, kind: str = "file") -> Document:
    """Parse `text` with the safe loader into a Document; a YAML syntax error becomes one SpecError."""
    check_text(text, file, _Loader)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        origins: dict = {} if node is not None else {(): Origin(kind, file, 1)}  # an empty file: its line 1
        data = {} if node is None else _walk(node, loader, (), origins, file, kind, Budget(file))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problem = e.problem or e.context
        hint = ("Put quotes around a value that contains ': '." if "mapping values" in str(problem) else
                "A spec is plain data: remove the !! tag." if "constructor" in str(problem) else
                "Check the indentation, the ':' after each key and the brackets.")
        raise SpecError(f"invalid YAML: {problem}", file=file, line=mark.line + 1 if mark else None,
                        hint=hint) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):  # named by its kind: a message never repeats a file's contents
        kind_of = {str: "a text", list: "a list"}.get(type(data), "a single value")
        raise SpecError(f"a spec must be a mapping of keys to values; this file is {kind_of}", file=file, line=1)
    return Document(data, file, origins)


def read_yaml(path, expand=None, kind: str = "file", _chain: tuple = ()) -> Document:
    """Read the spec at `path`, merged over its `extends:` base spec if it names one.

    `expand(path, name)` returns the mapping a bare name stands for ({split: training} for `training`),
    so that a mapping in the spec can be merged onto a bare name in its base.
    """
    path = spec_file(path) if not _chain else Path(path)  # `specnet run ch1_sgd`: a shipped spec by name
    text = read_spec_text(path)
    doc = parse_yaml(text, str(path), kind)
    base = doc.data.pop("extends", None)
    if base is None:
        return doc
    file, line = doc.where(("extends",))
    if not isinstance(base, str):
        raise SpecError("extends must be the path of a base spec", file=file, line=line, path="extends", got=base)
    if "\0" in base or Path(base).is_absolute() or (not is_bare_name(base) and not base.endswith(SPEC_SUFFIXES)):
        raise SpecError("extends names a .yaml spec relative to this one, or a shipped spec by name", file=file,
                        line=line, path="extends", got=base, hint="For example: extends: ../base.yaml, or extends: ch1_sgd.")
    base_path = path.parent / base
    if not _is_file(base_path) and is_bare_name(base):  # extends: ch1_sgd, a shipped spec by name
        try:
            base_path = shipped_spec(base)
        except SpecError as e:
            raise SpecError("no such base spec", file=file, line=line, path="extends", got=base,
                            hint=f"A path is relative to the folder of {path}, a bare name is a shipped spec."
                                 f" {e.hint}") from None
    if base_path.resolve() in _chain + (path.resolve(),):
        raise SpecError("extends makes a cycle", file=file, line=line, path="extends", got=base)
    if not _is_file(base_path):
        raise SpecError("no such base spec", file=file, line=line, path="extends", got=base,
                        hint=f"The path is relative to the folder of {path}; a bare name (ch1_sgd) is a shipped spec.")
    parent = read_yaml(base_path, expand, "base", _chain + (path.resolve(),))  # errors name its own file:line
    if not {"specnet", "extends"} & set(parent.data):
        raise SpecError("not a specnet spec: it has no 'specnet' key", file=str(base_path), line=1,
                        hint=f"extends in {path} must name a spec.")
    for own in ("name", "description", "book"):  # what a spec is and which result it stands for: never inherited
        parent.data.pop(own, None)
    _rebase(parent.data.get("data", {}).get("source"), base_path.parent, path.parent)
    return merged(parent, doc, expand)


def _is_file(path: Path) -> bool:
    """Return whether `path` is a regular file; a name too long for the file system, or holding a NUL, is not."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _rebase(source, frm: Path, to: Path) -> None:
    """Make the base spec's relative data paths (data.source's `path` keys) relative to the extending spec's
    folder, so that they still name the files beside the base (extends: examples/iris from any folder)."""
    if not isinstance(source, dict) or frm.resolve() == to.resolve():
        return
    for key, value in source.items():
        if key == "path" and isinstance(value, str) and not Path(value).is_absolute():
            source[key] = Path(os.path.relpath(frm.resolve() / value, to.resolve())).as_posix()
        elif isinstance(value, dict):
            _rebase(value, frm, to)


def _merge(base, over, path=(), expand=None):
    # A mapping merges key by key, unless it names another component `type` than the base: then it replaces it.
    if isinstance(base, str) and isinstance(over, dict) and expand is not None:
        base = expand(path, base) or base
    if isinstance(base, dict) and isinstance(over, dict) and over.get("type", base.get("type")) == base.get("type"):
        return {**base, **{k: _merge(base[k], v, path + (k,), expand) if k in base else v for k, v in over.items()}}
    return copy.deepcopy(over)


def paths_of(value, path=()):
    """Yield the path of every node of a nested value, the root first."""
    yield path
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for k, v in items:
        yield from paths_of(v, path + (k,))


def merged(base: Document, over: Document, expand=None) -> Document:
    """Return `over` merged onto `base`; each path keeps the origin of the document its value came from."""
    data = _merge(base.data, over.data, (), expand)
    origins = {p: over.origins.get(p) or base.origins.get(p) for p in paths_of(data)}
    return Document(data, over.file, {p: o for p, o in origins.items() if o})
