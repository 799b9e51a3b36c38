"""The benchmark harness (bench/): its arithmetic, and that a short run works end to end."""
import gzip
import hashlib
import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT))
import bench.problem  # noqa: E402
from bench.__main__ import main  # noqa: E402
from bench.coordinator import images_for  # noqa: E402
from bench.problem import FASHION, FASHION_FILES, Config, Problem  # noqa: E402
from bench.report import markdown  # noqa: E402


def test_flops_count_the_products_of_feedforward_bp2_and_bp4():
    # per image: 2·(784·30 + 30·10) forward, as many for BP4, and 2·30·10 for BP2 into the hidden layer
    assert Config(hidden=30, images=1).flops() == 2 * (784 * 30 + 30 * 10) * 2 + 2 * 30 * 10


def test_slow_implementations_time_a_prefix_and_the_headline_times_all():
    c = Config(m=10)
    assert images_for("reference", c, headline=False) == 5_000 and images_for("torch", c, headline=False) == 10_000
    assert images_for("reference", c, headline=True) == 50_000
    assert images_for("specnet", Config(m=10, images=2_000), headline=True) == 2_000   # the size scan's own sizes
    slow = Config(m=1, dtype="float64")
    assert images_for("numpy", slow, headline=False, probe_seconds=0.3) == 2_000   # 0.6 s at 0.3 ms per image


def test_a_short_benchmark_run_writes_its_results(tmp_path):
    out = tmp_path / "r.md"
    r = subprocess.run([sys.executable, "-m", "bench", "--quick", "--impl", "specnet", "--impl", "numpy",
                        "--batch", "100", "--repeats", "1", "--data", "mnist", "--data", "dense", "--out", str(out)],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    results = json.loads((tmp_path / "r.json").read_text())
    cell = results["configs"][0]["impls"]
    assert set(cell) == {"specnet", "numpy"} and all(v["median"] > 0 for v in cell.values())
    assert [c["config"]["data"] for c in results["configs"]] == ["mnist", "dense"]
    text = out.read_text()
    assert "| [784, 30, 10] quadratic m=100 float32 |" in text and "| [784, 30, 10] quadratic m=100 float32 dense |" in text
    assert "0.05 + 0.9x" in text  # the report says what the dense data are


def test_a_bad_argument_is_one_line_and_exit_code_2():
    r = subprocess.run([sys.executable, "-m", "bench", "--batch", "0"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.splitlines() == [
        "python -m bench: argument --batch: expected a whole number of at least 1, got '0'. "
        "See 'python -m bench --help'."]


def _idx(name: str) -> np.ndarray:
    """An IDX file of Debian's Fashion-MNIST decoded here, without specnet: header bytes, then the data."""
    raw = gzip.decompress((FASHION / name).read_bytes())
    return np.frombuffer(raw, np.uint8, offset=8 if "labels" in name else 16)


@pytest.mark.skipif(bench.problem.missing("fashion") is not None, reason="dataset-fashion-mnist is not installed")
def test_the_fashion_problem_trains_on_debians_files_as_specnets_idx_source_reads_them():
    for name, sha256 in FASHION_FILES.values():  # the sums the benchmark checks are the files' own
        assert hashlib.sha256((FASHION / name).read_bytes()).hexdigest() == sha256
    p = Problem(Config(data="fashion", images=500))
    assert p.spec.data.source.type == "idx"  # specnet's source, checking those sums
    images = _idx("train-images-idx3-ubyte.gz").reshape(-1, 784)
    assert np.array_equal(p.x, np.multiply(images[:500], 1 / 255, dtype=np.float32))  # the first images
    assert np.array_equal(p.labels, _idx("train-labels-idx1-ubyte.gz")[:500])
    assert np.array_equal(p.test_labels, _idx("t10k-labels-idx1-ubyte.gz")) and len(p.test_x) == 10_000
    assert 0.4 < (p.x == 0).mean() < 0.6  # about half the pixels are zero (MNIST: 81%)


def test_the_dense_data_is_mnist_without_zeros():
    dense, mnist = Problem(Config(data="dense", images=500)), Problem(Config(images=500))
    assert dense.x.min() > 0 and dense.test_x.min() > 0 and dense.x.dtype == np.float32
    assert np.allclose(dense.x, 0.05 + 0.9 * mnist.x) and np.array_equal(dense.labels, mnist.labels)
    assert Config(data="dense").label() == "[784, 30, 10] quadratic m=10 float32 dense"
    assert Config().label() == "[784, 30, 10] quadratic m=10 float32"  # MNIST's labels are those saved before


def test_without_the_fashion_package_its_cells_are_one_line(monkeypatch, capsys):
    monkeypatch.setattr(bench.problem, "FASHION", ROOT / "no such folder")
    assert main(["--data", "fashion", "--impl", "specnet", "--quick"]) == 2  # nothing else to time
    assert capsys.readouterr().err.splitlines() == [
        f"fashion: skipped, Debian's dataset-fashion-mnist is not installed ({ROOT / 'no such folder'})"]


def test_results_saved_before_the_data_axis_still_load():
    results = json.loads((ROOT / "bench" / "results.json").read_text())
    for c in results["configs"]:  # as results.json was written before the data axis
        c["config"].pop("data", None)
    assert {Config(**c["config"]).data for c in results["configs"]} == {"mnist"}
    text = markdown(results, None)
    assert "Seconds per epoch of 50,000 MNIST images" in text and "| [784, 30, 10] quadratic m=10 float32 |" in text
