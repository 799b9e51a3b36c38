"""Save and load trained models without pickle: arrays in model.npz, the rest in model.json.

Also loads the JSON that the book's network2.py saves ({"sizes", "weights", "biases", "cost"}), whose
cost is a class name (specnet.runs.modelcheck maps those names).
"""
from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import numpy as np

from specnet.runs.artefacts import MiB, read_json
from specnet.errors import DataError
from specnet.runs.modelcheck import baseline, network2, read_arrays
from specnet.runs.files import write_atomic
from specnet.runs.strictjson import dumps
from specnet.training.network import FORMAT

# A network2 file holds its arrays as text: the book's largest, [784, 100, 10], takes 1.8 MB (64 MB allowed a
# 58 MB file that took 2.2 s and 778 MB to parse). A specnet model.json holds no arrays.
MODEL_JSON_BYTES = 8 * MiB


def npz_bytes(arrays: dict) -> bytes:
    """Return a .npz archive of `arrays`: the same bytes for the same arrays (its zip entries carry a fixed
    time, where np.savez writes the time of writing)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, a in arrays.items():
            with z.open(zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0)), "w", force_zip64=True) as f:
                np.lib.format.write_array(f, np.ascontiguousarray(a), allow_pickle=False)
    return buf.getvalue()


def save_model(model, folder: Path, scaling=None, classes=None) -> Path:
    """Write a model (a network or a baseline) into `folder`, never over a file: model.json, what the model
    says of itself (`saved()`), and, for a model with arrays (`arrays()`: a network's w0, b0, w1, b1, ...),
    model.npz with them and the input scaling's x_shift, x_scale. Return model.json's path. `classes`
    names the output neurons' classes (a CSV's labels)."""
    meta, arrays = model.saved(), model.arrays()
    if arrays:
        if scaling is not None:
            arrays.update(x_shift=scaling.shift, x_scale=scaling.scale)
        data = npz_bytes(arrays)
        write_atomic(folder / "model.npz", data, new=True)
        meta.update(scale=scaling.type if scaling is not None else "none", classes=classes, arrays="model.npz",
                    sha256=hashlib.sha256(data).hexdigest())
    write_atomic(folder / "model.json", (dumps(meta, indent=2) + "\n").encode(), new=True)
    return folder / "model.json"


def load_model(path: Path) -> dict:
    """Return {"sizes", "activations", "cost", "dtype", "weights", "biases"} (and "scaling" for specnet's) from a
    specnet or network2 JSON file, or a baseline's model.json; every part is checked first (specnet.runs.modelcheck)."""
    path = Path(path)
    if not path.exists():
        raise DataError("no such run folder or model file", file=str(path), hint="Check the path.")
    meta = read_json(path, MODEL_JSON_BYTES, "model file")
    if not isinstance(meta, dict):
        raise DataError("not a model file", file=str(path), got=type(meta).__name__,
                        hint="Give a run folder or its model.json.")
    if meta.get("format") == "specnet-baseline":
        return baseline(meta, path)
    if meta.get("format") == FORMAT:
        return {**meta, **read_arrays(meta, path)}
    if {"sizes", "weights", "biases", "cost"} <= set(meta):
        return network2(meta, path)
    raise DataError("neither a specnet model.json nor a network2.py save file", file=str(path),
                    hint="Expected the keys format, sizes, ... or network2's sizes, weights, biases, cost.")
