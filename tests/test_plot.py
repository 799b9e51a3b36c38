import builtins
import re

import pytest

from conftest import tiny_spec
from specnet.commands.cli import main
from specnet.errors import SpecError
from specnet.runs.plot import plot_runs
from specnet.runs.folder import load_run
from specnet.runs.run import run_spec
from specnet.spec.load import spec_from_dict


@pytest.fixture
def runs(tmp_path):
    folders = []
    for eta in (0.5, 4.0):
        t = tiny_spec()
        t["training"]["optimizer"]["eta"] = eta
        t["training"]["epochs"] = 8
        folders.append(run_spec(spec_from_dict(t), tmp_path / "runs").folder)
    return [load_run(f) for f in folders]


def test_plot_writes_a_png(runs, tmp_path):
    pytest.importorskip("matplotlib")
    out = plot_runs(runs, ["evaluation_accuracy+evaluation_cost", "training_cost"], tmp_path / "p" / "a.png", 2)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 5000


def test_plot_refuses_unknown_and_unmonitored_metrics(runs, tmp_path):
    pytest.importorskip("matplotlib")
    with pytest.raises(SpecError, match="unknown metric 'accuracy'"):
        plot_runs(runs, ["accuracy"], tmp_path / "a.png")
    with pytest.raises(SpecError, match="no run monitored training_accuracy"):
        plot_runs(runs, ["training_accuracy"], tmp_path / "a.png")
    with pytest.raises(SpecError, match="unknown metric 'training_acc'.*Did you mean 'training_accuracy'"):
        plot_runs(runs, ["training_acc"], tmp_path / "a.png")
    with pytest.raises(SpecError, match="no epoch from 50 on: the runs end at epoch 7"):
        plot_runs(runs, ["evaluation_accuracy"], tmp_path / "a.png", from_epoch=50)


def test_plot_draws_the_learning_rate(runs, tmp_path):
    pytest.importorskip("matplotlib")
    assert plot_runs(runs, ["eta"], tmp_path / "eta.png").stat().st_size > 5000


def test_plot_without_matplotlib_is_one_clear_line(runs, tmp_path, monkeypatch, capsys):
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(SystemExit) as e:
        main(["plot", str(runs[0].folder), "--out", str(tmp_path / "a.png")])
    err = capsys.readouterr().err
    assert e.value.code == 2 and err.splitlines() == [
        'specnet plot: plot needs matplotlib, which is not installed. Install it with: pip install -e ".[plot]"']


def legend(runs, out):
    """Return the legend's labels of a drawing of `runs`, read back from the SVG (text kept as text)."""
    matplotlib = pytest.importorskip("matplotlib")
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        svg = plot_runs(runs, ["evaluation_accuracy"], out).read_text(encoding="utf-8")
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_plot_labels_runs_by_what_differs(runs, tmp_path):
    texts = legend(runs, tmp_path / "eta.svg")
    assert "η = 0.5" in texts and "η = 4" in texts and "tiny" not in texts
    again = load_run(run_spec(runs[0].spec, tmp_path / "again").folder)  # the same spec twice: folder names
    texts = legend([runs[0], again], tmp_path / "same.svg")
    assert runs[0].folder.name in texts and again.folder.name in texts and "η = 0.5" not in texts
