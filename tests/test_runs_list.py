"""`specnet runs`: every run at a glance, on real run folders of the tiny XOR spec (a few ms each)."""
import json
import shutil

import pytest

from conftest import tiny_spec
from specnet.runs.listing import find_runs, labels, listing, render
from specnet.runs.run import run_spec
from specnet.spec.load import spec_from_dict
from test_cli import cli


def train(folder, eta=2.0, seed=3, **training):
    t = tiny_spec(seed=seed)
    t["training"].update(training)
    t["training"]["optimizer"]["eta"] = eta
    return run_spec(spec_from_dict(t), folder).folder


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """runs/ with three runs of η 0.5, 2 and 10 (seed 3), and a seed-4 run of η 2 two levels down."""
    runs = tmp_path_factory.mktemp("pristine") / "runs"
    for eta in (10.0, 0.5, 2.0):
        train(runs, eta)
    train(runs / "sweep" / "seed4", 2.0, seed=4)
    return runs


@pytest.fixture
def runs(pristine, tmp_path):
    return shutil.copytree(pristine, tmp_path / "runs")


def by_run(rows):
    return {r["run"]: r for r in rows}


def test_run_folders_are_found_a_few_levels_down_hidden_ones_and_deeper_ones_not(runs):
    for where in (".hidden", "a/b/c"):
        shutil.copytree(next(runs.glob("tiny-*")), runs / where / "tiny-x")
    found = [str(f.relative_to(runs)) for f in find_runs(runs)]
    assert len(found) == 4 and found[0].startswith("sweep/seed4/tiny-")  # in name order
    assert not any(".hidden" in f or f.startswith("a/") for f in found)
    assert find_runs(runs / found[1]) == [runs / found[1]]  # a run folder itself


def test_rows_give_status_digest_varied_values_and_accuracies(runs, capsys):
    code, out, err = cli(capsys, "runs", runs)
    assert code == 0, err
    lines = out.splitlines()
    header = lines[0].split()
    assert header == ["run", "status", "spec", "seed", "training.optimizer.eta", "best_evaluation_accuracy",
                      "final_evaluation_accuracy", "epochs", "wall_seconds"]  # name, description: not varied values
    assert len(lines) == 5
    folder = next(runs.glob("sweep/seed4/tiny-*"))
    info = json.loads((folder / "run.json").read_text())
    history = [json.loads(line) for line in (folder / "metrics.jsonl").read_text().splitlines()]
    accuracy = [h["evaluation_accuracy"] for h in history]
    cells = next(line for line in lines if line.startswith("sweep/seed4/")).split()
    assert cells[1:5] == ["completed", info["resolved_spec_sha256"][:12], "4", "2"]
    assert cells[5:8] == [f"{100 * max(accuracy):.2f}%", f"{100 * accuracy[-1]:.2f}%", "5"]
    assert float(cells[8]) == pytest.approx(info["wall_seconds"], abs=0.05)


def test_only_what_differs_between_the_runs_listed_is_a_column(runs):
    rows, columns = listing([runs], ["seed=3"])
    assert "seed" not in columns and "training.optimizer.eta" in columns and len(rows) == 3
    rows, columns = listing([runs], ["training.optimizer.eta=2"])
    assert "seed" in columns and "training.optimizer.eta" not in columns and len(rows) == 2


def test_a_dead_running_run_is_interrupted_and_a_damaged_folder_a_row(runs, capsys):
    dead, edited, foreign = sorted(runs.glob("tiny-*"))
    info = json.loads((dead / "run.json").read_text())
    (dead / "run.json").write_text(json.dumps({**info, "status": "running"}))  # its process died: no lock held
    (edited / "spec.yaml").write_text((edited / "spec.yaml").read_text().replace("epochs: 5", "epochs: 6"))
    (foreign / "run.json").write_text('{"tool": "someone else\'s"')
    code, out, err = cli(capsys, "runs", runs, "--sort", "training.optimizer.eta")
    assert code == 0 and err == ""
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert lines[dead.name].split()[1] == "interrupted"
    assert lines[edited.name].split()[1:3] == ["damaged", "spec.yaml:"]
    assert "it is not the spec of this run" in lines[edited.name] and lines[edited.name].endswith("characters)")
    assert lines[foreign.name].split()[1:4] == ["damaged", "run.json:", "not"]
    assert list(lines)[-2:] == sorted([edited.name, foreign.name])  # no value to sort on: last
    code, out, err = cli(capsys, "runs", runs, "--where", "status=damaged", "--json")
    damaged = json.loads(out)
    assert code == 0
    assert {r["run"]: r["reason"][:9] for r in damaged} == {edited.name: "spec.yaml", foreign.name: "run.json:"}
    assert all(len(r["reason"]) <= 120 for r in damaged)  # cut short (to 100 characters, and how many it had)


