"""Sweeps: the points of a `sweep:` block (grid × random draws × seeds), errors at the sweep's lines, run
folders keyed by each point's resolved spec (run again, only what is missing is trained; a point that
stopped is resumed), a failed point reported while the others go on, and the same runs, byte for byte, in
this process, with --jobs 2 and on a real Dask LocalCluster of two workers."""
import json
import math
import sys

import pytest
import yaml

from conftest import tiny_spec
from test_cli import cli
from specnet.errors import SpecError
from specnet.spec.load import load_spec, load_sweep
from specnet.spec.sweep import MAX_POINTS

GRID = {"training.optimizer.eta": [0.5, 2.0, 8.0]}


def sweep_file(tmp_path, name="s.yaml", **block):
    """A tiny spec (XOR, 5 epochs) with a sweep block, as a user writes it."""
    spec = tiny_spec(sweep=block or {"grid": GRID, "seeds": 2})
    path = tmp_path / name
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def metrics(folder):
    return {p.name: (p / "metrics.jsonl").read_bytes() for p in folder.iterdir() if (p / "metrics.jsonl").is_file()}


# --- the points ---------------------------------------------------------------------------------------------

def test_points_are_grid_times_draws_times_seeds_in_order(tmp_path):
    path = sweep_file(tmp_path, grid={"training.optimizer.eta": [0.5, 2.0], "training.mini_batch_size": [1, 2]},
                      random={"count": 3, "seed": 7, "axes": {"training.optimizer.mu": {"uniform": [0.1, 0.9]}}},
                      seeds=2)
    points = load_sweep(path)
    assert len(points) == 2 * 2 * 3 * 2 == len({p.key for p in points})
    first = points[0].values
    assert first["training.optimizer.eta"] == 0.5 and first["training.mini_batch_size"] == 1 and first["seed"] == 3
    assert [p.values["seed"] for p in points[:2]] == [3, 4]  # seeds vary fastest, from the spec's seed
    assert [p.values["training.optimizer.eta"] for p in points[::12]] == [0.5, 2.0]  # the first axis slowest
    mus = [p.values["training.optimizer.mu"] for p in points[:6:2]]
    assert len(set(mus)) == 3 and all(0.1 <= mu <= 0.9 and len(f"{mu:g}".strip("0.")) <= 4 for mu in mus)
    assert [p.values["training.optimizer.mu"] for p in load_sweep(path)[:6:2]] == mus  # the sweep's own seed
    for p in points:  # each point's spec holds its values
        assert p.spec.training.optimizer.params["eta"] == p.values["training.optimizer.eta"]
        assert p.spec.seed == p.values["seed"] and "sweep" not in p.spec.resolved


def test_log_uniform_draws_cover_the_orders_of_magnitude(tmp_path):
    path = sweep_file(tmp_path, random={"count": 200, "axes": {"training.optimizer.eta": {"log_uniform": [0.01, 100]}}})
    etas = [p.values["training.optimizer.eta"] for p in load_sweep(path)]
    decades = {math.floor(math.log10(e)) for e in etas}
    assert decades == {-2, -1, 0, 1} and min(etas) >= 0.01 and max(etas) <= 100


def test_a_repeated_choice_is_one_point(tmp_path):
    path = sweep_file(tmp_path, random={"count": 20, "axes": {"training.mini_batch_size": {"choice": [1, 2]}}})
    assert sorted(p.values["training.mini_batch_size"] for p in load_sweep(path)) == [1, 2]


def test_errors_are_located_at_the_sweeps_lines(tmp_path, write_spec):
    path = write_spec("""
        specnet: 1
        extends: tiny.yaml
        sweep:
          grid:
            training.optimizer.etaa: [0.1]
            training.mini_batch_size: [2, 0]
        """)
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(tiny_spec()))
    with pytest.raises(SpecError) as e:
        load_sweep(path)
    assert str(e.value).splitlines() == [
        f"{path}:5: training.optimizer.etaa: unknown key 'etaa'. Known keys here: eta, mu, nesterov, type. "
        "Did you mean 'eta'?",
        f"{path}:6: training.mini_batch_size: must be an integer >= 1. Got 0."]


def test_too_many_points_and_a_sweep_given_to_run_are_refused(tmp_path, capsys):
    path = sweep_file(tmp_path, grid={f"training.optimizer.{k}": [0.1 * i for i in range(1, 101)] for k in ("eta", "mu")},
                      seeds=2)
    with pytest.raises(SpecError, match=f"the sweep has 20,000 points, more than {MAX_POINTS:,}"):
        load_sweep(path)
    path = sweep_file(tmp_path)
    code, out, err = cli(capsys, "run", path)
    assert code == 2 and err.strip().endswith("sweep: this file is a sweep (it has a sweep: block), not one run. Run "
                                              f"its points with: specnet sweep {path} (or remove the sweep block).")


