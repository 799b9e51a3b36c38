"""Reading a run folder back: its resolved spec, metrics and provenance, each file checked before use
(specnet.runs.artefacts), for `evaluate`, `diff`, `plot`, `resume` and `reproduce`."""
from __future__ import annotations

from pathlib import Path

from specnet.errors import SpecError
from specnet.runs.artefacts import check_spec_digest, read_info, read_jsonl
from specnet.runs.lock import status
from specnet.runs.run import Run
from specnet.spec.diff import Side
from specnet.spec.load import load_spec


def is_run_folder(folder) -> Path:
    """Return `folder` as a Path if it has a spec.yaml and a run.json, else raise the one-line error."""
    folder = Path(folder)
    for name in ("spec.yaml", "run.json"):
        if not (folder / name).is_file():
            raise SpecError(f"not a run folder: it has no {name}", file=str(folder),
                            hint="Give a folder made by `specnet run`.")
    return folder


def load_run(folder, check_data: bool = False, edited: bool = False) -> Run:
    """Load a run folder: its resolved spec (data paths relative to the original spec's folder), metrics
    and provenance, each file checked before use (specnet.runs.artefacts); the spec must be the one run.json
    records (unless `edited`: resume --force may go on with an edited spec). The data files are only looked
    at if `check_data`."""
    folder = is_run_folder(folder)
    info = read_info(folder)
    info["status"] = status(folder, info)  # a 'running' run whose process died is 'interrupted'
    if not edited:
        check_spec_digest(folder, info)
    spec = load_spec(folder / "spec.yaml", base_dir=info.get("spec_dir"), check_data=check_data)
    torn = info["status"] != "completed"  # a process that died may have left half a line at the end
    return Run(folder, read_jsonl(folder / "metrics.jsonl", torn_tail=torn), info=info, spec=spec,
               checks=read_jsonl(folder / "checks.jsonl", ("epoch", "images"), torn))


def load_side(path) -> Side:
    """Load one side of a diff: a spec file, or a run folder (without reading its data files)."""
    if Path(path).is_dir():
        run = load_run(path)
        return Side(str(path), run.spec, run.history, run.info)
    return Side(str(path), load_spec(path))


def load_sides(paths) -> list:
    """Load the sides of a diff, two or more (spec files or run folders)."""
    if len(paths) < 2:
        raise SpecError("diff compares two or more specs or runs, and one was given", file="specnet diff",
                        got=str(paths[0]), hint="Give another spec file or run folder: specnet diff A B [C...].")
    return [load_side(path) for path in paths]
