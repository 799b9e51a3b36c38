"""What specnet ships besides its code: the schema, the book's specs and the bundled data.

In the repository they sit at the top level (`schemas/`, `specs/`, `data/`); pyproject.toml maps them into
the package as `specnet.schemas`, `specnet.specs` and `specnet.data`, so that a wheel carries them and an
editable install finds them where they are. They are found through `importlib.resources`, never through
paths relative to this file.

    >>> shipped_spec("ch1_sgd").name
    'ch1_sgd.yaml'
    >>> "ch3_l2" in shipped_names()
    True
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from specnet.errors import SpecError
from specnet.registry import suggest

SPEC_SUFFIXES = (".yaml", ".yml")
REINSTALL = ("Reinstall specnet from the wheel or the folder you installed it from "
             "(pip install --force-reinstall WHEEL_OR_FOLDER).")


def resource(package: str, name: str = "") -> Path:
    """Return the path of a file or folder shipped in `package` (e.g. "specnet.schemas")."""
    try:
        root = resources.files(package)
    except ModuleNotFoundError:
        root = None
    path = Path(str(root / name)) if root is not None else None  # a real folder: specnet is never zipped
    if path is None or not path.exists():
        raise SpecError(f"specnet is installed without its {package.split('.')[-1]}/{name}".rstrip("/"),
                        hint=REINSTALL)
    return path


def schema_path() -> Path:
    """Return the path of spec.schema.json."""
    return resource("specnet.schemas", "spec.schema.json")


def mnist_dir() -> Path:
    """Return the folder of the bundled MNIST IDX files."""
    return resource("specnet.data.mnist")


def specs_dir() -> Path:
    """Return the folder of the book's specs (and `examples/`)."""
    return resource("specnet.specs")


def shipped_names() -> list:
    """Return the names of the shipped specs: "ch1_sgd", ..., "examples/iris"."""
    root = specs_dir()
    return sorted(p.relative_to(root).with_suffix("").as_posix() for p in root.rglob("*")
                  if p.suffix in SPEC_SUFFIXES and not p.name.startswith("."))


def is_bare_name(text: str) -> bool:
    """Return True for a shipped spec's name: no suffix, no leading folder but `examples/` or `sweeps/`, no '..'."""
    parts = text.split("/")
    return (bool(text) and not text.endswith(SPEC_SUFFIXES) and ".." not in parts and "\\" not in text
            and (len(parts) == 1 or (len(parts) == 2 and parts[0] in ("examples", "sweeps"))) and all(parts))


def shipped_spec(name: str) -> Path:
    """Return the file of the shipped spec `name` ("ch1_sgd", "examples/iris", "sweeps/ch3_eta_lambda")."""
    path = specs_dir() / f"{name}.yaml"
    if not is_bare_name(name) or not path.is_file():
        raise SpecError("no such spec file, nor a shipped spec of that name", file=name,
                        hint=(suggest(name, shipped_names()) + " 'specnet specs' lists the shipped specs.").strip())
    return path


def spec_file(text) -> Path:
    """Return the spec a command-line argument names: an existing file, else a shipped spec's name."""
    path = Path(text)
    if path.exists() or not is_bare_name(str(text)):
        return path
    return shipped_spec(str(text))


def write_schema(text: str, out: Path) -> Path:
    """Write the schema `text` to `out`, which may replace only an older specnet schema; return `out`."""
    import json
    import os
    import tempfile
    if out.is_symlink() or (out.exists() and not out.is_file()):
        raise SpecError("not a regular file: not overwritten", file=str(out), hint="Choose another file with --out.")
    try:
        if out.exists() and (out.stat().st_size > 1 << 20 or
                             json.loads(out.read_text(encoding="utf-8")).get("title") != json.loads(text)["title"]):
            raise ValueError
    except (ValueError, OSError, AttributeError):
        raise SpecError("the file exists and is not a specnet schema: not overwritten", file=str(out),
                        hint="Choose another file with --out.") from None
    try:
        fd, tmp = tempfile.mkstemp(dir=out.parent if str(out.parent) else ".", prefix=f".{out.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, out)  # atomic: the old schema or the new one, never half of either
    except OSError as e:
        raise SpecError(f"cannot write it: {e.strerror or e}", file=str(out)) from None
    return out