def test_validate_checks_every_point_of_a_sweep(tmp_path, capsys):
    good = sweep_file(tmp_path)
    bad = sweep_file(tmp_path, "bad.yaml", grid={"training.optimizer.eta": [0.5, -1.0]})
    code, out, err = cli(capsys, "validate", good, bad)
    line = [x.strip() for x in bad.read_text().splitlines()].index("- -1.0") + 1  # the value's own line
    assert code == 2 and out.strip() == f"{bad}:{line}: training.optimizer.eta: must be a number > 0. Got -1.0."


def test_the_command_line_makes_a_sweep_of_any_spec(tmp_path):
    spec = tmp_path / "tiny.yaml"
    spec.write_text(yaml.safe_dump(tiny_spec()))
    points = load_sweep(spec, ["training.epochs=2"], ["training.optimizer.eta=0.5,2", "training.mini_batch_size=1,2"], 2)
    assert [tuple(p.values.values()) for p in points[:3]] == [(0.5, 1, 3), (0.5, 1, 4), (0.5, 2, 3)]
    assert len(points) == 8 and all(p.spec.training.epochs == 2 for p in points)
    with pytest.raises(SpecError, match=r"^--sweep training.optimizer.eta=0.5,-2: training.optimizer.eta: must be"):
        load_sweep(spec, (), ["training.optimizer.eta=0.5,-2"])
    with pytest.raises(SpecError, match="this spec has no sweep: block"):
        load_sweep(spec)


def test_the_command_line_adds_to_a_files_grid_and_bad_axes_are_one_line(tmp_path, capsys):
    path = sweep_file(tmp_path, grid=GRID, seeds=2)
    points = load_sweep(path, (), ["training.mini_batch_size=1,2"])
    assert len(points) == 3 * 2 * 2 and {tuple(p.values) for p in points} == {
        ("training.optimizer.eta", "training.mini_batch_size", "seed")}
    for axis, message in [("=1,2", "--sweep =1,2: expected PATH=V1,V2 (a spec path and its values)"),
                          ("training.optimizer.eta", "--sweep training.optimizer.eta: expected PATH=V1,V2"),
                          ("training.optimizer.eta=0.1,,1", "--sweep training.optimizer.eta=0.1,,1: a value is not "
                                                            "valid YAML")]:
        with pytest.raises(SpecError) as e:
            load_sweep(path, (), [axis])
        assert str(e.value).startswith(message) and "--set" not in str(e.value) and len(str(e.value).splitlines()) == 1
    with pytest.raises(SpecError) as e:
        load_sweep(path, (), ["training.optimizer.eta=" + ",".join(map(str, range(1, 201)))])
    assert str(e.value).endswith(" characters): sweep.grid.training.optimizer.eta: must have at most 100 items. "
                                 "Got '200 items'.") and len(str(e.value)) < 320  # the option cut, not the list


def test_a_random_axis_low_above_high_and_an_empty_sweep_are_refused(tmp_path):
    path = sweep_file(tmp_path, random={"count": 2, "axes": {"training.optimizer.eta": {"log_uniform": [1, 0.1]}}})
    with pytest.raises(SpecError, match=r"s.yaml:\d+: sweep.random.axes.training.optimizer.eta: the low end 1 is "
                                        r"above the high end 0.1. Write \[low, high\]."):
        load_sweep(path)
    empty = tmp_path / "empty.yaml"
    empty.write_text(yaml.safe_dump(tiny_spec(sweep={})))
    with pytest.raises(SpecError, match=r"sweep: must have at least 1 keys. Got '0 keys'"):
        load_sweep(empty)


# --- running a sweep ----------------------------------------------------------------------------------------

