"""Checks of a model file before use (specnet.runs.io loads it): model.json key by key, then model.npz member by
member from its .npy headers (names, shapes, dtypes, no objects) before any array is read; network2.py's
JSON by the shapes its sizes imply; and a run's model against the run's spec. Each problem is one line
naming the file:

    runs/tiny-20261129-101500/model.npz: array w0 has shape (2, 3) float64; model.json's sizes [2, 3, 1] need (3, 2) float64. The run folder is damaged or was changed by hand: train the spec again.
"""
from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import numpy as np

from specnet.components.activations import ACTIVATIONS
from specnet.components.baselines import BASELINES
from specnet.components.costs import COSTS
from specnet.datasets.idx import DAMAGED
from specnet.datasets.npyheader import ZIP_MAGIC, header
from specnet.datasets.scaling import SCALINGS, Scaling
from specnet.errors import DataError, cut, shown
from specnet.runs.artefacts import COUNT, DAMAGED_HINT, SHA, SIZES, TEXT, TEXTS, check_fields

MODEL_BYTES = 4 << 30  # the arrays of a model, all together (the book's largest, [784, 100, 10], takes 0.6 MB)
META = {"format": (TEXT,), "version": (COUNT,), "sizes": (SIZES,), "activations": (TEXTS,), "cost": (TEXT,),
        "dtype": (TEXT,), "scale": (TEXT,), "classes": (TEXTS, None), "arrays": (TEXT,), "sha256": (SHA,)}
DTYPES = ("float32", "float64")
# For compatibility: network2.py saves its cost as the class name; all its layers are sigmoid.
NETWORK2_COSTS = {"CrossEntropyCost": "cross_entropy", "QuadraticCost": "quadratic"}


def _known(meta: dict, path) -> None:
    """The names in model.json must be specnet's (a registry entry, a dtype, a file beside it)."""
    for key, names in (("activations", ACTIVATIONS.names()), ("cost", COSTS.names()), ("dtype", DTYPES),
                       ("scale", SCALINGS.names())):
        for value in meta[key] if key == "activations" else [meta.get(key, "none")]:
            if value not in names:
                raise DataError(f"unknown {key.rstrip('s')} '{value}'", file=str(path), path=key,
                                hint=f"Known: {', '.join(names)}.")
    if len(meta["activations"]) != len(meta["sizes"]) - 1:
        raise DataError(f"{len(meta['activations'])} activations for {len(meta['sizes']) - 1} layers",
                        file=str(path), path="activations", got=meta["activations"], hint=DAMAGED_HINT)
    if meta["arrays"] != Path(meta["arrays"]).name or not meta["arrays"].endswith(".npz"):
        raise DataError("must name a .npz file beside model.json", file=str(path), path="arrays",
                        got=meta["arrays"], hint=DAMAGED_HINT)
    if meta["version"] != 1:
        raise DataError("a model.json version this specnet cannot read", file=str(path), path="version",
                        got=meta["version"], hint="Evaluate it with the specnet that made it.")


def expected_arrays(meta: dict) -> dict:
    """Return {name: (shape, dtype)} of the arrays that model.json's sizes, dtype and scale imply."""
    sizes, dtype = meta["sizes"], np.dtype(meta["dtype"])
    out = {k: v for i, (n_in, n) in enumerate(zip(sizes, sizes[1:]))
           for k, v in ((f"w{i}", ((n, n_in), dtype)), (f"b{i}", ((n, 1), dtype)))}
    if meta.get("scale", "none") != "none":  # fitted and applied in float64 whatever the network's dtype
        out.update(x_shift=((sizes[0],), np.dtype("float64")), x_scale=((sizes[0],), np.dtype("float64")))
    return out


def read_arrays(meta: dict, path: Path) -> dict:
    """Check model.json (`meta`, read from `path`) and return its arrays from model.npz as
    {"weights", "biases", "scaling"}; nothing is allocated before every header has been checked."""
    check_fields(meta, META, ("format", "version", "sizes", "activations", "cost", "dtype", "arrays", "sha256"), path)
    _known(meta, path)
    expected = expected_arrays(meta)
    total = sum(int(np.prod(s, dtype=object)) * d.itemsize for s, d in expected.values())
    if total > MODEL_BYTES:
        raise DataError(f"sizes {meta['sizes']} would take {total / (1 << 30):.1f} GiB, more than "
                        f"{MODEL_BYTES >> 30} GiB", file=str(path), path="sizes", hint=DAMAGED_HINT)
    npz = Path(path).parent / meta["arrays"]

    def fail(problem, hint=DAMAGED_HINT):
        return DataError(problem, file=str(npz), hint=hint)

    if not npz.is_file():
        raise fail(f"the model's arrays are missing (named in {path})")
    if npz.stat().st_size > total + 1024 * (len(expected) + 1):  # a zip entry and a .npy header per array
        raise fail(f"it has {npz.stat().st_size:,} bytes, more than arrays of sizes {meta['sizes']} take")
    with open(npz, "rb") as f:
        data = f.read()  # bounded above; what is checked is what is loaded
    if hashlib.sha256(data).hexdigest() != meta["sha256"]:
        raise fail(f"it does not match the SHA-256 in {path}: the model is corrupt")
    if not data.startswith(ZIP_MAGIC):
        raise fail("not a .npz archive (a zip file of .npy arrays)")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            names = set(z.files)
            if names != set(expected):
                raise fail(f"its arrays are {', '.join(sorted(names)) or 'none'}; model.json's sizes "
                           f"{meta['sizes']} need {', '.join(sorted(expected))}")
            for name, (shape, dtype) in expected.items():
                found = header(z, name, fail)
                if found[:2] != (shape, dtype):
                    raise fail(f"array {name} has shape {found[0]} {found[1]}; model.json's sizes {meta['sizes']} "
                               f"need {shape} {dtype}")
            arrays = {name: z[name] for name in expected}
    except DataError:
        raise
    except (*DAMAGED, ValueError, KeyError, zipfile.BadZipFile, NotImplementedError, RuntimeError) as e:
        raise fail(f"cannot read it as .npz: {cut(e)}") from None
    n = len(meta["sizes"]) - 1
    for name in (k for k in arrays if k[0] in "wb" and not np.isfinite(arrays[k]).all()):
        raise fail(f"array {name} holds NaN or an infinity: no trained network does (a diverged run keeps no model)")
    scaled = "x_shift" in arrays
    if scaled and not all(np.isfinite(arrays[k]).all() for k in ("x_shift", "x_scale")):
        raise fail("the input scaling x_shift, x_scale is not one finite number per input")
    return {"weights": [arrays[f"w{i}"] for i in range(n)], "biases": [arrays[f"b{i}"] for i in range(n)],
            "scaling": Scaling(meta["scale"], arrays["x_shift"], arrays["x_scale"]) if scaled else None}


