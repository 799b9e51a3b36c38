"""bench.same_runs: the same short run twice gives the same digests, and a changed value is found."""
import json
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT))
from bench.same_runs import differences, main, overrides_for, run_one  # noqa: E402


def _file(name, result):
    return {"runs": {"numpy": {name: result}}}


def test_the_same_run_twice_has_the_same_digests_and_another_seed_differs(tmp_path):
    name = "ch3_neuron_cross_entropy"  # one neuron, trained: a few milliseconds
    a = run_one(name, 2, "numpy", tmp_path / "a")
    b = run_one(name, 2, "numpy", tmp_path / "b")
    assert a["metrics_sha256"] and a["model_sha256"] and len(a["metrics_lines"]) == 2
    assert [a[k] for k in ("metrics_sha256", "model_sha256", "checks_sha256")] == \
           [b[k] for k in ("metrics_sha256", "model_sha256", "checks_sha256")]
    assert differences(_file(name, a), _file(name, b)) == []
    c = run_one(name, 2, "numpy", tmp_path / "c", extra=["training.optimizer.eta=0.2"])
    assert c["metrics_sha256"] != a["metrics_sha256"] and c["model_sha256"] != a["model_sha256"]
    [report] = differences(_file(name, a), _file(name, c))
    assert report.startswith(f"numpy/{name}: metrics_sha256, model_sha256") and "metrics line 1 before:" in report


def test_overrides_keep_a_spec_short_and_its_own_smaller_take():
    assert overrides_for("ch3_more_data_00100", 2, "numpy") == [
        "expect=[]", "training.epochs=2", "training.executor=numpy", "data.training.take=100",
        "data.evaluation.take=1000"]
    assert overrides_for("ch1_perceptron_nand", 2, "numba") == ["expect=[]"]  # no training, no MNIST


def test_compare_reports_a_difference_and_exits_1(tmp_path, capsys):
    out = tmp_path / "s.json"
    assert main(["--executor", "numpy", "--spec", "ch1_perceptron_nand", "--spec", "ch3_neuron_quadratic",
                 "--out", str(out)]) == 0
    assert main(["--compare", str(out)]) == 0
    recorded = json.loads(out.read_text())
    row = recorded["runs"]["numpy"]["ch3_neuron_quadratic"]   # as if the code had changed its second epoch
    row["metrics_sha256"], row["metrics_lines"][1] = "0" * 64, row["metrics_lines"][1].replace("0.32", "0.33")
    out.write_text(json.dumps(recorded))
    capsys.readouterr()
    assert main(["--compare", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "metrics_sha256 differ" in printed and "1 differ from" in printed and "metrics line 2 before" in printed
    assert "ch1_perceptron_nand" not in printed
