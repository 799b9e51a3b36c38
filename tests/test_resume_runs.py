"""`specnet resume` on run folders left by a process that died: between two epochs (before the epoch's
checkpoint), in the middle of an epoch, between the two renames of a checkpoint write, and by a real SIGKILL.
The resumed folder's metrics.jsonl, checks.jsonl and model.npz equal the uninterrupted run's, byte for byte."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from test_resume import EXECUTORS, spec_for
from specnet.errors import SpecError
from specnet.runs import checkpoint
from specnet.runs.interrupt import Interrupted
from specnet.runs.resume import resume_run
from specnet.runs.run import run_spec
from specnet.spec.load import load_spec

OUTPUTS = ("metrics.jsonl", "checks.jsonl", "model.npz")


class Died(BaseException):
    """What the process's death is, in these tests: nothing of specnet's catches it."""


def spec_file(tmp_path, executor, **training):
    """The test spec (momentum, L2, per-epoch expansion, dropout on numpy, a plateau schedule, checks every
    50 images) written to a file, as a user's would be."""
    spec = spec_for(executor, **{"epochs": 6, "monitor_every": 50, **training})
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec.resolved), encoding="utf-8")
    return path


def uninterrupted(path, runs):
    return run_spec(load_spec(path), runs).folder


def outputs(folder):
    return {name: (folder / name).read_bytes() for name in OUTPUTS}


def die_at(epoch=None, batch=None):
    """Callbacks for run_spec that die after `epoch`'s metrics line or at `batch` of epoch `epoch`."""
    state = {"epoch": 0}

    def on_epoch(row, seconds):
        state["epoch"] = row["epoch"] + 1
        if batch is None and row["epoch"] == epoch:
            raise Died
    def on_batch(done, total):
        if batch is not None and state["epoch"] == epoch and done >= batch:
            raise Died
    return on_epoch, on_batch


def signal_at(epoch, batch):
    """Callbacks for run_spec: a signal (Interrupted) at the first tick after `batch` images of `epoch`."""
    state = {"epoch": 0, "done": 0}

    def on_epoch(row, seconds):
        state.update(epoch=row["epoch"] + 1, done=0)

    def on_batch(done, total):
        state["done"] = done

    def stop():
        if state["epoch"] == epoch and state["done"] >= batch:
            raise Interrupted(signal.SIGTERM)
    return on_epoch, on_batch, stop


@pytest.mark.parametrize("executor", EXECUTORS)
@pytest.mark.parametrize("point", ["between-epochs", "mid-epoch", "mid-checkpoint", "signal-mid-epoch"])
def test_a_resumed_run_ends_as_the_uninterrupted_one(tmp_path, monkeypatch, executor, point):
    path = spec_file(tmp_path, executor, schedule={"type": "plateau", "metric": "evaluation_cost", "patience": 1,
                                                   "min_ratio": 0.01})
    whole = outputs(uninterrupted(path, tmp_path / "a"))
    if point == "mid-checkpoint":  # the array file of epoch 3's checkpoint renamed, its checkpoint.json not
        real, calls = os.replace, []

        def replace(src, dst):
            calls.append(dst)
            if str(dst).endswith("checkpoint.json") and any(str(c).endswith("checkpoint-4-0.npz") for c in calls):
                raise Died
            real(src, dst)
        monkeypatch.setattr(checkpoint.os, "replace", replace)
        callbacks = (None, None)
    elif point == "signal-mid-epoch":  # SIGTERM in epoch 3: a checkpoint at the mini-batch it stopped at
        callbacks = signal_at(epoch=3, batch=30)
    else:
        callbacks = die_at(epoch=2) if point == "between-epochs" else die_at(epoch=3, batch=30)
    with pytest.raises(Interrupted if point == "signal-mid-epoch" else Died):
        run_spec(load_spec(path), tmp_path / "b", *callbacks)
    monkeypatch.undo()
    (folder,) = (tmp_path / "b").iterdir()
    assert not (folder / "model.npz").exists()
    assert f'"status": "{"interrupted" if point == "signal-mid-epoch" else "running"}"' in (folder / "run.json").read_text()
    resumed = resume_run(folder)
    assert outputs(folder) == whole and resumed.info["status"] == "completed"
    assert not list(folder.glob("checkpoint*")), "a completed run keeps no checkpoint"
    assert resumed.info["resumed"][0]["epochs_done"] == {"between-epochs": 2, "mid-epoch": 3, "mid-checkpoint": 3,
                                                         "signal-mid-epoch": 3}[point]
    # 80 images an epoch in mini-batches of 7: stop() sees 35 done at the tick after the 6th mini-batch
    assert resumed.info["resumed"][0].get("mini_batches_done") == (6 if point == "signal-mid-epoch" else None)


