"""Evaluate a trained model on one split: from a run folder (its spec names the data) or a model file.

    $ specnet evaluate runs/ch1_sgd-20261123-101500 --split test
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from specnet.errors import DataError


def evaluate_path(path, split: str = "test") -> dict:
    """Return {"split", "correct", "total", "accuracy", "cost", "data", "outputs"} for a run or model file."""
    from specnet.compiler import compile_spec
    from specnet.datasets import load_datasets
    from specnet.io import load_model
    from specnet.resolve import Split
    from specnet.spec import load_spec, spec_from_dict

    path = Path(path)
    if path.is_dir() and not (path / "spec.yaml").is_file():
        raise DataError("not a run folder: it has no spec.yaml", file=str(path),
                        hint="Give a folder made by `specnet run`, or a model.json file.")
    run = path if path.is_dir() else path.parent if (path.parent / "spec.yaml").is_file() else None
    if run is not None:
        info = json.loads((run / "run.json").read_text()) if (run / "run.json").is_file() else {}
        base = Path(info["spec_file"]).parent if info.get("spec_file") else None
        spec = load_spec(run / "spec.yaml", base_dir=base)
        model = load_model(run / "model.json")
    else:
        model = load_model(path)
        sizes = model["sizes"]
        if sizes[0] != 784 or sizes[-1] != 10:
            raise DataError(f"a bare model file is evaluated on MNIST, which needs sizes [784, ..., 10]; "
                            f"this one has {sizes}", hint="Give the run folder, whose spec names the data.")
        spec = spec_from_dict({"specnet": 1, "data": {"source": "mnist"}, "network": {
            "input": sizes[0], "layers": [{"size": s, "activation": a} for s, a in
                                          zip(sizes[1:], model["activations"])],
            "cost": model["cost"], "dtype": model["dtype"]}})
    net = compile_spec(spec)
    net.weights = [np.asarray(w, dtype=net.dtype) for w in model["weights"]]
    net.biases = [np.asarray(b, dtype=net.dtype).reshape(-1, 1) for b in model["biases"]]
    roles = {"data": Split(split), "training": spec.data.training}
    data = load_datasets(spec, roles)
    a = net.outputs(data["data"])
    correct = net.evaluate(data["data"], a)
    return {"split": split, "correct": correct, "total": len(data["data"]), "accuracy": correct / len(data["data"]),
            "cost": net.total_cost(data["data"], len(data["training"]), a),
            "inline": spec.data.source.type == "inline", "data": data["data"], "outputs": a}
