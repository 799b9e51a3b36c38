"""Check a compiled network's gradients against finite differences (ch. 2: the slow way backprop replaces).

For a few training examples, the gradient g of C = Σ_x C_x that backpropagation gives (BP1–BP4) is compared
with central differences n = (C(w + ε) − C(w − ε)) / 2ε, on a seeded sample of each layer's weights and
biases, in float64 whatever the spec's dtype. Dropout is off and the regularization term left out: this
checks the backpropagation itself.

Per layer it reports the relative error ‖g − n‖ / (‖g‖ + ‖n‖) over the entries checked (the verdict), and
the worst single entry, |g − n| / (|g| + |n|) with the denominator at least 1e-4 × the layer's largest
|g|: many MNIST weights have a true gradient of 0 (pixels that are blank in these examples), where a
plain ratio would only measure rounding noise.

    $ specnet gradcheck specs/ch3_cross_entropy.yaml
"""
from __future__ import annotations

import numpy as np

from specnet.datasets.dataset import load_datasets
from specnet.errors import CheckError
from specnet.training.compiler import compile_spec, generator

TOLERANCE = 1e-6  # relative error accepted; a correct backprop gives 1e-8 or less on the book's networks


def gradcheck(spec, examples: int = 10, samples: int = 50, eps: float = 1e-4) -> list:
    """Return one dict per layer: sizes, how many entries were checked, and the worst relative errors."""
    if not spec.model.layers:  # a model without layers has no weights
        raise CheckError("a baseline has no gradients to check", path=("baseline",)).located(*spec.where(("baseline",)))
    for i, layer in enumerate(spec.network.layers):
        if layer.activation == "perceptron":
            path = ("network", "layers", i, "activation")
            raise CheckError("a perceptron has no gradient to check", path=path,
                             got=layer.activation).located(*spec.where(path))
    net = compile_spec(spec)
    net.weights = [w.astype(np.float64) for w in net.weights]
    net.biases = [b.astype(np.float64) for b in net.biases]
    data = load_datasets(spec, {"training": spec.data.training})["training"]
    x, y = data.x[:examples].T.astype(np.float64), data.y[:examples].T.astype(np.float64)
    nabla_b, nabla_w = net.backprop(x, y)
    rng = generator(spec.seed, "init")  # which entries to check: a fixed, seeded sample
    report = []
    for l, (w, b) in enumerate(zip(net.weights, net.biases)):
        row = {"layer": l + 1, "size": spec.network.sizes[l + 1]}
        for name, p, g in (("weights", w, nabla_w[l]), ("biases", b, nabla_b[l])):
            chosen = rng.choice(p.size, size=min(samples, p.size), replace=False)
            exact, numeric = g.ravel()[chosen], np.array([_difference(net, p, i, x, y, eps) for i in chosen])
            floor = max(1e-4 * np.abs(g).max(), 1e-300)
            row[name] = float(np.linalg.norm(exact - numeric) / max(np.linalg.norm(exact) + np.linalg.norm(numeric),
                                                                     1e-300))
            row[f"{name}_worst_entry"] = float(np.max(np.abs(exact - numeric) /
                                                      np.maximum(np.abs(exact) + np.abs(numeric), floor)))
            row[f"{name}_checked"] = len(chosen)
        row["ok"] = max(row["weights"], row["biases"]) <= TOLERANCE
        report.append(row)
    return report


def _difference(net, p, flat_index, x, y, eps) -> float:
    """Return (C(p + ε) − C(p − ε)) / 2ε for one entry of the parameter array p (changed in place, then restored)."""
    index = np.unravel_index(flat_index, p.shape)
    old, costs = p[index], []
    for step in (eps, -eps):
        p[index] = old + step
        costs.append(net.cost.fn(net.feedforward(x), y))
    p[index] = old
    return (costs[0] - costs[1]) / (2 * eps)
