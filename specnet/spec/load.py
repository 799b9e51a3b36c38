"""From a YAML file to a resolved, checked Spec, in pure stages that each raise one kind of SpecError:

    read_yaml (+ extends) → apply_overrides (--set) → validate_schema → fill defaults → run_checks → Spec

    >>> spec = load_spec("specs/ch1_sgd.yaml", ["training.epochs=1"])
    >>> spec.network.sizes, spec.training.epochs, spec.training.optimizer
    ([784, 30, 10], 1, Component(type='sgd', params={'eta': 3.0, 'mu': 0.0, 'nesterov': False}))
"""
from __future__ import annotations

from pathlib import Path

from specnet.datasets.sources import source_of
from specnet.spec import checks, number_checks, training_checks
from specnet.spec.document import Document, Origin, read_yaml
from specnet.spec.overrides import apply_overrides
from specnet.errors import SpecError, raise_all
from specnet.spec.resolve import Spec, build_spec, fill
from specnet.spec.schema import load_schema, mapping_form
from specnet.spec.schema_errors import validate_schema
from specnet.spec.sweep import check_not_a_sweep, command_line_sweep, sweep_points


# The modules of checks, each listing its own (CHECKS). run_checks runs them all in name order, as they always ran.
CHECK_MODULES = (checks, training_checks, number_checks)
NEED_NO_NETWORK = ("model", "splits", "expectations", "expansion", "finite", "dtype_range", "memory")


def load_spec(path, overrides=(), base_dir=None, check_data: bool = True) -> Spec:
    """Return the resolved Spec of the YAML file at `path`, with "dotted.path=value" overrides applied.

    Relative data paths are relative to the spec's folder, or to `base_dir` if given (for a run's spec.yaml).
    With `check_data` false the data files are not looked at (and checks that need them are skipped).
    """
    return spec_from_document(spec_document(path, overrides), base_dir, check_data)


def spec_document(path, overrides=()) -> Document:
    """Return the Document of the spec at `path` with its overrides, before validation (a sweep refused)."""
    doc = apply_overrides(read_yaml(path, mapping_form), overrides, mapping_form)
    check_not_a_sweep(doc)
    return doc


def load_sweep(path, overrides=(), axes=(), seeds=None) -> list:
    """Return the Points of a sweep (specnet.spec.sweep): the file's `sweep:` block, or the command line's
    `--sweep PATH=V1,V2 --seeds N` (which extend or make one), each point resolved and checked."""
    doc = apply_overrides(read_yaml(path, mapping_form), overrides, mapping_form)
    if axes or seeds is not None:
        doc = command_line_sweep(doc, axes, seeds)
    validate_schema(doc)
    if "sweep" not in doc.data:
        raise SpecError("this spec has no sweep: block", file=doc.file, path="sweep",
                        hint="Add one (docs/sweeps.md), or give the axes: specnet sweep SPEC --sweep "
                             "training.optimizer.eta=0.025,0.25,2.5 --seeds 2.")
    return sweep_points(doc, spec_from_document)


def spec_from_dict(data: dict, file: str | None = None) -> Spec:
    """Return the resolved Spec of spec data given as a dict (file, if given, names it in errors)."""
    return spec_from_document(Document(dict(data), file, {}))


def spec_from_document(doc: Document, base_dir=None, check_data: bool = True) -> Spec:
    """Validate, fill in defaults and check a Document; raise every problem found at once."""
    validate_schema(doc)
    origins = dict(doc.origins)
    data = dict(doc.data)
    if "name" not in data:
        data["name"] = Path(doc.file).stem if doc.file else "unnamed"
        origins[("name",)] = Origin("default")
    resolved = fill(data, load_schema(), (), origins)
    spec = build_spec(resolved, doc.file, origins, base_dir)
    problems, info = [], None
    try:
        info = describe_data(spec) if check_data else None
    except SpecError as e:
        problems = [e]
    problems += run_checks(spec, info)
    raise_all([p.located(*spec.where(p.parts)) if p.file is None else p for p in problems])
    return spec


def run_checks(spec, info) -> list:
    """Return the CheckErrors of every check (empty when the spec is sound); a spec without exactly one
    network gets only the checks that need none."""
    found = {check.__name__: check for m in CHECK_MODULES for check in m.CHECKS}
    names = sorted(found) if len(spec.models) == 1 and spec.model.layers else NEED_NO_NETWORK
    return [problem for name in names for problem in found[name](spec, info)]


def describe_data(spec):
    """Return the data's Info (widths, classes, split sizes) without loading the examples."""
    return source_of(spec.data.source).describe(spec.base)
