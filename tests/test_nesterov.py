"""Nesterov momentum ({type: sgd, mu: ..., nesterov: true}): by hand, and against the classic form in the
per-example reference, on both executors."""
import numpy as np
import pytest

from test_loop_oracles import EXECUTORS, compiled, data, reference_of, snapshots
from specnet.components.optimizers import OPTIMIZERS, sgd_rule
from specnet.training.compiler import generator


def steps_on_a_bowl(nesterov, count=2, eta=0.1, mu=0.9):
    """Take `count` steps on C(w) = w²/2 (so ∇C = w) from w = 1; return w after each."""
    opt = OPTIMIZERS.get("sgd")(eta=eta, mu=mu, nesterov=nesterov)
    w, b = np.ones(1), np.zeros(1)
    opt.start([w, b])
    seen = []
    for _ in range(count):
        opt.step([w], [b], lambda scale: ([scale * w.copy()], [scale * b.copy()]), eta)
        seen.append(float(w[0]))
    return seen


def test_nesterov_by_hand():
    """Classic Nesterov: v1 = −η∇C(w0) = −0.1, w1 = 0.9; v2 = μv1 − η∇C(w1 + μv1) = −0.09 − 0.1·0.81 = −0.171,
    w2 = 0.729. The look-ahead parameters held are w + μv: 0.9 − 0.09 = 0.81, then 0.729 − 0.1539 = 0.5751.
    Classical momentum from the same start: 0.9, then 0.9 − 0.09 − 0.09 = 0.72."""
    assert steps_on_a_bowl(True) == pytest.approx([0.81, 0.5751], abs=1e-15)
    assert steps_on_a_bowl(False) == pytest.approx([0.9, 0.72], abs=1e-15)
    # with μ = 0 Nesterov is plain SGD: w = 1 − 0.1, then 0.9 − 0.09
    assert steps_on_a_bowl(True, mu=0.0) == pytest.approx([0.9, 0.81], abs=1e-15)


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("mu", [0.0, 0.6])
def test_the_rule_the_compiled_loops_run_is_the_step(mu, nesterov):
    """sgd_rule, a loop over the numbers of a row, equals SGD.step on arrays (the compiled executor runs the rule)."""
    rng = np.random.default_rng(4)
    p, u = rng.normal(size=5), rng.normal(size=(3, 5))
    opt = OPTIMIZERS.get("sgd")(eta=1.0, mu=mu, nesterov=nesterov)
    q, v = p.copy(), np.zeros(5)
    opt.start([p])
    for row in u:
        opt.step([p], [], lambda scale, row=row: ([scale * -row], []), 1.0)  # so that u = row
        sgd_rule(q, v, row, (mu, nesterov), 0.0, 0)
    np.testing.assert_allclose(q, p, rtol=0, atol=1e-15)


@pytest.mark.parametrize("executor", EXECUTORS)
@pytest.mark.parametrize("regularization", ["none", {"type": "l2", "lambda": 2.0}], ids=["plain", "l2"])
def test_two_epochs_follow_the_classic_form_in_the_reference(executor, regularization):
    """The reference takes the gradient at w + μv and holds w; specnet holds w + μv. After every epoch
    specnet's parameters must be the reference's w + μv (and after the first step they differ from
    classical momentum's)."""
    training = data(23, 6, 3, seed=1)
    layers, mu = [(5, "relu"), (3, "softmax")], 0.6
    spec, net, trainer = compiled(training, layers, "log_likelihood", regularization, mu, eta=0.5, m=5,
                                  epochs=2, executor=executor, nesterov=True)
    assert spec.training.optimizer.params["nesterov"] is True and trainer.optimizer.nesterov
    ref = reference_of(net, layers, "log_likelihood")
    kept, on_epoch = snapshots(net)
    trainer.train(net, training, generator(11, "shuffle"), training, on_epoch=on_epoch)
    assert trainer.executor.name == executor
    shuffle = generator(11, "shuffle")
    kind, lmbda = ("none", 0.0) if regularization == "none" else ("l2", 2.0)
    for weights, biases, _ in kept:
        order = shuffle.permutation(len(training))
        for k in range(0, len(training), 5):
            batch = [(training.x[i].reshape(-1, 1), training.y[i].reshape(-1, 1)) for i in order[k:k + 5]]
            ref.update_mini_batch(batch, eta=0.5, n=len(training), regularization=kind, lmbda=lmbda, mu=mu,
                                  nesterov=True)
        ahead = [p + mu * v for p, v in zip(ref.weights + ref.biases, ref.velocities)]
        for mine, theirs in zip(weights + biases, ahead):
            np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-10)


def test_nesterov_defaults_to_off():
    _, _, trainer = compiled(data(23, 6, 3, seed=1), [(3, "sigmoid")], "quadratic", mu=0.5)
    assert trainer.optimizer.nesterov is False  # the schema's default
