"""The `specnet` commands: exit codes and a few key lines (never whole outputs)."""
import io
import json
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

import specnet
from specnet.commands.cli import main
from specnet.runs.report import Progress  # imported early: see test_progress_bar_follows_the_current_stderr
from specnet.resources import schema_path
from specnet.spec.load import load_spec

from conftest import ROOT, tiny_spec

COMMANDS = ["run", "evaluate", "diff", "validate", "show", "schema", "gradcheck", "reproduce", "plot", "specs", "init", "resume", "runs", "sweep", "tune", "report", "export", "predict"]
RUN_FILES = {"spec.yaml", "metrics.jsonl", "model.json", "model.npz", "run.json"}
NAND = {
    "specnet": 1, "name": "nand",
    "data": {"source": {"type": "inline", "inputs": [[0, 0], [0, 1], [1, 0], [1, 1]],
                        "targets": [[1], [1], [1], [0]]}},
    "network": {"input": 2, "layers": [{"size": 1, "activation": "perceptron",
                                        "init": {"type": "explicit", "weights": [[-2, -2]], "biases": [3]}}],
                "cost": "quadratic"},
}


def cli(capsys, *args):
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return info.value.code, out, err


def subprocess_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-c", "from specnet.commands.cli import main; main()", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


def write(path: Path, spec: dict) -> Path:
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def run_folders(runs: Path) -> list:
    return sorted(p for p in runs.iterdir() if p.is_dir())


@pytest.fixture
def tiny_file(tmp_path):
    return write(tmp_path / "tiny.yaml", tiny_spec())


@pytest.fixture
def tiny_run(tmp_path, tiny_file, capsys):
    """A run folder of the tiny XOR spec."""
    code, out, err = cli(capsys, "run", tiny_file, "--runs-dir", tmp_path / "runs")
    assert code == 0, err
    (folder,) = run_folders(tmp_path / "runs")
    return folder


# --- help and version -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [None] + COMMANDS)
def test_help_mentions_an_example(command):
    r = subprocess_cli(*([command] if command else []), "--help")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Usage: specnet")
    assert re.search(r"^\s*Examples?:", r.stdout, re.M), r.stdout
    example = rf"^\s+specnet {command}\b" if command else r"^\s+specnet (" + "|".join(COMMANDS) + r")\b"
    assert re.search(example, r.stdout, re.M), r.stdout


def test_app_help_lists_every_command(capsys):
    code, out, err = cli(capsys, "--help")
    assert code == 0
    listed = re.findall(r"^  (\w+)  ", out, re.M)
    assert sorted(listed) == sorted(COMMANDS)


def test_no_arguments_shows_the_help(capsys):
    code, out, err = cli(capsys)
    assert code == 0
    assert out.startswith("Usage: specnet")


def test_version(capsys):
    code, out, err = cli(capsys, "--version")
    assert code == 0
    assert out == f"specnet {specnet.__version__}\n"
    assert specnet.__version__ == version("specnet")


def test_progress_bar_follows_the_current_stderr(monkeypatch):
    # The bar must write to sys.stderr as it is when the run starts, not as it was when specnet.runs.report was
    # imported: in-process callers (tests with capsys, notebooks) replace sys.stderr and close the old one.
    class Terminal(io.StringIO):
        def isatty(self):
            return True
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    bar = Progress(2)
    bar.batch(5, 10)
    assert "epoch 1/2" in terminal.getvalue()


# --- run --------------------------------------------------------------------------------------------------------

