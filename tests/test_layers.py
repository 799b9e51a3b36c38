"""The package's layers: each stage imports only itself and earlier stages, and no modules import each other
in a circle. Every import is read with ast, at the top of a module and inside its functions alike.

    errors, registry, resources (specnet/*.py)  →  spec  →  components  →  datasets  →  training  →  runs
        →  sweeps  →  commands

The spec stages may use the components and the datasets (the checks read what a registry entry says of
itself and describe the data without loading it; the Spec's data.expand is datasets.expand.Expansion);
neither of those imports training, which the rule itself guarantees.
"""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "specnet"
STAGES = ("", "spec", "components", "datasets", "training", "runs", "sweeps", "commands")
ALSO = {"spec": {"components", "datasets"}}  # later stages a stage may use, besides the earlier ones


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def stage(module: str) -> str:
    """Return a module's stage: its subpackage, or "" for the top-level modules (errors, registry, resources);
    `python -m specnet` (specnet/__main__.py) is the command line."""
    parts = module.split(".")
    if module == "specnet.__main__":
        return "commands"
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in STAGES) else ""


def imports(module: str) -> set:
    """Return the specnet modules `module` imports anywhere in its code (a package's submodule by its name)."""
    found = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "specnet")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "specnet":
            found.update(f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in MODULES else node.module
                         for a in node.names)
    return found - {module}


GRAPH = {m: imports(m) for m in MODULES}


def test_every_import_names_a_module():
    assert {i for targets in GRAPH.values() for i in targets} <= set(MODULES)


def test_stages_import_only_earlier_stages():
    later = []
    for module, targets in GRAPH.items():
        mine = STAGES.index(stage(module))
        for target in targets:
            theirs = stage(target)
            if STAGES.index(theirs) > mine and theirs not in ALSO.get(stage(module), ()):
                later.append(f"{module} imports {target}")
    assert not later, "\n".join(later)


def test_no_import_circles():
    circles, done = [], set()

    def visit(module, path):
        if module in path:
            circles.append(" -> ".join(path[path.index(module):] + [module]))
            return
        if module in done:
            return
        for target in sorted(GRAPH[module]):
            visit(target, path + [module])
        done.add(module)

    for module in sorted(GRAPH):
        visit(module, [])
    assert not circles, "\n".join(circles)


def test_the_stages_are_the_subpackages():
    assert {stage(m) for m in MODULES} == set(STAGES)
    assert stage("specnet.errors") == stage("specnet") == "" and stage("specnet.spec") == "spec"


def test_the_memory_estimate_follows_the_executor():
    """The memory check does not import the executor (a later stage); the sizes it copies must agree."""
    import importlib

    from specnet.spec import memory
    found = {}
    for module in (m for m in MODULES if stage(m) == "training"):
        own = vars(importlib.import_module(module))
        found.update({name: own[name] for name in ("_CHUNK", "_BLOCK", "DENSE_FROM", "WIDE", "LOOPS_UP_TO")
                      if name in own})
    assert found == {"_CHUNK": memory.CHUNK, "_BLOCK": memory.BLOCK, "DENSE_FROM": memory.DENSE_FROM,
                     "WIDE": memory.WIDE, "LOOPS_UP_TO": memory.LOOPS_UP_TO}