def test_a_sweep_trains_only_what_is_missing(tmp_path, capsys):
    path = sweep_file(tmp_path)
    code, out, err = cli(capsys, "sweep", path, "--runs-dir", tmp_path / "runs")
    folder = tmp_path / "runs" / "tiny"
    assert code == 0 and err.splitlines()[0] == "6 points: 0 already there, 6 to train, 1 at a time"
    assert out.strip() == f"Sweep saved in {folder} (sweep.json): 6 points, 6 completed"
    points = json.loads((folder / "sweep.json").read_text())["points"]
    assert [p["values"]["training.optimizer.eta"] for p in points] == [0.5, 0.5, 2.0, 2.0, 8.0, 8.0]
    assert all(p["folder"] == f"tiny-{p['key'][:12]}" and p["status"] == "completed" for p in points)
    assert [p["key"] for p in points] == [p.key for p in load_sweep(path)]  # the points' resolved specs
    before = metrics(folder)
    stamps = {p: (folder / p / "run.json").stat().st_mtime_ns for p in before}
    code, out, err = cli(capsys, "sweep", path, "--runs-dir", tmp_path / "runs", "--seeds", "3")
    assert code == 0 and err.splitlines()[0] == "9 points: 6 already there, 3 to train, 1 at a time"
    after = metrics(folder)
    assert len(after) == 9 and all(after[p] == before[p] for p in before)
    code, out, err = cli(capsys, "sweep", path, "--runs-dir", tmp_path / "runs", "--sweep", "training.optimizer.eta=4")
    rows = json.loads((folder / "sweep.json").read_text())["points"]  # a second sweep adds its points, each once
    assert code == 0 and len(rows) == 9 + 2 and len({r["key"] for r in rows}) == 11
    assert all((folder / p / "run.json").stat().st_mtime_ns == stamps[p] for p in before)  # not touched


def test_a_stopped_point_is_resumed_and_a_damaged_one_is_reported(tmp_path, capsys):
    """One point's run killed in its third epoch, another's folder damaged: the sweep resumes the first
    (ending as the uninterrupted run), reports the second with its error, trains the rest, exits 1."""
    from test_resume_runs import Died, die_at
    from specnet.runs.run import run_spec
    from specnet.sweeps.runner import folder_of
    path = sweep_file(tmp_path, grid=GRID)
    cli(capsys, "sweep", path, "--runs-dir", tmp_path / "whole")
    whole = metrics(tmp_path / "whole" / "tiny")
    points, folder = load_sweep(path), tmp_path / "runs" / "tiny"
    with pytest.raises(Died):
        run_spec(points[0].spec, folder=folder_of(folder, points[0]), on_epoch=die_at(epoch=2)[0])
    folder_of(folder, points[1]).mkdir(parents=True)
    (folder_of(folder, points[1]) / "run.json").write_text("{not json")
    code, out, err = cli(capsys, "sweep", path, "--runs-dir", tmp_path / "runs")
    assert code == 1 and err.splitlines()[0] == "3 points: 0 already there, 2 to train, 1 at a time, 1 that cannot be used:"
    assert err.splitlines()[1].startswith(f"  {folder_of(folder, points[1]).name}: damaged: {folder_of(folder, points[1])}")
    rows = json.loads((folder / "sweep.json").read_text())["points"]
    assert [r["status"] for r in rows] == ["completed", "failed", "completed"]
    assert rows[1]["error"].startswith("damaged: ") and "not a run folder: it has no spec.yaml" in rows[1]["error"]
    assert json.loads((folder_of(folder, points[0]) / "run.json").read_text())["resumed"][0]["epochs_done"] == 2
    got = metrics(folder)
    assert got[folder_of(folder, points[0]).name] == whole[folder_of(folder, points[0]).name]
    assert got[folder_of(folder, points[2]).name] == whole[folder_of(folder, points[2]).name]


def test_two_jobs_give_the_same_runs(tmp_path, capsys):
    path = sweep_file(tmp_path)
    cli(capsys, "sweep", path, "--runs-dir", tmp_path / "one")
    code, out, err = cli(capsys, "sweep", path, "--runs-dir", tmp_path / "two", "--jobs", "2", "--json")
    assert code == 0 and "6 to train, 2 at a time" in err
    assert metrics(tmp_path / "one" / "tiny") == metrics(tmp_path / "two" / "tiny")
    assert [r["status"] for r in json.loads(out)["points"]] == ["completed"] * 6


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed", reason="distributed (specnet[dask]) is not installed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c:
        yield c.scheduler_address


def test_a_dask_cluster_gives_the_same_runs_and_resumes_a_stopped_point(tmp_path, capsys, cluster):
    """On two Dask workers (separate processes that write nowhere but their own temporary folders), the
    points come back as the same files; a point stopped here is shipped to a worker, resumed there and
    comes back complete."""
    from test_resume_runs import Died, die_at
    from specnet.runs.run import run_spec
    from specnet.sweeps.runner import folder_of
    path = sweep_file(tmp_path)
    cli(capsys, "sweep", path, "--runs-dir", tmp_path / "here")
    points, folder = load_sweep(path), tmp_path / "dask" / "tiny"
    with pytest.raises(Died):
        run_spec(points[3].spec, folder=folder_of(folder, points[3]), on_epoch=die_at(epoch=2)[0])
    code, out, err = cli(capsys, "sweep", path, "--runs-dir", tmp_path / "dask", "--dask", cluster)
    assert code == 0, err
    assert err.splitlines()[0] == f"6 points: 0 already there, 6 to train on {cluster}"
    assert metrics(folder) == metrics(tmp_path / "here" / "tiny")
    resumed = json.loads((folder_of(folder, points[3]) / "run.json").read_text())
    assert resumed["status"] == "completed" and resumed["resumed"][0]["epochs_done"] == 2
    assert not list(folder_of(folder, points[3]).glob("checkpoint*"))