@pytest.mark.parametrize("reverse", [False, True])
def test_sort_is_numeric_on_numbers(runs, reverse):
    rows, _ = listing([runs], [], "training.optimizer.eta", reverse)
    etas = [r["values"]["training.optimizer.eta"] for r in rows]
    assert etas == sorted(etas, reverse=reverse) and etas[0 if not reverse else -1] == 0.5 and 10.0 in etas
    rows, _ = listing([runs], [], "evaluation_accuracy")  # a metric: its best
    best = [r["best_evaluation_accuracy"] for r in rows]
    assert best == sorted(best)
    assert [r["run"] for r in listing([runs], [], "run", True)[0]] == sorted(by_run(rows), reverse=True)


def test_where_reads_the_value_as_yaml_and_repeats(runs, capsys):
    code, out, err = cli(capsys, "runs", runs, "--where", "training.optimizer.eta=2.0", "--where", "seed=4", "--json")
    assert code == 0, err
    (only,) = json.loads(out)
    assert only["run"].startswith("sweep/seed4/") and only["varied"] == {} and only["status"] == "completed"
    assert listing([runs], ["training.optimizer.eta=0.5"])[0][0]["values"]["training.optimizer.eta"] == 0.5
    code, out, err = cli(capsys, "runs", runs, "--where", "status=interrupted")
    assert code == 0 and out == "" and err == f"No run folders in {runs} match --where.\n"


@pytest.mark.parametrize("args, line", [
    (["--where", "training.optimizer.et=2"], "--where: no run listed has this path. Got 'training.optimizer.et=2'. "
     "Filter on a path of the resolved spec (specnet show SPEC lists them) or on status, e.g. --where "
     "training.optimizer.eta=0.5. Did you mean 'training.optimizer.eta'?"),
    (["--where", "seed"], "--where: expected PATH=VALUE. Got 'seed'."),
    (["--sort", "best_evaluation_acuracy"], "--sort: no such column or spec path. Got 'best_evaluation_acuracy'."),
])
def test_bad_options_are_one_line_and_exit_2(runs, capsys, args, line):
    code, out, err = cli(capsys, "runs", runs, *args)
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and err.startswith(line)


def test_a_folder_that_does_not_exist_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "runs")  # the default: runs
    assert code == 2 and err == ("runs: no such folder. Give a folder that holds run folders (specnet run writes "
                                 "them in runs/).\n")
    (tmp_path / "file").write_text("")
    code, out, err = cli(capsys, "runs", "file")
    assert code == 2 and err.startswith("file: not a folder.")


def test_several_folders_name_runs_by_their_paths(runs, tmp_path):
    rows, columns = listing([runs / "sweep", runs / "sweep" / "seed4"])  # the same run twice: listed once
    assert [r["run"] for r in rows] == [str(next(runs.glob("sweep/seed4/tiny-*")))]
    assert columns[3] == "best_evaluation_accuracy"  # one run: nothing varies
    assert render(rows, columns).splitlines()[0].split()[:3] == ["run", "status", "spec"]


def test_labels_name_what_differs_in_the_books_symbols():
    def spec(**training):
        t = tiny_spec()
        t["training"].update(training)
        return spec_from_dict(t)
    assert labels([spec(optimizer={"type": "sgd", "eta": 0.025}),
                   spec(optimizer={"type": "sgd", "eta": 0.25, "mu": 0.9}, mini_batch_size=1)], ["a", "b"]) == [
        "m = 2, η = 0.025, μ = 0", "m = 1, η = 0.25, μ = 0.9"]
    assert labels([spec(regularization={"type": "l2", "lambda": 5}), spec(regularization={"type": "l2", "lambda": 1}),
                   spec()], "abc") == ["regularization.type = l2, λ = 5", "regularization.type = l2, λ = 1",
                                       "regularization = none"]
    four = [spec(optimizer={"type": "sgd", "eta": 0.025}, regularization={"type": "l2", "lambda": 5}),
            spec(optimizer={"type": "sgd", "eta": 0.25, "mu": 0.9}, mini_batch_size=1)]
    assert labels(four, ["a", "b"]) == ["tiny (a)", "tiny (b)"]  # more than three values: the spec's name
    assert labels([spec(), spec(), spec(epochs=9)], ["x", "y", "z"]) == ["epochs 5 (x)", "epochs 5 (y)", "epochs 9"]
    assert labels([spec(), spec()], ["x", "y"]) == ["x", "y"]  # identical: their folder names
    assert labels([spec(), spec_from_dict(tiny_spec(seed=1))], ["x", "y"]) == ["seed 3", "seed 1"]
