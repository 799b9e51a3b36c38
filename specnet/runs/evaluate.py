"""Evaluate a trained model on one split: from a run folder (its spec names the data) or a model file.

    $ specnet evaluate runs/ch1_sgd-20261123-101500 --split test
    $ specnet evaluate runs/ch1_sgd-20261123-101500 --checkpoint     (a run that did not complete)
"""
from __future__ import annotations

from pathlib import Path


from specnet.datasets.dataset import load_datasets
from specnet.errors import DataError, SpecError
from specnet.runs.io import load_model
from specnet.runs.modelcheck import check_matches
from specnet.runs.folder import load_run
from specnet.spec.load import spec_from_dict
from specnet.spec.sections import Split
from specnet.runs.checkpoint import JSON_NAME, read_checkpoint
from specnet.training.compiler import compile_spec, compile_trainer


def _bare_model_spec(path: Path, model: dict):
    """Return a spec for a model file found outside a run folder: it is evaluated on MNIST."""
    if model.get("format") == "specnet-baseline":
        raise DataError("a baseline's model.json is evaluated in its run folder", file=str(path),
                        hint="Give the run folder, whose spec names the data.")
    sizes = model["sizes"]
    if sizes[0] != 784 or sizes[-1] != 10:
        raise DataError(f"a model file outside a run folder is evaluated on MNIST, which needs sizes "
                        f"[784, ..., 10]; this one has {sizes}", file=str(path),
                        hint="Give the run folder, whose spec names the data.")
    return spec_from_dict({"specnet": 1, "data": {"source": "mnist"}, "network": {
        "input": sizes[0], "layers": [{"size": s, "activation": a} for s, a in zip(sizes[1:], model["activations"])],
        "cost": model["cost"], "dtype": model["dtype"]}}, file=str(path))


def _from_checkpoint(folder: Path, spec, status: str):
    """Return the network of a run that did not complete with the parameters of its last checkpoint, and
    where that is ({"epochs", "batches"} done)."""
    if status == "completed" or not (folder / JSON_NAME).is_file():
        raise SpecError(f"this run is {status}: it has no checkpoint to evaluate" if status != "completed" else
                        "this run is complete: its checkpoint is gone, its model holds the result", file=str(folder),
                        hint="Evaluate it without --checkpoint." if status == "completed" else
                        "It stopped before its first checkpoint: nothing was kept to evaluate.")
    net = compile_spec(spec)
    state = read_checkpoint(folder, net, compile_trainer(spec))
    net.weights, net.biases = state.weights, state.biases
    return net, {"epochs": state.epochs, "batches": state.batches}


def evaluate_path(path, split: str = "test", checkpoint: bool = False) -> dict:
    """Return {"split", "correct", "total", "accuracy", "cost", "inline", "data", "outputs"} for a run or model
    (with `checkpoint`, for the last checkpoint of a run that did not complete, and "checkpoint": where it is)."""
    path, where = Path(path), {}
    in_run = path.is_dir() or (path.name == "model.json" and (path.parent / "spec.yaml").is_file())
    if in_run:
        folder = path if path.is_dir() else path.parent
        run = load_run(folder, check_data=True)
        spec, model = run.spec, {}
        if checkpoint:
            net, where = _from_checkpoint(folder, spec, run.info["status"])
        elif run.info["status"] != "completed":  # no model yet (or a model whose writing failed)
            raise SpecError(f"this run is {run.info['status']}: it has no trained model to evaluate", file=str(folder),
                            hint=f"specnet resume {folder} completes it; --checkpoint evaluates its last checkpoint."
                            if run.info["status"] != "diverged" else
                            "It diverged: run the spec again with a smaller training.optimizer.eta.")
        else:
            model = load_model(folder / "model.json")
            check_matches(model, spec, folder / "model.json")
    elif checkpoint:
        raise SpecError("--checkpoint evaluates a run folder's checkpoint, and this is a model file", file=str(path),
                        hint="Give the run folder, or leave out --checkpoint.")
    else:
        model = load_model(path)
        spec = _bare_model_spec(path, model)
    if not where:
        net = compile_spec(spec).loaded(model)  # the trained weights and biases, or what a baseline learned
    data = load_datasets(spec, {split: Split(split), "training": spec.data.training}, scaling=model.get("scaling"))
    a, expand = net.outputs(data[split]), spec.data.expand
    correct = net.evaluate(data[split], a)
    n = len(data["training"]) * (1 + expand.copies if expand and expand.per_epoch else 1)  # the n of λ/2n (85)
    return {"split": split, "correct": correct, "total": len(data[split]), "accuracy": correct / len(data[split]),
            "cost": net.total_cost(data[split], n, a),
            "inline": spec.data.source.type == "inline", "data": data[split], "outputs": a,
            **({"checkpoint": where} if where else {})}