def test_dask_errors_are_one_line(tmp_path, capsys, monkeypatch):
    path = sweep_file(tmp_path)
    monkeypatch.setitem(sys.modules, "distributed", None)  # as where the extra is not installed
    code, out, err = cli(capsys, "sweep", path, "--runs-dir", tmp_path, "--dask", "tcp://127.0.0.1:9")
    assert code == 2 and err.splitlines()[-1] == (
        "--dask: needs the distributed package, which is not installed. Install it: pip install "
        "\"specnet[dask]\" (or run with --jobs N on this machine).")


@pytest.mark.parametrize("answer", [b"", b"HTTP/1.1 200 OK\r\n\r\n" + b"\xff" * 64], ids=["silent", "garbage"])
def test_something_that_is_not_a_scheduler_is_one_line_in_bounded_time(answer):
    """A server that never answers, or answers garbage (which once made distributed allocate 3 EiB): one line."""
    import socket
    import threading
    distributed = pytest.importorskip("distributed", reason="distributed (specnet[dask]) is not installed")
    from specnet.sweeps.engines import _connect
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def serve():
        conn, _ = server.accept()
        conn.sendall(answer)
        threading.Event().wait(10)
    threading.Thread(target=serve, daemon=True).start()
    address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
    with pytest.raises(SpecError) as e:
        _connect(distributed.Client, address, seconds=1)
    assert str(e.value).startswith("--dask: cannot reach the Dask scheduler: ") and len(str(e.value).splitlines()) == 1


def test_reproduce_runs_on_the_same_engines(tmp_path, cluster):
    """specnet reproduce on the Dask cluster (its runs folder shared: the same machine) gives the rows it gives
    in one process."""
    from pathlib import Path
    from specnet.commands.reproduce import reproduce
    root = Path(__file__).resolve().parent.parent
    specs = [root / "specs" / "ch1_perceptron_nand.yaml", root / "specs" / "ch3_neuron_quadratic.yaml"]
    here = reproduce(specs, seeds=2, runs_dir=tmp_path / "here", echo=lambda s: None)
    there = reproduce(specs, seeds=2, runs_dir=tmp_path / "dask", echo=lambda s: None, dask=cluster)
    keep = ("spec", "values", "passed", "runs", "unmet")
    assert [{k: r[k] for k in keep} for r in there] == [{k: r[k] for k in keep} for r in here]
    assert all(r["passed"] == r["runs"] == 2 for r in there) and len(list((tmp_path / "dask").iterdir())) == 4


def test_a_sweeps_figure_draws_the_seeds_spread(tmp_path, capsys):
    """plot of a sweep's folder: final accuracy against η, a point per η with the seeds' lowest and highest."""
    pytest.importorskip("matplotlib", reason="matplotlib (specnet[plot]) is not installed")
    from specnet.sweeps.figure import series
    path = sweep_file(tmp_path, grid={"training.optimizer.eta": [0.5, 8.0], "training.mini_batch_size": [1, 2]},
                      seeds=2)
    cli(capsys, "sweep", path, "--runs-dir", tmp_path / "runs")
    folder = tmp_path / "runs" / "tiny"
    axis, lines = series(folder, "evaluation_accuracy")
    rows = json.loads((folder / "sweep.json").read_text())["points"]
    assert axis == "training.optimizer.eta" and sorted(lines) == ["m = 1", "m = 2"]
    assert lines["m = 2"][8.0] == [r["metrics"]["evaluation_accuracy"]["final"] for r in rows
                                   if r["values"]["training.optimizer.eta"] == 8.0 and
                                   r["values"]["training.mini_batch_size"] == 2]
    code, out, err = cli(capsys, "plot", folder, "--out", tmp_path / "sweep.png")
    assert code == 0 and (tmp_path / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    (folder / "sweep.json").write_text('{"points": 3}')
    code, out, err = cli(capsys, "plot", folder, "--out", tmp_path / "sweep.png")
    assert code == 2 and err.strip().endswith("sweep.json: not a sweep.json specnet wrote. The run folder is damaged "
                                              "or was changed by hand: train the spec again.")
