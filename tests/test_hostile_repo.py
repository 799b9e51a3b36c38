"""A spec from a stranger's repository runs no code of theirs: provenance reads the git commit from the
repository's files and never runs git there, so a planted core.fsmonitor or filter driver does nothing."""
import json
import shutil
import subprocess

import pytest

from specnet.commands.cli import main
from specnet.runs.gitmeta import commit_of, git_dir

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed: no repository to plant")

NAND = """specnet: 1
data:
  source: {type: inline, inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[1], [1], [1], [0]]}
  evaluation: training
network:
  input: 2
  layers: [{size: 1, activation: perceptron, init: {type: explicit, weights: [[-2, -2]], biases: [3]}}]
  cost: quadratic
"""


def git(cwd, *args):
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(cwd)}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def hostile(tmp_path):
    """A repository whose own config runs a command on `git status` (fsmonitor) and on hashing (a filter)."""
    repo, marker = tmp_path / "repo", tmp_path / "pwned"
    repo.mkdir()
    (repo / "nand.yaml").write_text(NAND)
    (repo / ".gitattributes").write_text("* filter=evil\n")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "x")
    git(repo, "config", "core.fsmonitor", f"touch {marker}; false")
    git(repo, "config", "filter.evil.clean", f"touch {marker}; cat")
    (repo / "nand.yaml").write_text(NAND + "# changed, so that git status would hash it again\n")
    return repo, marker


def test_the_planted_commands_would_run_under_plain_git(hostile):
    repo, marker = hostile  # the test below can fail: plain `git status` here does run the planted command
    subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True)
    assert marker.exists()


def test_running_a_spec_from_a_hostile_repository_runs_nothing_of_it(hostile, tmp_path, capsys):
    repo, marker = hostile
    with pytest.raises(SystemExit) as e:
        main(["run", str(repo / "nand.yaml"), "--runs-dir", str(tmp_path / "runs")])
    assert e.value.code == 0 and not marker.exists()
    (folder,) = (tmp_path / "runs").iterdir()
    info = json.loads((folder / "run.json").read_text())
    assert info["git"]["spec"] == {"commit": git(repo, "rev-parse", "HEAD"), "dirty": None}


def test_commit_is_read_from_loose_and_packed_refs_and_a_worktree(tmp_path):
    repo = tmp_path / "r"
    repo.mkdir()
    (repo / "f").write_text("1")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "x")
    head = git(repo, "rev-parse", "HEAD")
    assert commit_of(repo) == head and commit_of(repo / "missing" / "deeper") == head
    git(repo, "pack-refs", "--all")
    assert commit_of(repo) == head
    git(repo, "worktree", "add", "-q", str(tmp_path / "wt"), "-b", "other")
    assert git_dir(tmp_path / "wt").parent.name == "worktrees" and commit_of(tmp_path / "wt") == head


@pytest.mark.parametrize("head", ["ref: ../../../../etc/passwd", "ref: refs/heads/../../config", "x" * 10_000, ""])
def test_a_head_that_points_outside_or_is_garbage_gives_no_commit(tmp_path, head):
    (tmp_path / ".git" / "refs" / "heads").mkdir(parents=True)
    (tmp_path / ".git" / "HEAD").write_text(head)
    (tmp_path / ".git" / "config").write_text("0" * 40)  # what a ref escaping to the config would read
    assert commit_of(tmp_path) is None
