"""`specnet report`: one self-contained HTML page, tested as a person sees it: rendered by headless Chromium
(Debian's `chromium`; skipped with the reason where it is missing), its screenshot not blank and its key
elements there (the curves, a confusion matrix of 100 cells, the grid of mistaken digits, the first layer's
weights). Hostile text in a run shows as text. Image panels only for image data (a baseline has no weights
to draw); a sweep's folder gives its figure and table."""
import re
import shutil
import subprocess

import pytest
import yaml

from test_cli import cli
from specnet.runs.run import run_spec
from specnet.spec.load import load_spec

HOSTILE = '<script>document.title="owned"</script><img src=x onerror=alert(1)> & "quotes"'
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def mnist_run(tmp_path, name, eta=3.0, description="a run"):
    spec = tmp_path / f"{name}.yaml"
    spec.write_text(yaml.safe_dump({"extends": "ch1_sgd", "description": description, "training": {
        "epochs": 2, "optimizer": {"eta": eta}}, "data": {"training": {"split": "training", "take": 2000}}}))
    return run_spec(load_spec(spec), tmp_path / "runs").folder


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    return tmp, [mnist_run(tmp, "first", description=HOSTILE), mnist_run(tmp, "second", eta=0.5)]


def render(page, tmp_path):
    """Chromium's DOM of the page (after it ran, had it scripts) and a screenshot of it."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium); .ci/run installs it")
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars", "--window-size=1100,2400"]
    dom = subprocess.run(flags + ["--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120).stdout
    shot = tmp_path / "shot.png"
    subprocess.run(flags + [f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120)
    return dom, shot


def test_the_report_as_a_browser_shows_it(two_runs, tmp_path, capsys):
    tmp, runs = two_runs
    page = tmp_path / "report.html"
    code, out, err = cli(capsys, "report", *runs, "-o", page)
    assert code == 0 and out.strip() == f"Wrote {page}"
    dom, shot = render(page, tmp_path)
    assert "<title>2 runs</title>" in dom, "the hostile description ran as a script"
    assert len(re.findall(r'<polyline class="curve"', dom)) == 2  # the test accuracy of each run
    assert len(re.findall(r'<td class="cm"', dom)) == 2 * 100  # a 10 x 10 confusion matrix per run
    assert len(re.findall(r'<img class="digit"', dom)) == 2 * 12 and len(re.findall(r'<img class="weights"', dom)) == 60
    assert "η = 0.5" in dom and "η = 3" in dom  # the runs labelled by what differs
    Image = pytest.importorskip("PIL.Image", reason="Pillow is not installed")
    pixels = Image.open(shot).convert("L")
    histogram = pixels.histogram()
    assert pixels.size == (1100, 2400) and sum(histogram[:200]) > 0.02 * sum(histogram), "the screenshot is blank"


def test_text_from_a_run_is_shown_as_text(two_runs, tmp_path, capsys):
    tmp, runs = two_runs
    page = tmp_path / "report.html"
    cli(capsys, "report", runs[0], "-o", page)
    html = page.read_text()
    assert "<script>" not in html and "<img src=x" not in html and "onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;document.title=&quot;owned&quot;&lt;/script&gt;" in html and "http" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")  # nothing to fetch: the page stands alone


def test_a_file_that_is_not_a_report_is_never_replaced(two_runs, tmp_path, capsys):
    tmp, runs = two_runs
    mine = tmp_path / "notes.html"
    mine.write_text("<html>my notes</html>")
    code, out, err = cli(capsys, "report", runs[1], "-o", mine)
    assert code == 2 and "it is not a report specnet wrote" in err and mine.read_text() == "<html>my notes</html>"
    code, out, err = cli(capsys, "report", runs[1], "-o", tmp_path / "r.html")
    code, out, err = cli(capsys, "report", runs[0], "-o", tmp_path / "r.html")  # its own report: replaced
    assert code == 0 and "first" in (tmp_path / "r.html").read_text()


def test_tables_and_baselines_have_no_image_panels(tmp_path, capsys):
    iris = run_spec(load_spec("examples/iris", ["training.epochs=5"]), tmp_path / "runs").folder
    darkness = run_spec(load_spec("ch1_average_darkness"), tmp_path / "runs").folder
    pages = {}
    for folder, cells in ((iris, 9), (darkness, 100)):
        page = tmp_path / f"{folder.name}.html"
        code, out, err = cli(capsys, "report", folder, "-o", page)
        pages[folder] = page.read_text()
        assert code == 0 and pages[folder].count('<td class="cm"') == cells, err
    assert "<img" not in pages[iris]  # a table's rows are not pictures
    assert '<img class="digit"' in pages[darkness] and '<img class="weights"' not in pages[darkness]  # no weights
    assert "No epochs to draw: a baseline" in pages[darkness] and 'class="acts"' not in pages[darkness]


def test_a_sweeps_folder_gives_its_figure_and_table(tmp_path, capsys):
    from test_sweeps import sweep_file
    path = sweep_file(tmp_path)
    cli(capsys, "sweep", path, "--runs-dir", tmp_path / "runs")
    code, out, err = cli(capsys, "report", tmp_path / "runs" / "tiny", "-o", tmp_path / "sweep.html")
    html = (tmp_path / "sweep.html").read_text()
    assert code == 0 and "The sweep: final evaluation accuracy against η" in html
    assert html.count("<polyline") >= 1 + 6 and html.count("<tr>") >= 1 + 6  # the figure, the 6 runs' curves


def test_what_went_wrong_is_on_the_page_and_a_damaged_run_is_left_out(two_runs, tmp_path, capsys):
    """An unmet expect bound is said under the run's name; a run folder that cannot be read is named at the
    top while the others are reported; a table's classes are named; a new folder for -o is made."""
    import json
    tmp, runs = two_runs
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "run.json").write_text("{not json")
    (bad / "spec.yaml").write_text("specnet: 1")
    iris = run_spec(load_spec("examples/iris", ["training.epochs=2", "expect=[{metric: evaluation_accuracy, "
                                                "min: 0.999}]"]), tmp_path / "runs").folder
    info = json.loads((iris / "run.json").read_text())
    page = tmp_path / "new" / "folder" / "r.html"
    code, out, err = cli(capsys, "report", iris, bad, runs[1], runs[1], "-o", page)
    html = page.read_text()
    assert code == 0 and "<title>2 runs</title>" in html  # the same run twice is one run
    assert f'class="unmet">Left out: {bad}/run.json' in html
    assert "an expect bound unmet" in html and "expect: final evaluation_accuracy" in html and info["unmet"]
    assert all(f"<th>{c}</th>" in html for c in info["classes"])  # setosa, versicolor, virginica


def test_a_model_holding_nan_is_one_line_everywhere(two_runs, tmp_path, capsys):
    import hashlib
    import io
    import json
    import numpy as np
    tmp, runs = two_runs
    folder = tmp_path / "nan"
    shutil.copytree(runs[1], folder)
    with np.load(folder / "model.npz") as z:
        arrays = {k: z[k] for k in z.files}
    arrays["w0"][0, 0] = np.nan
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    (folder / "model.npz").write_bytes(buffer.getvalue())
    meta = json.loads((folder / "model.json").read_text())
    meta["sha256"] = hashlib.sha256(buffer.getvalue()).hexdigest()  # as a forger would
    (folder / "model.json").write_text(json.dumps(meta))
    for args in (["evaluate", folder], ["report", folder, "-o", tmp_path / "x.html"],
                 ["export", folder, "-o", tmp_path / "x.json"]):
        code, out, err = cli(capsys, *args)
        assert code == 2 and err.strip().endswith(
            "model.npz: array w0 holds NaN or an infinity: no trained network does (a diverged run keeps no model). "
            "The run folder is damaged or was changed by hand: train the spec again."), (args, err)