def test_run_writes_a_complete_run_folder(tmp_path, tiny_file, capsys):
    code, out, err = cli(capsys, "run", tiny_file, "--runs-dir", tmp_path / "runs")
    assert code == 0, err
    assert re.search(r"^Epoch 0: .*evaluation accuracy \d / 4 \(", out, re.M), out
    (folder,) = run_folders(tmp_path / "runs")
    assert f"Run saved in {folder}" in out
    assert folder.name.startswith("tiny-")
    assert RUN_FILES <= {p.name for p in folder.iterdir()}
    info = json.loads((folder / "run.json").read_text())
    assert {"resolved_spec_sha256", "seed", "numpy", "python", "blas", "started", "ended", "wall_seconds"} <= set(info)
    assert info["status"] == "completed"
    assert info["seed"] == 3
    from importlib.metadata import version
    names = ("jsonschema", "PyYAML", "typer", "threadpoolctl") + (("numba",) if info["executor"] == "numba" else ())
    assert info["libraries"] == {n: version(n) for n in names}
    assert all(lib["internal_api"] and lib["version"] for lib in info["blas_runtime"])
    # the resolved spec records the executor that ran (what `auto` chose), as run.json does
    from specnet.runs.run import with_executor
    assert info["resolved_spec_sha256"] == with_executor(load_spec(tiny_file), info["executor"]).digest()
    assert f"executor: {info['executor']}" in (folder / "spec.yaml").read_text()
    assert info["wall_seconds"] >= 0 and info["started"] <= info["ended"]
    rows = [json.loads(x) for x in (folder / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in rows] == [0, 1, 2, 3, 4]
    assert {"evaluation_accuracy", "evaluation_cost", "training_cost"} <= set(rows[0])
    assert yaml.safe_load((folder / "spec.yaml").read_text()) == with_executor(load_spec(tiny_file), info["executor"]).resolved


def test_running_twice_makes_two_folders_with_identical_metrics(tmp_path, tiny_file, capsys):
    for _ in range(2):
        code, out, err = cli(capsys, "run", tiny_file, "--runs-dir", tmp_path / "runs")
        assert code == 0, err
    a, b = run_folders(tmp_path / "runs")
    assert a != b
    assert (a / "metrics.jsonl").read_bytes() == (b / "metrics.jsonl").read_bytes()
    assert json.loads((a / "model.json").read_text()) == json.loads((b / "model.json").read_text())


def test_seed_and_set_change_the_recorded_spec(tmp_path, tiny_file, capsys):
    code, out, err = cli(capsys, "run", tiny_file, "--runs-dir", tmp_path / "runs", "--seed", "9",
                         "--set", "training.optimizer.eta=0.5", "--set", "training.epochs=2")
    assert code == 0, err
    (folder,) = run_folders(tmp_path / "runs")
    recorded = yaml.safe_load((folder / "spec.yaml").read_text())
    assert recorded["seed"] == 9
    assert recorded["training"]["optimizer"]["eta"] == 0.5
    assert recorded["training"]["epochs"] == 2
    assert json.loads((folder / "run.json").read_text())["seed"] == 9
    assert len((folder / "metrics.jsonl").read_text().splitlines()) == 2


@pytest.mark.parametrize("bound, code", [(1e-9, 1), (100.0, 0)])
def test_expect_bound_sets_the_exit_code(tmp_path, capsys, bound, code):
    spec = write(tmp_path / "tiny.yaml", tiny_spec(expect=[{"metric": "evaluation_cost", "max": bound}]))
    got, out, err = cli(capsys, "run", spec, "--runs-dir", tmp_path / "runs")
    assert got == code, err
    unmet = [line for line in err.splitlines() if line.startswith("expect:")]
    assert len(unmet) == code
    if code:
        assert re.search(r"evaluation_cost = [\d.e-]+ is outside the bounds \(max 1e-09\)", unmet[0]), unmet[0]
    (folder,) = run_folders(tmp_path / "runs")
    assert len(json.loads((folder / "run.json").read_text())["unmet"]) == code


def test_run_json_is_machine_readable(tmp_path, tiny_file, capsys):
    code, out, err = cli(capsys, "run", tiny_file, "--runs-dir", tmp_path / "runs", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert Path(result["run"]) == run_folders(tmp_path / "runs")[0]
    assert [r["epoch"] for r in result["history"]] == [0, 1, 2, 3, 4]
    assert result["unmet"] == []
    assert result["best"]["evaluation_accuracy"]["best"] == max(r["evaluation_accuracy"] for r in result["history"])
    assert "Epoch 0:" in err  # the progress lines go to stderr, keeping stdout pure JSON


# --- evaluate -----------------------------------------------------------------------------------------------------

def test_evaluate_run_on_validation(tiny_run, capsys):
    code, out, err = cli(capsys, "evaluate", tiny_run, "--split", "validation")
    assert code == 0, err
    m = re.search(r"^validation: accuracy (\d) / 4 \([\d.]+%\), cost ([\d.e-]+)$", out, re.M)
    assert m, out
    last = json.loads((tiny_run / "metrics.jsonl").read_text().splitlines()[-1])
    assert int(m.group(1)) == last["evaluation_correct"]  # the inline table is every split
    assert float(m.group(2)) == pytest.approx(last["evaluation_cost"], rel=1e-5)


def test_evaluate_json(tiny_run, capsys):
    code, out, err = cli(capsys, "evaluate", tiny_run, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["split"] == "test"
    assert result["total"] == 4
    assert result["accuracy"] == result["correct"] / 4
    assert len(result["outputs"]) == 4


def test_nand_perceptron_runs_without_training_and_prints_its_truth_table(tmp_path, capsys):
    spec = write(tmp_path / "nand.yaml", NAND)
    code, out, err = cli(capsys, "run", spec, "--runs-dir", tmp_path / "runs")
    assert code == 0, err
    (folder,) = run_folders(tmp_path / "runs")
    rows = [json.loads(x) for x in (folder / "metrics.jsonl").read_text().splitlines()]
    assert len(rows) == 1 and rows[0]["epoch"] is None and rows[0]["evaluation_correct"] == 4
    code, out, err = cli(capsys, "evaluate", folder)
    assert code == 0, err
    for x, y in (("0 0", 1), ("0 1", 1), ("1 0", 1), ("1 1", 0)):
        assert re.search(rf"^{x} -> {y}\s+\({y}\)$", out, re.M), out
    assert re.search(r"^test: accuracy 4 / 4 \(100\.00%\)", out, re.M), out


# --- diff ---------------------------------------------------------------------------------------------------------

def test_diff_of_specs_that_only_state_defaults(tmp_path, capsys):
    plain = tiny_spec()
    del plain["training"]["mini_batch_size"]
    stated = tiny_spec()
    stated["training"].update(mini_batch_size=10, regularization="none", shuffle=True)
    stated["training"]["optimizer"]["mu"] = 0
    a, b = write(tmp_path / "a.yaml", plain), write(tmp_path / "b.yaml", stated)
    code, out, err = cli(capsys, "diff", a, b)
    assert code == 0, err
    assert "Specs: the same (after filling defaults)." in out.splitlines()
    code, out, err = cli(capsys, "diff", a, b, "--json")
    assert json.loads(out)["spec"] == {}


def test_diff_of_specs_names_paths_under_their_section(tmp_path, capsys):
    other = tiny_spec()
    other["training"]["optimizer"]["eta"] = 0.5
    other["network"]["layers"][0]["size"] = 4
    a, b = write(tmp_path / "a.yaml", tiny_spec()), write(tmp_path / "b.yaml", other)
    code, out, err = cli(capsys, "diff", a, b)
    assert code == 0, err
    assert re.search(r"^\[network\]\n  network\.layers\[0\]\.size: 3 -> 4$", out, re.M), out
    assert re.search(r"^\[training\]\n  training\.optimizer\.eta: 2 -> 0\.5$", out, re.M), out
    assert "Specs: the same" not in out


def test_diff_of_two_runs(tmp_path, tiny_file, capsys):
    for seed in ("3", "4"):
        code, out, err = cli(capsys, "run", tiny_file, "--runs-dir", tmp_path / "runs", "--seed", seed)
        assert code == 0, err
    a, b = run_folders(tmp_path / "runs")
    code, out, err = cli(capsys, "diff", a, b)
    assert code == 0, err
    assert re.search(r"^metric\s+final a\s+final b", out, re.M), out
    for metric in ("evaluation_accuracy", "evaluation_cost", "training_cost"):
        assert re.search(rf"^{metric}\s+\S+\s+\S+", out, re.M), out
    assert re.search(r"^\[seed\]\n  seed: 3 -> 4$", out, re.M), out
    code, out, err = cli(capsys, "diff", a, b, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert {"spec", "metrics", "provenance"} <= set(result)
    assert set(result["metrics"]) == {"evaluation_accuracy", "evaluation_cost", "training_cost"}
    assert result["metrics"]["training_cost"]["a"]["epochs"] == 5
    assert "seed" in {row["key"] for row in result["provenance"]}


# --- validate -----------------------------------------------------------------------------------------------------

@pytest.fixture
def mixed_folder(tmp_path):
    folder = tmp_path / "specs"
    folder.mkdir()
    write(folder / "good.yaml", tiny_spec())
    bad = tiny_spec()
    bad["network"]["layers"][0]["activation"] = "sigmod"
    write(folder / "bad.yaml", bad)
    line = next(i for i, t in enumerate((folder / "bad.yaml").read_text().splitlines(), 1) if "sigmod" in t)
    (folder / ".pre-commit-config.yaml").write_text("repos: []\n")  # hidden files and folders are not specs
    (folder / ".github").mkdir()
    (folder / ".github" / "ci.yml").write_text("on: push\n")
    return folder, line


def test_validate_folder_with_a_bad_spec(mixed_folder, capsys):
    folder, line = mixed_folder
    code, out, err = cli(capsys, "validate", folder)
    assert code == 2
    assert out.splitlines() == [f"{folder / 'bad.yaml'}:{line}: network.layers[0].activation: unknown activation "
                                "'sigmod'. Known: linear, perceptron, relu, sigmoid, softmax, tanh. "
                                "Did you mean 'sigmoid'?"]
    assert err.strip() == "2 specs checked: 1 valid, 1 with 1 problem"


def test_validate_format_json(mixed_folder, capsys):
    folder, line = mixed_folder
    code, out, err = cli(capsys, "validate", folder, "--format", "json")
    assert code == 2
    results = {Path(r["file"]).name: r for r in json.loads(out)}
    assert results["good.yaml"]["valid"] and results["good.yaml"]["problems"] == []
    (problem,) = results["bad.yaml"]["problems"]
    assert not results["bad.yaml"]["valid"]
    assert (problem["line"], problem["path"]) == (line, "network.layers[0].activation")


def test_validate_format_github(mixed_folder, capsys):
    folder, line = mixed_folder
    code, out, err = cli(capsys, "validate", folder, "--format", "github")
    assert code == 2
    (annotation,) = out.splitlines()
    m = re.match(r"::error file=([^,]+),line=(\d+)(,[^:]*)?::(.*)$", annotation)
    assert m, annotation
    assert Path(m.group(1)) == folder / "bad.yaml" and int(m.group(2)) == line
    assert "sigmod" in m.group(4)


def test_validate_shipped_specs(capsys):
    code, out, err = cli(capsys, "validate", ROOT / "specs")
    assert code == 0, out
    assert out == ""
    m = re.match(r"(\d+) specs? checked: (\d+) valid$", err.strip())
    assert m and m.group(1) == m.group(2) and int(m.group(1)) >= 1, err


# --- show and schema ------------------------------------------------------------------------------------------

def total_line(out: str) -> str:
    return next(line for line in out.splitlines() if line.startswith("total"))


def test_show_counts_parameters_and_origins(capsys):
    spec = ROOT / "specs" / "ch1_sgd.yaml"
    code, out, err = cli(capsys, "show", spec)
    assert code == 0, err
    assert total_line(out).split()[-1] == "23,860"
    code, out, err = cli(capsys, "show", spec, "--set", "network.layers[0].size=100")
    assert code == 0, err
    assert total_line(out).split()[-1] == "79,510"
    origin = {line.split(":")[0]: line.rsplit("#", 1)[1].strip() for line in out.splitlines() if " # " in line}
    assert origin["network.layers[0].size"] == "--set network.layers[0].size=100"
    assert origin["network.dtype"] == "default"
    assert re.fullmatch(r".*ch1_sgd\.yaml:\d+", origin["network.cost"]), origin["network.cost"]


def test_show_json(capsys):
    code, out, err = cli(capsys, "show", ROOT / "specs" / "ch1_sgd.yaml", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert sum(row["parameters"] for row in result["layers"]) == 23_860
    assert result["sha256"] == load_spec(ROOT / "specs" / "ch1_sgd.yaml").digest()
    assert result["origins"]["training.optimizer.mu"] == "default"


def test_schema_prints_the_json_schema(capsys):
    code, out, err = cli(capsys, "schema")
    assert code == 0
    assert json.loads(out) == json.loads(schema_path().read_text(encoding="utf-8"))


def test_schema_out_writes_the_file_and_replaces_only_a_specnet_schema(capsys, tmp_path):
    target = tmp_path / "spec.schema.json"
    for _ in range(2):  # the second time over the first: an update
        code, out, err = cli(capsys, "schema", "--out", target)
        assert code == 0 and out == "" and json.loads(target.read_text()) == json.loads(schema_path().read_text())
    assert json.loads(target.read_text())["$id"].startswith("urn:specnet:")
    (tmp_path / "mine.json").write_text('{"title": "my own schema"}')
    code, _, err = cli(capsys, "schema", "-o", tmp_path / "mine.json")
    assert code == 2 and "not a specnet schema: not overwritten" in err
    assert (tmp_path / "mine.json").read_text() == '{"title": "my own schema"}'


def test_schema_out_never_replaces_what_is_not_a_regular_file(capsys, tmp_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "nowhere")
    for name in ("folder", "link"):
        code, _, err = cli(capsys, "schema", "--out", tmp_path / name)
        assert code == 2 and f"{name}: not a regular file: not overwritten" in err
    assert (tmp_path / "link").is_symlink() and not (tmp_path / "nowhere").exists()
    (tmp_path / "s.json.tmp").write_text("my notes")  # a file of the user's that a fixed temporary name would hit
    assert cli(capsys, "schema", "--out", tmp_path / "s.json")[0] == 0
    assert (tmp_path / "s.json.tmp").read_text() == "my notes" and sorted(p.name for p in tmp_path.iterdir()) == \
        ["folder", "link", "s.json", "s.json.tmp"]


def test_short_help_and_shell_completion(capsys):
    code, out, _ = cli(capsys, "run", "-h")
    assert code == 0 and "Train a spec" in out
    code, out, _ = cli(capsys, "--show-completion", "bash")
    assert code == 0 and "_SPECNET_COMPLETE" in out


# --- bad arguments ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, pattern", [
    (["evaluate", "{run}", "--split", "foo"], r"^specnet evaluate: .*--split.*'foo'"),
    (["run", "{spec}", "--bogus"], r"^specnet run: No such option: --bogus\. See 'specnet run --help'\.$"),
    (["run", "{spec}", "--training.epochs=3"], r"No such option: --training.epochs\. To change a value of the "
                                               r"spec, use --set training\.epochs=3\."),
    (["run", "{spec}", "--eta", "0.5"], r"No such option: --eta.*use --set training\.optimizer\.eta=0\.5\."),
    (["validate", "{spec}", "--epochs", "3"], r"^specnet validate: No such option: --epochs\. See 'specnet validate"),
    (["run", "{spec}", "--size", "5"], r"^specnet run: No such option: --size \(Possible options: --seed, --set, --sweep\)\. "
                                       r"See 'specnet run --help'\.$"),
    (["validate", "{spec}", "--set", "seed=1"], r"^specnet validate: No such option: --set\. 'specnet validate' "
                                               r"reads the files as they are; 'specnet show FILE --set"),
    (["validate"], r"^specnet validate: Missing argument"),
    (["frobnicate"], r"^specnet: No such command 'frobnicate'"),
    (["run", "{spec}", "--seed", "many"], r"^specnet run: .*--seed.*'many'"),
])
def test_bad_cli_argument_is_one_line(tmp_path, tiny_file, capsys, args, pattern):
    args = [a.format(run=tmp_path, spec=tiny_file) for a in args]
    code, out, err = cli(capsys, *args)
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert re.search(pattern, err), err
    assert "Traceback" not in err


# --- end to end, in a subprocess --------------------------------------------------------------------------------

def test_end_to_end_run_and_evaluate_in_a_subprocess(tmp_path, tiny_file):
    r = subprocess_cli("run", tiny_file, "--runs-dir", tmp_path / "runs")
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    (folder,) = run_folders(tmp_path / "runs")
    assert f"Run saved in {folder}" in r.stdout
    r = subprocess_cli("evaluate", folder, "--split", "training")
    assert r.returncode == 0, r.stderr
    assert re.search(r"^training: accuracy \d / 4", r.stdout, re.M), r.stdout


@pytest.mark.mnist
def test_mnist_one_short_epoch(tmp_path):
    r = subprocess_cli("run", ROOT / "specs" / "ch1_sgd.yaml", "--set", "training.epochs=1",
                       "--set", "data.training.take=5000", "--runs-dir", tmp_path / "runs")
    assert "Traceback" not in r.stderr
    assert r.returncode in (0, 1), r.stderr
    (folder,) = run_folders(tmp_path / "runs")
    (row,) = [json.loads(x) for x in (folder / "metrics.jsonl").read_text().splitlines()]
    assert row["epoch"] == 0 and row["evaluation_total"] == 10_000
    assert row["evaluation_accuracy"] > 0.2  # far better than chance after 500 steps
    recorded = yaml.safe_load((folder / "spec.yaml").read_text())
    assert recorded["data"]["training"]["take"] == 5000
    met = 0.94 <= row["evaluation_accuracy"] <= 0.97  # the spec's expect bound
    assert r.returncode == (0 if met else 1)
    assert ("evaluation_accuracy" in r.stderr and "outside the bounds" in r.stderr) != met
