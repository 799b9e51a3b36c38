"""User errors: each problem is ONE line `file:line: dotted.path: what is wrong. Got X. hint`, exit code 2,
no traceback, and every problem of a file is reported at once, sorted by line."""
import hashlib
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from specnet.commands.cli import main
from specnet.errors import SpecError
from specnet.spec.load import load_spec

from conftest import tiny_spec

# --- helpers ------------------------------------------------------------------------------------------------


def problems_of(path, overrides=()):
    """Return the problems load_spec reports for `path` (failing the test if it loads)."""
    with pytest.raises(SpecError) as info:
        load_spec(path, list(overrides))
    return info.value.problems


def only_problem(path, overrides=()):
    problems = problems_of(path, overrides)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def assert_located(problem, file, line, path):
    """The problem names this file (compared resolved), line and dotted path, and prints as one line."""
    assert problem.file is not None and Path(problem.file).resolve() == Path(file).resolve(), str(problem)
    assert (problem.line, problem.path) == (line, path), str(problem)
    text = str(problem)
    assert "\n" not in text
    assert text.startswith(f"{problem.file}:{line}: " + (f"{path}: " if path else ""))


def cli(capsys, *args):
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return info.value.code, out, err


def sha(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def make_npz(path):
    """A small valid .npz data set: 4 features, 3 classes."""
    rng = np.random.default_rng(0)
    np.savez(path, x_train=rng.random((12, 4)), y_train=np.arange(12) % 3,
             x_test=rng.random((6, 4)), y_test=np.arange(6) % 3)
    return path


# --- one broken spec, one problem -------------------------------------------------------------------------------

BROKEN = [
    pytest.param("""
        specnet: 1
        description: a network: small
        network:
          input: 784
          layers: [{size: 10, activation: sigmoid}]
          cost: quadratic
        """, 2, "", r"invalid YAML: .*mapping values.* Put quotes around a value that contains ': '",
        id="yaml-syntax-unquoted-colon"),
    pytest.param("""
        specnet: 1
        seed: 1
        network:
          input: 784
          layers: [{size: 10, activation: sigmoid}]
          cost: quadratic
        seed: 2
        """, 7, "seed", r"duplicate key 'seed' \(first set on line 2\)", id="duplicate-key"),
    pytest.param("""
        specnet: 1
        netwrok:
          input: 784
        network:
          input: 784
          layers: [{size: 10, activation: sigmoid}]
          cost: quadratic
        """, 2, "netwrok", r"unknown key 'netwrok'\. Known keys here: .*network.* Did you mean 'network'\?",
        id="unknown-top-level-key"),
    pytest.param("""
        specnet: 1
        network:
          input: 784
          layers: [{size: 10, activation: sigmoid}]
          cost: quadratic
        training:
          epochs: 1
          mini_batch: 10
          optimizer: {type: sgd, eta: 3.0}
        """, 8, "training.mini_batch",
        r"unknown key 'mini_batch'\. Known keys here: .*\bepochs\b.* Did you mean 'mini_batch_size'\?",
        id="unknown-nested-key"),
    pytest.param("""
        specnet: 1
        network:
          input: 784
          layers:
            - {size: 30, activation: sigmod}
            - {size: 10, activation: sigmoid}
          cost: quadratic
        """, 5, "network.layers[0].activation",
        r"unknown activation 'sigmod'\. Known: .*\bsigmoid\b.*\. Did you mean 'sigmoid'\?", id="misspelt-activation"),
    pytest.param("""
        specnet: 1
        network:
          input: 784
          layers:
            - {size: 30, activation: sigmoid}
            - {size: 10, activation: sigmoid}
          cost: quadratc
        """, 7, "network.cost", r"unknown cost 'quadratc'\. Known: .*\bquadratic\b.*\. Did you mean 'quadratic'\?",
        id="misspelt-cost"),
    pytest.param("""
        specnet: 1
        network:
          input: 784
          layers: [{size: 10, activation: sigmoid}]
          cost: quadratic
        training:
          epochs: 1
          optimizer:
            type: sgd
            eta: -0.5
        """, 10, "training.optimizer.eta", r"must be a number > 0\. Got -0\.5\.", id="negative-eta"),
    pytest.param("""
        specnet: 1
        network:
          input: 784
          layers: [{size: 10, activation: sigmoid}]
          cost: quadratic
        training:
          epochs: 1
          optimizer:
            type: sgd
            eta: "3.0"
        """, 10, "training.optimizer.eta", r"must be a number > 0\. Got '3\.0'\.", id="eta-as-string"),
    pytest.param("""
        specnet: 1
        network:
          input: 784
          layers:
            - {size: 0, activation: sigmoid}
            - {size: 10, activation: sigmoid}
          cost: quadratic
        """, 5, "network.layers[0].size", r"must be an integer >= 1\. Got 0\.", id="zero-layer-size"),
    pytest.param("""
        specnet: 1
        network:
          input: 784
          layers:
            - {size: 30, activation: sigmoid}
            - size: -10
              activation: sigmoid
          cost: quadratic
        """, 6, "network.layers[1].size", r"must be an integer >= 1\. Got -10\.", id="negative-layer-size"),
    pytest.param("""
        specnet: 1
        data: {source: mnist}
        network:
          input: 100
          layers:
            - {size: 30, activation: sigmoid}
            - {size: 10, activation: sigmoid}
          cost: quadratic
        """, 4, "network.input", r"width of one example of the data, 784\. Got 100\.", id="input-width-vs-mnist"),
    pytest.param("""
        specnet: 1
        network:
          input: 784
          layers:
            - {size: 30, activation: sigmoid}
            - {size: 9, activation: sigmoid}
          cost: quadratic
        """, 6, "network.layers[1].size", r"must have 10 neurons: the data has 10 classes\. Got 9\.",
        id="output-size-vs-classes"),
    pytest.param("""
        specnet: 1
        network:
          input: 784
          layers:
            - {size: 30, activation: sigmoid}
            - {size: 10, activation: sigmoid}
          cost: log_likelihood
        """, 6, "network.layers[1].activation", r"log_likelihood' needs a softmax output layer.*Got 'sigmoid'",
        id="log-likelihood-with-sigmoid"),
    pytest.param("""
        specnet: 1
        network:
          input: 784
          layers:
            - {size: 30, activation: sigmoid}
            - {size: 10, activation: tanh}
          cost: cross_entropy
        """, 6, "network.layers[1].activation", r"cross_entropy' needs sigmoid outputs.*Got 'tanh'",
        id="cross-entropy-with-tanh"),
    pytest.param("""
        specnet: 1
        network:
          input: 784
          layers:
            - {size: 30, activation: softmax}
            - {size: 10, activation: softmax}
          cost: log_likelihood
        """, 5, "network.layers[0].activation", r"softmax is for the output layer only\. Got 'softmax'",
        id="softmax-on-hidden-layer"),
    pytest.param("""
        specnet: 1
        network:
          input: 784
          layers:
            - {size: 10, activation: perceptron}
          cost: quadratic
        training:
          epochs: 1
          optimizer: {type: sgd, eta: 1.0}
        """, 5, "network.layers[0].activation", r"perceptron layers cannot be trained.*Remove the training section",
        id="perceptron-with-training"),
    pytest.param("""
        specnet: 1
        network:
          input: 784
          layers: [{size: 10, activation: sigmoid}]
          cost: quadratic
        training:
          epochs: 1
          optimizer: sgd
        """, 8, "training.optimizer", r"optimizer 'sgd' needs parameters.*\{type: sgd, eta: \.\.\.\}",
        id="optimizer-bare-name"),
    pytest.param("""
        specnet: 1
        network:
          input: 784
          layers: [{size: 10, activation: sigmoid}]
          cost: quadratic
        training:
          epochs: 1
          optimizer: {type: sgd, eta: 3.0}
          regularization: {type: l3, lambda: 1}
        """, 9, "training.regularization.type",
        r"unknown regularization 'l3'\. Known: .*\bl2\b.*\. Did you mean 'l[12]'\?", id="regularization-l3"),
    pytest.param("""
        specnet: 1
        network:
          input: 784
          layers: [{size: 10, activation: sigmoid}]
          cost: quadratic
        training:
          epochs: 1
          optimizer: {type: sgd, eta: 3.0}
          monitor: [evaluation_accuracy]
        expect:
          - {metric: training_cost, max: 0.1}
        """, 11, "expect[0].metric", r"metric 'training_cost' is not monitored.*training\.monitor",
        id="expect-on-unmonitored-metric"),
    pytest.param("""
        specnet: 1
        network:
          input: 784
          layers: [{size: 10, activation: sigmoid}]
          cost: quadratic
        training:
          epochs: 1
          optimizer: {type: sgd, eta: 3.0}
        expect:
          - metric: evaluation_accuracy
            min: 95
        """, 11, "expect[0].min", r"fraction.*Got 95.*95% is 0\.95", id="accuracy-as-percentage"),
    pytest.param("""
        specnet: 1
        network:
          input: 784
          layers: [{size: 10, activation: sigmoid}]
          cost: quadratic
        training:
          epochs: 1
          optimizer: {type: sgd, eta: 3.0}
        expect:
          - {metric: evaluation_accuracy, min: 0.9}
        book: {result: R30, value: 95.42, text: "95.42%"}
        """, 11, "book.value", r"fraction.*Got 95\.42.*96\.49% is 0\.9649", id="book-value-as-percentage"),
    pytest.param("""
        specnet: 1
        data: {source: mnist, expand: true}
        network: {input: 784, layers: [{size: 10, activation: sigmoid}], cost: quadratic}
        training: {epochs: 1, optimizer: {type: sgd, eta: 3.0}}
        """, 2, "data.expand", r"must be a mapping\. Got true\. Keys: copies, .*rotate", id="expand-true"),
    pytest.param("""
        specnet: 1
        network: {input: 784, layers: [{size: 10, activation: sigmoid}], cost: quadratic}
        training:
          epochs: 1
          optimizer: {type: sgd, eta: 3.0}
          schedule: plateau
        """, 6, "training.schedule", r"'plateau' is written as a mapping.*\{type: plateau\}, with any of .*patience",
        id="schedule-plateau-bare"),
    pytest.param("""
        specnet: 1
        network: {input: 784, layers: [{size: 10, activation: sigmoid}], cost: quadratic}
        training: {epochs: 1, optimizer: {type: sgd, eta: 3.0}}
        book: {result: R-30, text: "x"}
        """, 4, "book.result", r"Got 'R-30'\. Expected an ID such as R30", id="book-result-form"),
]


CASE = {param.id: param.values[0] for param in BROKEN}


@pytest.mark.parametrize("text, line, path, pattern", BROKEN)
def test_broken_spec_is_one_located_problem(write_spec, text, line, path, pattern):
    spec = write_spec(text)
    problem = only_problem(spec)
    assert_located(problem, spec, line, path)
    assert re.search(pattern, str(problem)), str(problem)


def test_problem_has_message_got_and_hint_in_order(write_spec):
    spec = write_spec(CASE["negative-eta"])
    problem = only_problem(spec)
    assert problem.message == "must be a number > 0"
    assert str(problem) == f"{spec}:10: training.optimizer.eta: must be a number > 0. Got -0.5."


# --- data files ---------------------------------------------------------------------------------------------------

NPZ_SPEC = """
specnet: 1
data:
  source:
    type: npz
    path: {path}
    sha256: {sha256}
    validation: {validation}
network:
  input: 4
  layers: [{{size: 3, activation: sigmoid}}]
  cost: quadratic
"""

IDX_SPEC = """
specnet: 1
data:
  source:
    type: idx
    files:
      train_images: {{path: {images}, sha256: {sha256}}}
      train_labels: {{path: train-labels.idx, sha256: {sha256}}}
      test_images: {{path: test-images.idx, sha256: {sha256}}}
      test_labels: {{path: test-labels.idx, sha256: {sha256}}}
network:
  input: 4
  layers: [{{size: 3, activation: sigmoid}}]
  cost: quadratic
"""
SOME_SHA = hashlib.sha256(b"some other file").hexdigest()


def test_npz_source_that_is_valid_loads(write_spec, tmp_path):
    data = make_npz(tmp_path / "d.npz")
    spec = load_spec(write_spec(NPZ_SPEC.format(path="d.npz", sha256=sha(data), validation=2)))
    assert spec.network.sizes == [4, 3]


def test_npz_source_without_validation_examples_is_a_user_error(write_spec, tmp_path):
    # The default evaluation split is validation, and this archive has none: a SpecError, not a crash.
    data = make_npz(tmp_path / "d.npz")
    spec = write_spec(NPZ_SPEC.format(path="d.npz", sha256=sha(data), validation=0))
    problem = only_problem(spec)
    assert Path(problem.file).resolve() == spec.resolve()
    assert problem.path.startswith("data."), str(problem)
    assert re.search(r"validation", str(problem)) and "\n" not in str(problem)


def test_missing_npz_file(write_spec):
    spec = write_spec(NPZ_SPEC.format(path="missing.npz", sha256=SOME_SHA, validation=2))
    problem = only_problem(spec)
    assert_located(problem, spec, 5, "data.source.path")
    assert re.search(r"data file not found\. Got '.*missing\.npz'", str(problem)), str(problem)


def test_missing_idx_file(write_spec):
    spec = write_spec(IDX_SPEC.format(images="nowhere/train-images.idx", sha256=SOME_SHA))
    problem = only_problem(spec)
    assert_located(problem, spec, 6, "data.source.files.train_images")
    assert re.search(r"data file not found\. Got '.*nowhere/train-images\.idx'", str(problem)), str(problem)


def test_corrupt_npz_file(write_spec, tmp_path):
    data = make_npz(tmp_path / "d.npz")
    spec = write_spec(NPZ_SPEC.format(path="d.npz", sha256=SOME_SHA, validation=2))
    problem = only_problem(spec)
    assert_located(problem, spec, 5, "data.source.path")
    assert re.search(rf"corrupt.*SHA-256 is {sha(data)}, expected {SOME_SHA}", str(problem)), str(problem)


def test_idx_set_whose_file_is_not_idx(write_spec, tmp_path):
    (tmp_path / "notes.txt").write_text("these are not images\n")
    spec = write_spec(IDX_SPEC.format(images="notes.txt", sha256=SOME_SHA))
    problem = only_problem(spec)
    assert_located(problem, spec, 6, "data.source.files.train_images")
    assert re.search(r"notes\.txt is not an IDX file", str(problem)), str(problem)


# --- extends ------------------------------------------------------------------------------------------------------

def test_extends_missing_base(write_spec):
    spec = write_spec("seed: 2\nextends: no_such_base.yaml\n")
    problem = only_problem(spec)
    assert_located(problem, spec, 2, "extends")
    assert re.search(r"no such base spec\. Got 'no_such_base\.yaml'", str(problem)), str(problem)


def test_error_in_base_spec_names_the_base_file_and_line(write_spec):
    base = write_spec("""
        specnet: 1
        network:
          input: 784
          layers:
            - {size: 30, activation: sigmod}
            - {size: 10, activation: sigmoid}
          cost: quadratic
        """, "base.yaml")
    child = write_spec("extends: base.yaml\nseed: 2\n", "child.yaml")
    problem = only_problem(child)
    assert_located(problem, base, 5, "network.layers[0].activation")
    assert re.search(r"Did you mean 'sigmoid'\?", str(problem))


def test_errors_in_base_and_child_each_name_their_own_file(write_spec):
    base = write_spec("""
        specnet: 1
        network:
          input: 784
          layers:
            - {size: 30, activation: sigmod}
            - {size: 10, activation: sigmoid}
          cost: quadratic
        """, "base.yaml")
    child = write_spec("extends: base.yaml\nseed: -1\n", "child.yaml")
    problems = problems_of(child)
    assert len(problems) == 2
    by_path = {p.path: p for p in problems}
    assert_located(by_path["network.layers[0].activation"], base, 5, "network.layers[0].activation")
    assert_located(by_path["seed"], child, 2, "seed")


# --- --set --------------------------------------------------------------------------------------------------------

TRAINABLE = """
specnet: 1
network:
  input: 784
  layers: [{size: 10, activation: sigmoid}]
  cost: quadratic
training:
  epochs: 1
  optimizer: {type: sgd, eta: 3.0}
"""


def test_set_without_equals_sign(write_spec):
    problem = only_problem(write_spec(TRAINABLE), ["seed"])
    assert (problem.file, problem.line) == ("--set seed", None)
    assert str(problem).startswith("--set seed: expected dotted.path=value. Got 'seed'.")
    assert "\n" not in str(problem)


@pytest.mark.parametrize("override, path, pattern", [
    ("training.optimizer.eta=-1", "training.optimizer.eta", r"must be a number > 0\. Got -1\."),
    ("seed=abc", "seed", r"must be an integer >= 0\. Got 'abc'\."),
    ("network.layers[0].activation=sigmod", "network.layers[0].activation", r"Did you mean 'sigmoid'\?"),
])
def test_set_value_that_breaks_the_schema_names_the_set(write_spec, override, path, pattern):
    problem = only_problem(write_spec(TRAINABLE), [override])
    assert (problem.file, problem.line, problem.path) == (f"--set {override}", None, path)
    assert str(problem).startswith(f"--set {override}: {path}: ")
    assert re.search(pattern, str(problem)), str(problem)


def test_set_list_index_out_of_range(write_spec):
    problem = only_problem(write_spec(TRAINABLE), ["network.layers[5].size=3"])
    assert problem.file == "--set network.layers[5].size=3"
    assert re.search(r"no item 5 in a list of 1", str(problem)), str(problem)


def test_set_that_creates_an_incomplete_section_names_the_set(write_spec):
    # The spec has no training section: --set creates one without an optimizer; the problem is the --set's.
    spec = write_spec("""
        specnet: 1
        network:
          input: 784
          layers: [{size: 10, activation: sigmoid}]
          cost: quadratic
        """)
    problem = only_problem(spec, ["training.epochs=1"])
    assert problem.path == "training"
    assert re.search(r"missing required key 'optimizer'", str(problem))
    assert problem.file == "--set training.epochs=1", str(problem)


# --- several problems at once ---------------------------------------------------------------------------------

MANY = """
specnet: 1
seed: -1
network:
  input: 784
  layers:
    - {size: 10, activation: sigmod}
  cost: quadratc
training:
  epochs: 1
  optimizer: {type: sgd, eta: 0}
"""
MANY_EXPECTED = [(2, "seed", r"must be an integer >= 0\. Got -1\."),
                 (6, "network.layers[0].activation", r"Did you mean 'sigmoid'\?"),
                 (7, "network.cost", r"Did you mean 'quadratic'\?"),
                 (10, "training.optimizer.eta", r"must be a number > 0\. Got 0\.")]


def test_all_schema_problems_reported_one_per_line_sorted(write_spec):
    spec = write_spec(MANY)
    with pytest.raises(SpecError) as info:
        load_spec(spec)
    problems = info.value.problems
    assert [(p.line, p.path) for p in problems] == [(line, path) for line, path, _ in MANY_EXPECTED]
    lines = str(info.value).splitlines()
    assert lines == [str(p) for p in problems]
    for text, (line, path, pattern) in zip(lines, MANY_EXPECTED):
        assert text.startswith(f"{spec}:{line}: {path}: ")
        assert re.search(pattern, text), text


def test_all_semantic_problems_reported_sorted(write_spec):
    spec = write_spec("""
        specnet: 1
        network:
          input: 100
          layers:
            - {size: 30, activation: softmax}
            - {size: 9, activation: sigmoid}
          cost: quadratic
        training:
          epochs: 1
          optimizer: {type: sgd, eta: 3.0}
        expect:
          - {metric: training_cost, max: 0.1}
        """)
    problems = problems_of(spec)
    assert [(p.line, p.path) for p in problems] == [
        (3, "network.input"), (5, "network.layers[0].activation"), (6, "network.layers[1].size"),
        (12, "expect[0].metric")]
    assert all(Path(p.file).resolve() == spec.resolve() for p in problems)


def test_data_problem_and_semantic_problem_reported_together(write_spec):
    spec = write_spec("""
        specnet: 1
        data:
          source:
            type: npz
            path: missing.npz
            sha256: %s
        network:
          input: 4
          layers:
            - {size: 5, activation: softmax}
            - {size: 3, activation: sigmoid}
          cost: quadratic
        """ % SOME_SHA)
    problems = problems_of(spec)
    assert [(p.line, p.path) for p in problems] == [(5, "data.source.path"), (10, "network.layers[0].activation")]


# --- through the CLI ------------------------------------------------------------------------------------------

CLI_CASES = [
    pytest.param(CASE["misspelt-activation"], [r":5: network\.layers\[0\]\.activation: .*Did you mean 'sigmoid'\?"],
                 id="misspelt-activation"),
    pytest.param(CASE["duplicate-key"], [r":7: seed: duplicate key 'seed'"], id="duplicate-key"),
    pytest.param(CASE["input-width-vs-mnist"], [r":4: network\.input: .*784\. Got 100\."], id="input-width"),
    pytest.param(MANY, [rf":{line}: {re.escape(path)}: .*{pattern}" for line, path, pattern in MANY_EXPECTED],
                 id="several-problems"),
]


@pytest.mark.parametrize("text, expected", CLI_CASES)
def test_cli_run_reports_each_problem_on_one_stderr_line(capsys, write_spec, tmp_path, text, expected):
    spec = write_spec(text)
    code, out, err = cli(capsys, "run", spec, "--runs-dir", tmp_path / "runs")
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == len(expected), err
    for line, pattern in zip(lines, expected):
        assert line.startswith(str(spec) + ":"), line
        assert re.search(pattern, line), line
    assert "Traceback" not in out + err
    assert not (tmp_path / "runs").exists()  # no run folder for a spec that does not load


@pytest.mark.parametrize("text, expected", CLI_CASES)
def test_cli_validate_reports_each_problem_on_one_line(capsys, write_spec, text, expected):
    spec = write_spec(text)
    code, out, err = cli(capsys, "validate", spec)
    assert code == 2
    lines = out.splitlines()
    assert len(lines) == len(expected), out
    for line, pattern in zip(lines, expected):
        assert line.startswith(str(spec) + ":"), line
        assert re.search(pattern, line), line
    n = len(expected)
    assert err.splitlines() == [f"1 spec checked: 0 valid, 1 with {n} problem{'s' * (n != 1)}"]


def test_cli_bad_set_is_one_line(capsys, write_spec, tmp_path):
    spec = write_spec(TRAINABLE)
    code, out, err = cli(capsys, "run", spec, "--set", "seed", "--runs-dir", tmp_path / "runs")
    assert code == 2
    assert err.splitlines() == ["--set seed: expected dotted.path=value. Got 'seed'. "
                                "For example: --set training.optimizer.eta=0.5 or --set network.layers[0].size=100"]
    code, out, err = cli(capsys, "show", spec, "--set", "training.optimizer.eta=-1")
    assert code == 2
    assert err.splitlines() == ["--set training.optimizer.eta=-1: training.optimizer.eta: "
                                "must be a number > 0. Got -1."]


def test_cli_missing_spec_file_is_one_line(capsys, tmp_path):
    code, out, err = cli(capsys, "run", tmp_path / "nope.yaml", "--runs-dir", tmp_path / "runs")
    assert code == 2
    assert len(err.splitlines()) == 1
    assert re.match(rf"{re.escape(str(tmp_path / 'nope.yaml'))}: cannot read the spec", err)


def test_cli_evaluate_folder_that_is_not_a_run(capsys, tmp_path):
    folder = tmp_path / "not_a_run"
    folder.mkdir()
    code, out, err = cli(capsys, "evaluate", folder)
    assert code == 2
    assert len(err.splitlines()) == 1
    assert re.search(r"not a run folder", err), err


def test_cli_corrupt_data_in_a_subprocess_has_no_traceback(write_spec, tmp_path):
    make_npz(tmp_path / "d.npz")
    spec = tiny_spec(data={"source": {"type": "npz", "path": "d.npz", "sha256": SOME_SHA}},
                     network={"input": 4, "layers": [{"size": 3, "activation": "sigmoid"}], "cost": "quadratic"})
    path = write_spec(yaml.safe_dump(spec, sort_keys=False))
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if text.strip().startswith("path:"))
    r = subprocess.run([sys.executable, "-c", "from specnet.commands.cli import main; main()", "run", str(path),
                        "--runs-dir", str(tmp_path / "runs")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert len(r.stderr.splitlines()) == 1, r.stderr
    assert r.stderr.startswith(f"{path}:{line}: data.source.path: data file ")
    assert "corrupt" in r.stderr
