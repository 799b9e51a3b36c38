"""A disk that fills up (ENOSPC) at any write of a run: one line naming the file and the cause, run.json
'failed' where it can still be written and never 'completed', no temporary file left behind, every file
that exists whole; and `specnet resume`, once there is room again, completes the run as if nothing happened."""
import errno
import json

import pytest
import yaml

from test_resume_runs import OUTPUTS, outputs, spec_file
from specnet.errors import SpecError
from specnet.runs import files, run as run_module
from specnet.runs.resume import resume_run
from specnet.runs.run import run_spec
from specnet.spec.load import load_spec


class Disk:
    """Counts the writes of a run (through write_atomic and the .jsonl files) and fails the `full_at`-th."""

    def __init__(self, full_at=None):
        self.count, self.full_at = 0, full_at

    def open(self, path, mode="r", *args, **kwargs):
        f = open(path, mode, *args, **kwargs)
        if "w" not in mode and "a" not in mode and "x" not in mode:
            return f
        disk, write = self, f.write

        def checked(data):
            disk.count += 1
            if disk.count == disk.full_at:
                raise OSError(errno.ENOSPC, "No space left on device", str(path))
            return write(data)
        f.write = checked
        return f


def run_on(disk, monkeypatch, path, runs):
    monkeypatch.setattr(files, "open", disk.open, raising=False)
    monkeypatch.setattr(run_module, "open", disk.open, raising=False)
    try:
        return run_spec(load_spec(path), runs)
    finally:
        monkeypatch.undo()


def test_a_full_disk_at_every_write_of_a_run(tmp_path, monkeypatch):
    path = spec_file(tmp_path, "numpy", epochs=3)
    counting = Disk()
    whole = outputs(run_on(counting, monkeypatch, path, tmp_path / "a").folder)
    assert counting.count > 15  # spec.yaml, run.json, metrics and checks lines, checkpoints, the model
    for k in range(1, counting.count + 1):
        runs = tmp_path / f"full-{k}"
        with pytest.raises(SpecError) as caught:
            run_on(Disk(full_at=k), monkeypatch, path, runs)
        message = str(caught.value)
        assert len(message.splitlines()) == 1 and "cannot write the run: No space left on device" in message, k
        (folder,) = runs.iterdir()
        assert not list(folder.glob("*.tmp")), k
        if (folder / "spec.yaml").exists():
            yaml.safe_load((folder / "spec.yaml").read_text())
        info = json.loads((folder / "run.json").read_text()) if (folder / "run.json").exists() else {}
        assert info.get("status") != "completed", k
        if info:
            assert info["status"] == "failed" and "No space left on device" in info["failed"], k
        if info and (folder / "spec.yaml").exists():  # room again: resume completes it, as if nothing happened
            resume_run(folder)
            assert outputs(folder) == whole, k
