"""The benchmark harness (bench/): its arithmetic, and that a short run works end to end."""
import json
import subprocess
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT))
from bench.coordinator import images_for  # noqa: E402
from bench.problem import Config  # noqa: E402


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
                        "--batch", "100", "--repeats", "1", "--out", str(out)], cwd=ROOT, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    results = json.loads((tmp_path / "r.json").read_text())
    cell = results["configs"][0]["impls"]
    assert set(cell) == {"specnet", "numpy"} and all(v["median"] > 0 for v in cell.values())
    assert "| [784, 30, 10] quadratic m=100 float32 |" in out.read_text()


def test_a_bad_argument_is_one_line_and_exit_code_2():
    r = subprocess.run([sys.executable, "-m", "bench", "--batch", "0"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.splitlines() == [
        "python -m bench: argument --batch: expected a whole number of at least 1, got '0'. "
        "See 'python -m bench --help'."]
