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


def figure(runs, panels, from_epoch=0):
    """Return the figure plot_runs draws, drawn once so that positions and ticks are known."""
    pytest.importorskip("matplotlib")
    from specnet.runs.plot import draw
    fig = draw(runs, panels, from_epoch)
    fig.canvas.draw()
    return fig


@pytest.fixture
def close():
    yield
    import matplotlib.pyplot as plt
    plt.close("all")


def test_plot_ticks_whole_epochs(runs, close):
    ax = figure(runs, ["training_cost"], from_epoch=5).axes[0]  # epochs 5 to 7: matplotlib would tick 5.25, 5.5
    lo, hi = ax.get_xlim()
    ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
    assert len(ticks) >= 2 and all(t == int(t) for t in ticks)


def test_plot_colours_runs_and_styles_metrics(runs, close):
    ax = figure(runs, ["evaluation_accuracy+evaluation_cost", "evaluation_cost+training_cost"]).axes[1]
    lines = ax.get_lines()  # run 1 evaluation, run 1 training, run 2 evaluation, run 2 training
    assert [line.get_linestyle() for line in lines] == ["-", "--", "-", "--"]
    colours = [line.get_color() for line in lines]
    assert colours[0] == colours[1] != colours[2] == colours[3]
    legend = [(t.get_text()) for t in ax.get_legend().get_texts()]
    assert legend == ["η = 0.5", "η = 4", "validation data", "training data"]


def test_plot_legends_cover_no_data(runs, close):
    fig = figure(runs, ["evaluation_accuracy", "evaluation_cost+training_cost"])
    for ax in fig.axes:
        assert not ax.get_legend().get_window_extent().overlaps(ax.get_window_extent())


def test_plot_names_the_data_as_the_book_does(tmp_path, close):
    t = tiny_spec()
    t["data"]["evaluation"] = {"split": "test"}  # inline data: every split is the table
    t["training"]["monitor"] = ["evaluation_accuracy", "training_accuracy", "training_cost"]
    run = load_run(run_spec(spec_from_dict(t), tmp_path / "runs").folder)
    fig = figure([run], ["evaluation_accuracy", "training_cost", "evaluation_accuracy+training_accuracy"])
    assert [ax.get_title() for ax in fig.axes] == ["Accuracy (%) on the test data", "Cost on the training data",
                                                   "Accuracy (%) on the test data and the training data"]
    assert fig.axes[0].get_legend() is None  # one run, one metric: nothing to tell apart
    assert [t.get_text() for t in fig.axes[2].get_legend().get_texts()] == ["test data", "training data"]
    t["data"]["evaluation"] = {"split": "validation"}
    other = load_run(run_spec(spec_from_dict(t), tmp_path / "runs").folder)
    fig = figure([run, other], ["evaluation_accuracy"])  # splits that differ: each run says its own
    assert fig.axes[0].get_title() == "Accuracy (%) on the evaluation data"
    assert [t.get_text().replace("\n", " ").split(", ")[-1] for t in fig.axes[0].get_legend().get_texts()] == [
        "test data", "validation data"]


def test_plot_unknown_extension_is_one_line_naming_the_formats(runs, tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["plot", str(runs[0].folder), "--out", str(tmp_path / "a.jpg")])
    err = capsys.readouterr().err.splitlines()
    assert e.value.code == 2 and len(err) == 1 and ".png, .svg, .pdf" in err[0] and ".jpg" in err[0]


def test_plot_labels_leave_out_the_book_bands_and_monitors():
    from specnet.runs.listing import labels
    specs = []
    for eta, text, low, monitor in ((0.025, "smooth", 0.3, ["evaluation_accuracy"]),
                                    (2.5, "oscillates", 0.6, ["evaluation_accuracy", "training_cost"])):
        t = tiny_spec(book={"result": "R46", "value": None, "text": text},
                      expect=[{"metric": "evaluation_accuracy", "at": "best", "min": low}])
        t["training"]["optimizer"]["eta"], t["training"]["monitor"] = eta, monitor
        specs.append(spec_from_dict(t))
    assert labels(specs, ["a", "b"]) == ["η = 0.025", "η = 2.5"]