def _matrix(value, key: str, i: int, sizes: list, path) -> np.ndarray:
    """Return network2's weights[i] or biases[i] as a float array of the shape sizes imply: (sizes[i+1],
    sizes[i]) for a weight matrix, (sizes[i+1], 1) for a bias column (also accepted flat: (sizes[i+1],))."""
    name, shape = f"{key}[{i}]", (sizes[i + 1], sizes[i] if key == "weights" else 1)
    hint = (f"Layer {i + 1} has {sizes[i]} inputs and {sizes[i + 1]} neurons: give the JSON file that "
            "network2.py's save() writes.")
    try:
        a = np.array(value, dtype=np.float64)
    except (ValueError, TypeError, OverflowError):
        raise DataError(f"{name} must be a matrix of numbers of shape {shape}", file=str(path), hint=hint) from None
    if a.shape != shape and not (key == "biases" and a.shape == shape[:1]):
        transposed = " (transposed? network2 saves weights[i] as sizes[i+1] x sizes[i])" if a.T.shape == shape else ""
        raise DataError(f"{name} has shape {a.shape}, sizes need {shape}{transposed}", file=str(path), hint=hint)
    if not np.isfinite(a).all():
        raise DataError(f"{name} holds NaN or an infinity", file=str(path), hint=hint)
    return a.reshape(shape)


def network2(meta: dict, path) -> dict:
    """Return the model of a network2.py save file, every array checked against its sizes."""
    check_fields(meta, {"sizes": (SIZES,), "cost": (TEXT,)}, ("sizes", "cost"), path)
    sizes, n = meta["sizes"], len(meta["sizes"]) - 1
    cost = NETWORK2_COSTS.get(meta["cost"], meta["cost"])
    if cost not in NETWORK2_COSTS.values():  # network2.py's layers are all sigmoid: no log-likelihood
        raise DataError(f"unknown cost '{meta['cost']}'" if cost not in COSTS.names() else f"cost '{cost}' needs a "
                        "softmax output layer, and a network2.py network is sigmoid throughout", file=str(path),
                        path="cost", hint=f"Known: {', '.join(list(NETWORK2_COSTS) + list(NETWORK2_COSTS.values()))}.")
    for key in ("weights", "biases"):
        if not isinstance(meta[key], list) or len(meta[key]) != n:
            raise DataError(f"must be a list of {n} arrays, one per layer of sizes {sizes}", file=str(path),
                            path=key, got=type(meta[key]).__name__ if not isinstance(meta[key], list) else len(meta[key]))
    return {"sizes": sizes, "activations": ["sigmoid"] * n, "cost": cost, "dtype": "float64",
            **{key: [_matrix(a, key, i, sizes, path) for i, a in enumerate(meta[key])] for key in ("weights", "biases")}}


def baseline(meta: dict, path) -> dict:
    """Return a baseline's model.json, checked: a registered baseline and one number (or null) per class."""
    check_fields(meta, {"baseline": (TEXT,)}, ("baseline", "means"), path)
    if meta["baseline"] not in BASELINES.names():
        raise DataError(f"unknown baseline '{meta['baseline']}'", file=str(path), path="baseline",
                        hint=f"Known: {', '.join(BASELINES.names())}.")
    means = meta["means"]
    if not (isinstance(means, list) and 0 < len(means) <= 10_000 and all(
            m is None or isinstance(m, (int, float)) and not isinstance(m, bool) for m in means)):
        raise DataError("must be a list of numbers or null, one per class", file=str(path), path="means",
                        got=means, hint=DAMAGED_HINT)
    return meta


def check_matches(model: dict, spec, path) -> None:
    """Refuse a run's model whose network is not the run's spec's (sizes, activations, cost, dtype, scale)."""
    if not spec.model.layers or model.get("format") == "specnet-baseline":  # a baseline's file, or the spec's
        pairs = [("baseline", model.get("baseline"), spec.baseline and spec.baseline.type)]
    else:
        net = spec.network
        pairs = [("sizes", model["sizes"], net.sizes), ("activations", model["activations"],
                                                         [la.activation for la in net.layers]),
                 ("cost", model["cost"], net.cost), ("dtype", model["dtype"], net.dtype),
                 ("scale", model.get("scale", "none"), spec.data.scale)]
    for key, theirs, ours in pairs:
        if theirs != ours:
            raise DataError(f"the model has {shown(theirs)}, the run's spec.yaml {shown(ours)}", file=str(path),
                            path=key, hint=DAMAGED_HINT)
