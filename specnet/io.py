"""Save and load trained models without pickle: arrays in model.npz, the rest in model.json.

Also loads the JSON that the book's network2.py saves ({"sizes", "weights", "biases", "cost"}), whose
cost is a class name; those names are mapped below.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from specnet.errors import DataError
from specnet.scaling import Scaling

FORMAT = "specnet-model"
# For compatibility: network2.py saves its cost as the class name; all its layers are sigmoid.
NETWORK2_COSTS = {"CrossEntropyCost": "cross_entropy", "QuadraticCost": "quadratic"}


def save_model(net, folder: Path, activations, cost: str, scaling=None, classes=None) -> Path:
    """Write model.npz (w0, b0, w1, b1, ..., and the input scaling's x_shift, x_scale) and model.json into
    `folder`; return the JSON's path. `classes` names the output neurons' classes (a CSV's labels)."""
    arrays = {f"{k}{i}": a for i, (w, b) in enumerate(zip(net.weights, net.biases)) for k, a in (("w", w), ("b", b))}
    if scaling is not None:
        arrays.update(x_shift=scaling.shift, x_scale=scaling.scale)
    with open(folder / "model.npz", "xb") as f:
        np.savez(f, **arrays)
    meta = {"format": FORMAT, "version": 1, "sizes": net.sizes, "activations": list(activations), "cost": cost,
            "dtype": str(net.dtype), "scale": scaling.type if scaling is not None else "none",
            "classes": classes, "arrays": "model.npz",
            "sha256": hashlib.sha256((folder / "model.npz").read_bytes()).hexdigest()}
    with open(folder / "model.json", "x") as f:
        json.dump(meta, f, indent=2)
    return folder / "model.json"


def load_model(path: Path) -> dict:
    """Return {"sizes", "activations", "cost", "dtype", "weights", "biases"} from a specnet or network2 JSON file."""
    if not Path(path).is_file():
        raise DataError("no such run folder or model file", file=str(path), hint="Check the path.")
    try:
        meta = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise DataError(f"cannot read it as a model: {e}", file=str(path),
                        hint="Give a run folder or its model.json.") from None
    if not isinstance(meta, dict):
        raise DataError(f"{path} is not a model file", got=type(meta).__name__)
    if meta.get("format") == "specnet-baseline":
        return meta
    if meta.get("format") == FORMAT:
        npz = Path(path).parent / meta["arrays"]
        if not npz.is_file():
            raise DataError(f"the model's arrays {npz} are missing", file=str(path))
        if hashlib.sha256(npz.read_bytes()).hexdigest() != meta["sha256"]:
            raise DataError(f"{npz} does not match the checksum in {path}: the model is corrupt")
        with np.load(npz, allow_pickle=False) as z:
            n = len(meta["sizes"]) - 1
            meta["weights"], meta["biases"] = [z[f"w{i}"] for i in range(n)], [z[f"b{i}"] for i in range(n)]
            scaled = meta.get("scale", "none") != "none"
            meta["scaling"] = Scaling(meta["scale"], z["x_shift"], z["x_scale"]) if scaled else None
        s = meta["scaling"]
        if s is not None and not all(a.shape == (meta["sizes"][0],) and a.dtype.kind == "f" and np.isfinite(a).all()
                                     for a in (s.shift, s.scale)):
            raise DataError(f"the input scaling in {npz} is not one finite number per input", file=str(path),
                            hint="The model is damaged: train it again.")
        return meta
    if {"sizes", "weights", "biases", "cost"} <= set(meta):
        cost = NETWORK2_COSTS.get(meta["cost"], meta["cost"])
        return {"sizes": meta["sizes"], "activations": ["sigmoid"] * (len(meta["sizes"]) - 1), "cost": cost,
                "dtype": "float64", "weights": [np.array(w, dtype=float) for w in meta["weights"]],
                "biases": [np.array(b, dtype=float).reshape(-1, 1) for b in meta["biases"]]}
    raise DataError(f"{path} is neither a specnet model.json nor a network2.py save file",
                    hint="Expected the keys format, sizes, ... or network2's sizes, weights, biases, cost.")
