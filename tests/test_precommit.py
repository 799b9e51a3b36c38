"""The `specnet-validate` pre-commit hook (.pre-commit-hooks.yaml, docs/ci.md), run by the real pre-commit.

The hook under test is this repository's committed HEAD, which is what a user's `rev:` gets: try-repo and
the user's config are given HEAD's commit hash, so uncommitted edits in the working tree (the hook file
included) neither leak in nor help. A user's repository is made in a tmp folder with one good spec (the
NAND perceptron, as HEAD has it), one bad spec and YAML files that are not specs.

Building the hook's environment (pre-commit pip-installs specnet, NumPy, ...) took about 9 s here.
`try-repo` builds a new one on every call (it keeps its store in a tmp folder of its own, whatever
PRE_COMMIT_HOME says); `pre-commit run` and `git commit` reuse the one in the module's PRE_COMMIT_HOME.
The whole module took about 30 s on 2 cores.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "ci.md"
GOOD, BAD = "specs/nand.yaml", "specs/nand_variant.yaml"
WORKFLOW = "name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"


def run(cmd, cwd, env=None, check=True):
    """Run a command; return (exit code, stdout and stderr together)."""
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    out = r.stdout + r.stderr
    if check and r.returncode:
        raise AssertionError(f"{cmd} failed ({r.returncode}):\n{out}")
    return r.returncode, out


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """The environment of every pre-commit and git call: one PRE_COMMIT_HOME for the module, a git identity,
    no GIT_* variables from outside (pytest may itself run inside a git hook)."""
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (it is in the test extra: "
                                             "pip install -e '.[test]')")
    if shutil.which("git") is None:
        pytest.skip("git is not installed: pre-commit needs it")
    e = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    e.update(PRE_COMMIT_HOME=str(tmp_path_factory.mktemp("pre-commit-home")), PRE_COMMIT_COLOR="never",
             GIT_AUTHOR_NAME="specnet tests", GIT_AUTHOR_EMAIL="tests@example.invalid",
             GIT_COMMITTER_NAME="specnet tests", GIT_COMMITTER_EMAIL="tests@example.invalid")
    return e


@pytest.fixture(scope="module")
def head(env):
    """HEAD's commit hash; pre-commit installs hooks from a git repository, so skip outside a checkout."""
    code, top = run(["git", "rev-parse", "--show-toplevel"], ROOT, env, check=False)
    if code or Path(top.strip()).resolve() != ROOT:
        pytest.skip(f"{ROOT} is not a git checkout: pre-commit installs hooks from a git repository")
    sha = run(["git", "rev-parse", "HEAD"], ROOT, env)[1].strip()
    code, _ = run(["git", "cat-file", "-e", f"{sha}:.pre-commit-hooks.yaml"], ROOT, env, check=False)
    assert code == 0, "HEAD has no .pre-commit-hooks.yaml: these tests check the committed hook, commit it first"
    return sha


@pytest.fixture
def repo(tmp_path, env, head):
    """A user's repository, everything staged: a good spec, a bad one (unknown activation), a GitHub
    workflow and a mkdocs.yml; returns (folder, line of the bad spec's problem)."""
    good = run(["git", "show", f"{head}:specs/ch1_perceptron_nand.yaml"], ROOT, env)[1]
    assert good.count("activation: perceptron\n") == 1
    bad = good.replace("activation: perceptron\n", "activation: perceptrn\n")
    files = {GOOD: good, BAD: bad, ".github/workflows/ci.yml": WORKFLOW, "mkdocs.yml": "site_name: My specs\n"}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    run(["git", "init", "-q"], tmp_path, env)
    run(["git", "add", "-A"], tmp_path, env)
    line = bad.splitlines().index("      activation: perceptrn") + 1
    return tmp_path, line


def pre_commit(env, cwd, *args):
    return run([sys.executable, "-m", "pre_commit", *args], cwd, env, check=False)


