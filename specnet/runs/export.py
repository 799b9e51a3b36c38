"""Take a trained network elsewhere: the JSON that the book's network2.py saves and loads, or ONNX
(specnet.runs.onnxfile). Also finds the trained model of a run folder or model file for `specnet predict`.

    $ specnet export runs/ch1_sgd-20261123-101500 --format network2 -o net.json
    $ specnet export runs/ch1_sgd-20261123-101500 -o net.onnx

The network2 file is network2.py's `save()` layout, {"sizes", "weights", "biases", "cost"}, the cost
spelled as its class name; `specnet evaluate net.json` and network2's `load()` read it back.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

from specnet.errors import DataError, SpecError
from specnet.runs.files import write_atomic
from specnet.runs.folder import load_run
from specnet.runs.io import load_model
from specnet.runs.modelcheck import NETWORK2_COSTS, check_matches

NETWORK2_NAMES = {name: cls for cls, name in NETWORK2_COSTS.items()}  # the same table, read the other way
FORMATS = {"network2": ".json", "onnx": ".onnx"}
IMAGE_INPUT = "{n} pixels of a {side}x{side} grayscale image, row by row, scaled to [0, 1] (byte / 255), white on black"


def trained(path) -> dict:
    """Return the trained model of a completed run (checked against its spec) or of a model file (a specnet
    model.json or a network2 JSON file, taken as MNIST's, as `specnet evaluate` takes it), as `load_model`
    gives it, with "name", "image" (the side of a square input image, or None) and "input" (what the
    inputs are, in words)."""
    path = Path(path)
    if path.is_dir() or (path.name == "model.json" and (path.parent / "spec.yaml").is_file()):
        folder = path if path.is_dir() else path.parent
        run = load_run(folder)
        if run.spec.baseline is not None:
            raise SpecError(f"the {run.spec.baseline.type} baseline has no weights to export or run elsewhere: it "
                            "classifies by each digit's average darkness", file=str(folder),
                            hint="Evaluate it with specnet evaluate; export a run of a network.")
        if run.info["status"] != "completed":
            raise SpecError(f"this run is {run.info['status']}: it has no trained model", file=str(folder),
                            hint=f"specnet resume {folder} completes it.")
        model = load_model(folder / "model.json")
        check_matches(model, run.spec, folder / "model.json")
        source, name = run.spec.data.source.type, run.spec.name
    else:
        model, source, name = load_model(path), "mnist", path.stem
        if model.get("format") == "specnet-baseline":
            raise SpecError("a baseline has no weights to export or run elsewhere", file=str(path),
                            hint="Evaluate it in its run folder with specnet evaluate.")
    n, scale = model["sizes"][0], model.get("scale", "none")
    image = math.isqrt(n) if source in ("mnist", "idx") and math.isqrt(n) ** 2 == n else None  # IDX files hold images
    return {**model, "name": name, "image": image,
            "input": IMAGE_INPUT.format(n=n, side=image) if image else f"{n} numbers per example, as in the training "
            "data" + (f" (the graph applies its fitted data.scale: {scale})" if scale != "none" else "")}


def network2_json(model: dict, file) -> dict:
    """Return network2.py's save() layout of a model, or raise one line on what network2 cannot hold."""
    others = sorted(set(model["activations"]) - {"sigmoid"})
    if others:
        raise DataError(f"network2.py's neurons are all sigmoid, and this network has {', '.join(others)} ones",
                        file=str(file), hint="Export it with --format onnx, which has every specnet activation.")
    if model["cost"] not in NETWORK2_NAMES:
        raise DataError(f"network2.py has the quadratic and cross-entropy costs, not {model['cost']}",
                        file=str(file), hint="Export it with --format onnx.")
    if model.get("scale", "none") != "none":
        raise DataError(f"network2.py feeds its inputs unscaled, and this network was trained on inputs scaled by "
                        f"data.scale: {model['scale']}", file=str(file),
                        hint="Export it with --format onnx, whose graph applies the scaling.")
    # NOTE: float32 numbers are written exactly (every float32 is a float64); network2 computes in float64.
    return {"sizes": model["sizes"], "weights": [w.tolist() for w in model["weights"]],
            "biases": [b.reshape(-1, 1).tolist() for b in model["biases"]], "cost": NETWORK2_NAMES[model["cost"]]}


def export_model(path, out, format: str | None = None, force: bool = False) -> str:
    """Write the trained model of a run folder or model file to `out` as `format` ("network2" or "onnx";
    by default from out's extension), never over an existing file unless `force`; return what was done."""
    out = Path(out)
    format = format or next((f for f, ext in FORMATS.items() if out.suffix.lower() == ext), None)
    if format is None:
        raise SpecError("cannot tell the format from the file's extension", file=str(out), path="--out",
                        hint="Give --format network2 or --format onnx (or name it .json or .onnx).")
    wrong = next((f for f, ext in FORMATS.items() if out.suffix.lower() == ext and f != format), None)
    if wrong:  # network2 JSON in a file named .onnx, or the other way round
        raise SpecError(f"the file's extension says {wrong}, and --format says {format}", file=str(out), path="--out",
                        hint=f"Name it {FORMATS[format]}, or leave out --format.")
    if (out.exists() or out.is_symlink()) and not force:
        raise SpecError("the file exists", file=str(out), hint="Give another name, or --force to replace it.")
    model = trained(path)
    if format == "network2":
        data = (json.dumps(network2_json(model, path), allow_nan=False) + "\n").encode()
    else:
        from specnet.runs.onnxfile import onnx_bytes
        data = onnx_bytes(model)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, data)
    return f"Wrote {out} ({format}, sizes {model['sizes']}, {len(data):,} bytes)"