def test_early_stopping_resumes_with_its_kept_parameters(tmp_path):
    path = spec_file(tmp_path, "numpy", epochs=40, early_stopping={"metric": "evaluation_cost", "patience": 3},
                     optimizer={"type": "sgd", "eta": 0.3, "mu": 0.7})
    whole_folder = uninterrupted(path, tmp_path / "a")
    stopped = [r for r in map(eval_json, (whole_folder / "metrics.jsonl").read_text().splitlines())][-1]
    assert stopped["restored_epoch"] < stopped["epoch"] - 1  # the best epoch is older than the last checkpoint
    with pytest.raises(Died):
        run_spec(load_spec(path), tmp_path / "b", *die_at(epoch=stopped["epoch"] - 1))
    (folder,) = (tmp_path / "b").iterdir()
    resume_run(folder)
    assert outputs(folder) == outputs(whole_folder)


def eval_json(line):
    import json
    return json.loads(line)


def test_a_complete_run_is_not_resumed(tmp_path):
    folder = uninterrupted(spec_file(tmp_path, "numpy"), tmp_path / "a")
    with pytest.raises(SpecError, match="this run is complete: there is nothing to resume"):
        resume_run(folder)


def test_changed_data_is_refused_unless_forced(tmp_path, monkeypatch):
    path = spec_file(tmp_path, "numpy")
    with pytest.raises(Died):
        run_spec(load_spec(path), tmp_path / "b", *die_at(epoch=1))
    (folder,) = (tmp_path / "b").iterdir()
    info = (folder / "run.json").read_text()
    (folder / "run.json").write_text(info.replace('"specnet": "', '"specnet": "0.9-'))  # as if started by another version
    with pytest.raises(SpecError, match=r"it changed since the run started: specnet 0\.9-.* is now .*--force"):
        resume_run(folder)
    run = resume_run(folder, force=True)
    assert run.info["resumed"][0]["changes"][0].startswith("specnet 0.9-")