def problem(line):
    return (f"{BAD}:{line}: network.layers[0].activation: unknown activation 'perceptrn'. "
            "Known: linear, perceptron, relu, sigmoid, softmax, tanh. Did you mean 'perceptron'?")


@pytest.mark.precommit
def test_try_repo_fails_on_the_bad_spec_naming_file_line_and_problem(env, head, repo):
    folder, line = repo
    code, out = pre_commit(env, folder, "try-repo", str(ROOT), "specnet-validate", "--ref", head,
                           "--files", GOOD, BAD)
    assert code == 1, out
    assert re.search(r"^specnet validate\.+Failed$", out, re.M), out
    assert problem(line) in out.splitlines(), out
    assert f"{GOOD}:" not in out
    assert "2 specs checked: 1 valid, 1 with 1 problem" in out


@pytest.mark.precommit
def test_try_repo_passes_the_good_spec_and_leaves_hidden_yaml_alone(env, head, repo):
    from specnet.commands.validate import validate_files
    folder, _ = repo
    assert validate_files([folder / ".github/workflows/ci.yml"])[0][1], "a workflow is not a spec"
    code, out = pre_commit(env, folder, "try-repo", str(ROOT), "specnet-validate", "--ref", head,
                           "--verbose", "--files", GOOD, ".github/workflows/ci.yml")
    assert code == 0, out
    assert re.search(r"^specnet validate\.+Passed$", out, re.M), out
    assert "1 spec checked: 1 valid" in out  # the workflow was never given to specnet


def documented_config(repo_url: str, rev: str) -> str:
    """docs/ci.md's .pre-commit-config.yaml, with its placeholder repository and rev replaced."""
    block = next(b for b in re.findall(r"```yaml\n(.*?)```", DOC.read_text(), re.S) if "specnet-validate" in b)
    text, n = re.subn(r"repo: https://github\.com/OWNER/specnet\n", f"repo: {repo_url}\n", block)
    text, m = re.subn(r"rev: v1\.0\.0\n", f"rev: {rev}\n", text)
    assert (n, m) == (1, 1), block
    return text


@pytest.mark.precommit
def test_the_documented_config_blocks_a_commit_with_a_bad_spec(env, head, repo):
    folder, line = repo
    (folder / ".pre-commit-config.yaml").write_text(documented_config(str(ROOT), head))
    run(["git", "add", ".pre-commit-config.yaml"], folder, env)
    code, out = pre_commit(env, folder, "install")
    assert code == 0, out
    code, out = run(["git", "commit", "-q", "-m", "Add specs"], folder, env, check=False)
    assert code == 1, out
    assert problem(line) in out.splitlines(), out
    assert "2 specs checked: 1 valid, 1 with 1 problem" in out  # files: ^specs/ kept mkdocs.yml out
    assert run(["git", "rev-list", "--all"], folder, env)[1] == ""

    (folder / BAD).write_text((folder / GOOD).read_text())
    run(["git", "add", BAD], folder, env)
    code, out = run(["git", "commit", "-q", "-m", "Add specs"], folder, env, check=False)
    assert code == 0, out
    assert re.search(r"^specnet validate\.+Passed$", out, re.M), out
    code, out = pre_commit(env, folder, "run", "specnet-validate", "--all-files", "--verbose")
    assert code == 0 and "2 specs checked: 2 valid" in out, out


def test_the_ci_doc_yaml_is_valid():
    """Every YAML block of docs/ci.md parses; the workflow validates specs/ with GitHub annotations."""
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", DOC.read_text(), re.S)]
    hook = blocks[0]["repos"][0]["hooks"][0]
    assert hook == {"id": "specnet-validate", "files": "^specs/"}
    steps = blocks[1]["jobs"]["validate"]["steps"]
    assert {"name": "Validate the specs", "run": "specnet validate specs/ --format github"} in steps
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in hooks] == [hook["id"]]