def test_a_real_sigkill(tmp_path):
    """The process killed by SIGKILL once its checkpoint of epoch 20 (of 300) is on disk, at whatever it is
doing then; resumed by the command."""
    path = spec_file(tmp_path, "numpy", epochs=300)
    whole = outputs(uninterrupted(path, tmp_path / "a"))
    exe = [sys.executable, "-m", "specnet"]
    p = subprocess.Popen(exe + ["run", str(path), "--runs-dir", str(tmp_path / "b")], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    deadline, epoch = time.time() + 60, -1
    while time.time() < deadline and epoch < 20 and p.poll() is None:  # killed some time after epoch 20's checkpoint
        epoch = max([int(f.stem.split("-")[1]) for f in (tmp_path / "b").glob("*/checkpoint-*.npz")], default=-1)
        time.sleep(0.001)
    p.send_signal(signal.SIGKILL)
    p.wait()
    (folder,) = (tmp_path / "b").iterdir()
    assert not (folder / "model.npz").exists(), "the run ended before it was killed: the test proves nothing"
    done = subprocess.run(exe + ["resume", str(folder)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert outputs(folder) == whole
    # it went on from epoch 20's checkpoint, or from 19's if the kill came between the two renames of 20's
    assert json.loads((folder / "run.json").read_text())["resumed"][0]["epochs_done"] >= 19


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_the_run_cleanly_and_resume_completes_it(tmp_path, signum, code):
    """Ctrl-C or SIGTERM after epoch 20's checkpoint (of 300): one line saying how to go on, exit 128 + the
    signal, run.json "interrupted", the checkpoint kept; resumed, the run ends as the uninterrupted one."""
    path = spec_file(tmp_path, "numpy", epochs=300)
    whole = outputs(uninterrupted(path, tmp_path / "a"))
    exe = [sys.executable, "-m", "specnet"]
    p = subprocess.Popen(exe + ["run", str(path), "--runs-dir", str(tmp_path / "b")], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    deadline, epoch = time.time() + 60, -1
    while time.time() < deadline and epoch < 20 and p.poll() is None:
        epoch = max([int(f.stem.split("-")[1]) for f in (tmp_path / "b").glob("*/checkpoint-*.npz")], default=-1)
        time.sleep(0.001)
    p.send_signal(signum)
    _, err = p.communicate(timeout=60)
    (folder,) = (tmp_path / "b").iterdir()
    assert p.returncode == code, err
    assert err.splitlines()[-1] == (f"Interrupted by {signal.Signals(signum).name}: the run stopped at a "
                                    f"mini-batch; go on with: specnet resume {folder}")
    assert '"status": "interrupted"' in (folder / "run.json").read_text() and (folder / "checkpoint.json").exists()
    assert not (folder / "model.npz").exists()
    done = subprocess.run(exe + ["resume", str(folder)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert outputs(folder) == whole and '"status": "completed"' in (folder / "run.json").read_text()


def test_a_run_whose_process_died_is_shown_as_interrupted(tmp_path, capsys):
    """run.json still says 'running' after a death without a word; no process holds the run's lock, so
    load_run, evaluate and resume treat it as interrupted."""
    from test_cli import cli
    from specnet.runs.folder import load_run
    path = spec_file(tmp_path, "numpy")
    with pytest.raises(Died):
        run_spec(load_spec(path), tmp_path / "b", *die_at(epoch=2))
    (folder,) = (tmp_path / "b").iterdir()
    assert '"status": "running"' in (folder / "run.json").read_text()
    assert load_run(folder).info["status"] == "interrupted"
    code, out, err = cli(capsys, "evaluate", folder)
    assert code == 2 and err.strip() == (f"{folder}: this run is interrupted: it has no trained model to evaluate. "
                                         f"specnet resume {folder} completes it; --checkpoint evaluates its "
                                         "last checkpoint.")


def test_checkpoints_every_k_epochs(tmp_path):
    """checkpoint_every: 3 writes checkpoints after epochs 2 and 5 only; killed after epoch 4, the run goes on
    from epoch 2's and still ends as the uninterrupted one."""
    path = spec_file(tmp_path, "numpy", epochs=8, checkpoint_every=3)
    whole = outputs(uninterrupted(path, tmp_path / "a"))
    with pytest.raises(Died):
        run_spec(load_spec(path), tmp_path / "b", *die_at(epoch=4))
    (folder,) = (tmp_path / "b").iterdir()
    assert [f.name for f in folder.glob("checkpoint-*.npz")] == ["checkpoint-3-0.npz"]
    assert resume_run(folder).info["resumed"][0]["epochs_done"] == 3 and outputs(folder) == whole


def test_diff_says_which_run_is_not_complete(tmp_path, capsys):
    from test_cli import cli
    path = spec_file(tmp_path, "numpy")
    whole = uninterrupted(path, tmp_path / "a")
    with pytest.raises(Died):
        run_spec(load_spec(path), tmp_path / "b", *die_at(epoch=2))
    (folder,) = (tmp_path / "b").iterdir()
    code, out, err = cli(capsys, "diff", whole, folder)
    assert code == 0 and out.splitlines()[:2] == [
        f"a: {whole}", f"b: {folder}  (interrupted: not complete; its metrics stop at its last epoch)"]


def test_a_run_still_running_is_not_resumed(tmp_path):
    """While a process trains a run (and holds its lock), resume refuses it rather than train it twice."""
    from specnet.runs.lock import hold
    path = spec_file(tmp_path, "numpy")
    with pytest.raises(Died):
        run_spec(load_spec(path), tmp_path / "b", *die_at(epoch=2))
    (folder,) = (tmp_path / "b").iterdir()
    with hold(folder):  # as the live process would
        with pytest.raises(SpecError, match="this run is still running in another process"):
            resume_run(folder)
    assert resume_run(folder).info["status"] == "completed"


def test_a_signal_writes_the_last_epochs_checkpoint_whatever_checkpoint_every_says(tmp_path):
    """checkpoint_every: 5, stopped by a signal in epoch 3: the checkpoint of epoch 2 is written on the way
    out, so only the epoch in progress is done again."""
    from specnet.runs.interrupt import Interrupted
    path = spec_file(tmp_path, "numpy", epochs=8, checkpoint_every=5)
    whole = outputs(uninterrupted(path, tmp_path / "a"))
    state = {"epoch": 0}

    def on_epoch(row, seconds):
        state["epoch"] = row["epoch"] + 1

    def stop():
        if state["epoch"] == 3:
            raise Interrupted(2)
    with pytest.raises(Interrupted):
        run_spec(load_spec(path), tmp_path / "b", on_epoch, None, stop)
    (folder,) = (tmp_path / "b").iterdir()
    assert [f.name for f in folder.glob("checkpoint-*.npz")] == ["checkpoint-3-0.npz"]
    assert resume_run(folder).info["resumed"][0]["epochs_done"] == 3 and outputs(folder) == whole


def test_resume_takes_the_history_from_the_checkpoint_not_from_metrics_jsonl(tmp_path):
    """metrics.jsonl is flushed, not synced: after a power cut it may have lost lines that the checkpoint
    (synced) holds. Resume writes the file from the checkpoint's history."""
    path = spec_file(tmp_path, "numpy")
    whole = outputs(uninterrupted(path, tmp_path / "a"))
    with pytest.raises(Died):
        run_spec(load_spec(path), tmp_path / "b", *die_at(epoch=4))
    (folder,) = (tmp_path / "b").iterdir()
    lines = (folder / "metrics.jsonl").read_text().splitlines(keepends=True)
    (folder / "metrics.jsonl").write_text("".join(lines[:1]))  # epochs 1 to 4 lost
    resume_run(folder)
    assert outputs(folder) == whole


def test_links_left_in_a_strangers_run_folder_are_never_written_through(tmp_path):
    """A run folder from a stranger with links where specnet writes: temporary names (any name specnet
    used to use) and run.lock pointing at a file of yours. Resume writes no byte to it."""
    path = spec_file(tmp_path, "numpy")
    with pytest.raises(Died):
        run_spec(load_spec(path), tmp_path / "b", *die_at(epoch=3))
    (folder,) = (tmp_path / "b").iterdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    for name in ("run.json.tmp", "metrics.jsonl.tmp", "checks.jsonl.tmp", "model.npz.tmp", "model.json.tmp",
                 "checkpoint.json.tmp", "checkpoint-4-0.npz.tmp", "model.npz"):
        (folder / name).symlink_to(victim)
    resume_run(folder)
    assert victim.read_text() == "precious" and not (folder / "model.npz").is_symlink()
    (folder / "run.lock").unlink()
    (folder / "run.lock").symlink_to(victim)
    (folder / "run.json").write_text((folder / "run.json").read_text().replace('"completed"', '"interrupted"'))
    with pytest.raises(SpecError, match="run.lock: cannot use it as the run's lock"):
        resume_run(folder)
    assert victim.read_text() == "precious"


def test_a_second_ctrl_c_stops_at_once_and_says_how_to_go_on(tmp_path, capsys):
    """Two real SIGINTs after epoch 2's metrics: the first would stop at the next mini-batch, the second
    stops at once (no checkpoint at the mini-batch). One line, exit 130, run.json 'interrupted'; the
    run goes on from epoch 2's checkpoint and ends as the uninterrupted one."""
    import typer
    from specnet.commands.cli_support import train_and_report
    path = spec_file(tmp_path, "numpy")
    whole, spec = outputs(uninterrupted(path, tmp_path / "a")), load_spec(path)

    def start(on_epoch, on_batch, stop):
        def twice(row, seconds):
            on_epoch(row, seconds)
            for _ in range(2 if row["epoch"] == 2 else 0):
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.05)  # the handler runs here: the first notes it, the second stops
        return run_spec(spec, tmp_path / "b", twice, on_batch, stop)
    with pytest.raises(typer.Exit) as stopped:
        train_and_report(spec, start, False)
    (folder,) = (tmp_path / "b").iterdir()
    assert stopped.value.exit_code == 130
    assert capsys.readouterr().err.splitlines()[-1] == ("Interrupted at once by a second Ctrl-C: go on from the last "
                                                        f"checkpoint with: specnet resume {folder}")
    assert '"status": "interrupted"' in (folder / "run.json").read_text()
    assert resume_run(folder).info["resumed"][0]["epochs_done"] == 2 and outputs(folder) == whole


def test_half_a_line_left_by_a_death_is_dropped(tmp_path):
    """A process killed while writing a line of checks.jsonl or metrics.jsonl leaves it without its newline:
    the folder still reads (as interrupted) and resumes to the uninterrupted run."""
    from specnet.runs.folder import load_run
    path = spec_file(tmp_path, "numpy")
    whole = outputs(uninterrupted(path, tmp_path / "a"))
    with pytest.raises(Died):
        run_spec(load_spec(path), tmp_path / "b", *die_at(epoch=3, batch=60))
    (folder,) = (tmp_path / "b").iterdir()
    for name in ("checks.jsonl", "metrics.jsonl"):
        with open(folder / name, "a") as f:
            f.write('{"epoch": 3, "ima')
    run = load_run(folder)
    assert run.info["status"] == "interrupted" and len(run.history) == 3 and run.checks[-1]["epoch"] == 3
    resume_run(folder)
    assert outputs(folder) == whole


def test_resume_says_what_is_wrong_before_anything_else(tmp_path, capsys):
    """A damaged checkpoint: `specnet resume` prints its one line and no run header; nothing is rewritten.
    A folder that is not a run's gets no run.lock."""
    from test_cli import cli
    path = spec_file(tmp_path, "numpy")
    with pytest.raises(Died):
        run_spec(load_spec(path), tmp_path / "b", *die_at(epoch=3))
    (folder,) = (tmp_path / "b").iterdir()
    before = {f.name: f.read_bytes() for f in folder.iterdir()}
    meta = (folder / "checkpoint.json").read_text()
    (folder / "checkpoint.json").write_text(meta.replace('"batches": 0', '"batches": 13'))
    code, out, err = cli(capsys, "resume", folder)
    assert code == 2 and out == "" and err.splitlines() == [
        f"{folder}/checkpoint.json: batches: its checkpoint is at mini-batch 13 of an epoch that has 12. "
        "The run folder is damaged or was changed by hand: train the spec again."]
    (folder / "checkpoint.json").write_text(meta)
    assert {f.name: f.read_bytes() for f in folder.iterdir()} == before
    code, out, err = cli(capsys, "resume", tmp_path)
    assert code == 2 and "not a run folder" in err and not (tmp_path / "run.lock").exists()


def test_evaluate_uses_the_last_checkpoint_when_asked(tmp_path, capsys):
    """`evaluate --checkpoint` on a run stopped in epoch 3 scores the parameters after epoch 2, as the
    run measured them then; on a complete run, or a model file, it says why it cannot."""
    from test_cli import cli
    path = spec_file(tmp_path, "numpy")
    whole = uninterrupted(path, tmp_path / "a")
    with pytest.raises(Died):
        run_spec(load_spec(path), tmp_path / "b", *die_at(epoch=3))
    (folder,) = (tmp_path / "b").iterdir()
    code, out, err = cli(capsys, "evaluate", folder, "--checkpoint", "--split", "validation", "--json")
    measured = eval_json((folder / "metrics.jsonl").read_text().splitlines()[2])
    assert code == 0 and eval_json(out)["checkpoint"] == {"epochs": 3, "batches": 0}
    assert eval_json(out)["correct"] == measured["evaluation_correct"]
    assert abs(eval_json(out)["cost"] - measured["evaluation_cost"]) < 1e-6
    code, out, err = cli(capsys, "evaluate", folder, "--checkpoint", "--split", "validation")
    assert code == 0 and out.strip().endswith("(the checkpoint after 3 epochs)")
    code, out, err = cli(capsys, "evaluate", whole, "--split", "validation", "--json")  # λ/2n with n = 80 images
    final = eval_json((whole / "metrics.jsonl").read_text().splitlines()[-1])  # an epoch: 40 and their copies
    assert code == 0 and abs(eval_json(out)["cost"] - final["evaluation_cost"]) < 1e-6
    code, out, err = cli(capsys, "evaluate", whole, "--checkpoint")
    assert code == 2 and "this run is complete: its checkpoint is gone" in err
    (tmp_path / "m").mkdir()
    for name in ("model.json", "model.npz"):
        (tmp_path / "m" / name).write_bytes((whole / name).read_bytes())
    code, out, err = cli(capsys, "evaluate", tmp_path / "m" / "model.json", "--checkpoint")
    assert code == 2 and "--checkpoint evaluates a run folder's checkpoint" in err


def test_an_edited_spec_is_named_value_by_value_and_goes_on_with_force(tmp_path, capsys):
    """spec.yaml edited after a stop (8 epochs instead of 6): resume names
    each change and refuses; --force goes on with them (run.json records them) and ends as the uninterrupted
    run of the edited spec."""
    from test_cli import cli
    path = spec_file(tmp_path, "numpy")
    with pytest.raises(Died):
        run_spec(load_spec(path), tmp_path / "b", *die_at(epoch=3))
    (folder,) = (tmp_path / "b").iterdir()
    edited = yaml.safe_load((folder / "spec.yaml").read_text())
    edited["training"]["epochs"] = 8
    (folder / "spec.yaml").write_text(yaml.safe_dump(edited))
    (tmp_path / "edited.yaml").write_text(yaml.safe_dump(edited))
    whole = outputs(uninterrupted(tmp_path / "edited.yaml", tmp_path / "a"))
    code, out, err = cli(capsys, "resume", folder)
    assert code == 2 and out == "" and err.splitlines() == [
        f"{folder}: it changed since the run started: spec.yaml training.epochs: 6 is now 8. Resume with --force "
        "to go on with the change (run.json records it), or run the spec again."]
    code, out, err = cli(capsys, "resume", folder, "--force")
    assert code == 0, err
    assert outputs(folder) == whole
    info = json.loads((folder / "run.json").read_text())
    assert info["resumed"][0]["changes"] == ["spec.yaml training.epochs: 6 is now 8"]
    code, out, err = cli(capsys, "evaluate", folder)  # the edited spec is now the run's
    assert code == 0, err
