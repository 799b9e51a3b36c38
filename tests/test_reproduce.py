"""specnet reproduce, on the fast deterministic specs."""
import re
import shutil
from pathlib import Path

from conftest import ROOT
from specnet.commands.reproduce import book_specs, main_command, reproduce
from specnet.commands.reproduction import report


def test_book_specs_come_in_book_order_and_need_a_book_section(tmp_path):
    for name in ("ch3_neuron_quadratic.yaml", "ch1_perceptron_nand.yaml", "ch1_perceptron_cheese.yaml"):
        shutil.copy(ROOT / "specs" / name, tmp_path / name)
    (tmp_path / "plain.yaml").write_text((ROOT / "specs" / "ch1_perceptron_nand.yaml").read_text()
                                         .split("\nbook:")[0] + "\n")
    assert [f.name for f in book_specs([tmp_path])] == ["ch1_perceptron_cheese.yaml", "ch1_perceptron_nand.yaml",
                                                        "ch3_neuron_quadratic.yaml"]


def test_reproduce_runs_every_seed_and_reports(tmp_path):
    specs = [ROOT / "specs" / "ch1_perceptron_nand.yaml", ROOT / "specs" / "ch3_neuron_quadratic.yaml"]
    rows = reproduce(specs, seeds=2, jobs=1, runs_dir=tmp_path / "runs", echo=lambda s: None)
    assert [(r["book"].result, r["passed"], r["runs"]) for r in rows] == [("R3", 2, 2), ("R13", 2, 2)]
    assert rows[1]["values"][0] == rows[1]["values"][1]          # explicit weights: no seed dependence
    assert len(list((tmp_path / "runs").iterdir())) == 4
    text = report(rows, 2, "specnet reproduce", ROOT)
    assert "**4 of 4 runs passed**: 2 of the 2 results held their band in every run." in text
    assert "Each spec ran 2 times, with its own seed and the next 1." in text
    assert "| R13 | [ch3_neuron_quadratic.yaml](specs/ch3_neuron_quadratic.yaml) | cost 0.00405: " in text
    assert "0.004414 (every seed) | final evaluation_cost 0.0036 to 0.005 | 2/2 |" in text


def test_an_unmet_bound_fails_the_reproduction(tmp_path):
    spec = tmp_path / "tight.yaml"
    spec.write_text((ROOT / "specs" / "ch3_neuron_quadratic.yaml").read_text()
                    .replace("max: 0.005, min: 0.0036", "max: 0.004"))
    assert main_command([spec], 1, 1, tmp_path / "R.md", tmp_path / "runs") == 1
    assert "## Bounds not met" in (tmp_path / "R.md").read_text()


def test_resume_reuses_finished_runs(tmp_path):
    specs = [ROOT / "specs" / "ch3_neuron_quadratic.yaml"]
    first = reproduce(specs, 1, 1, tmp_path / "runs", echo=lambda s: None)
    again = reproduce(specs, 2, 1, tmp_path / "runs", echo=lambda s: None, resume=True)
    assert again[0]["folders"][0] == first[0]["folders"][0]       # seed 0 reused, seed 1 run now
    assert len(list((tmp_path / "runs").iterdir())) == 2
    assert "Parameter counts (R21)" in report(again, 2, "x") and "- [1, 1]: 2" in report(again, 2, "x")
    generated = next(line for line in report(again, 2, "x").splitlines() if line.startswith("Generated"))
    assert "1 of the 2 runs were reused (--resume)" in generated


def test_a_partial_reproduction_never_replaces_a_report(tmp_path, monkeypatch, capsys):
    from test_cli import cli
    monkeypatch.chdir(tmp_path)
    (tmp_path / "REPRODUCTION.md").write_text("the full report\n")
    spec = str(ROOT / "specs" / "ch1_perceptron_nand.yaml")
    for _ in range(2):
        code, out, err = cli(capsys, "reproduce", spec, "--runs-dir", "runs")
        assert code == 0, err
    assert (tmp_path / "REPRODUCTION.md").read_text() == "the full report\n"
    reports = sorted((tmp_path / "runs").glob("report-*/REPRODUCTION.md"))
    assert len(reports) == 2 and "| R3 |" in reports[1].read_text()
    link = re.search(r"\[ch1_perceptron_nand\.yaml\]\(([^)]+)\)", reports[1].read_text()).group(1)
    assert (reports[1].parent / link).resolve() == Path(spec).resolve()     # the link works from the report
    assert f"Report written to {reports[1].relative_to(tmp_path)}" in err


def test_specs_without_a_book_section_are_a_user_error(tmp_path, capsys):
    from test_cli import cli
    (tmp_path / "plain.yaml").write_text((ROOT / "specs" / "ch1_perceptron_nand.yaml").read_text()
                                         .split("\nbook:")[0] + "\n")
    code, out, err = cli(capsys, "reproduce", str(tmp_path / "plain.yaml"), "--runs-dir", str(tmp_path / "runs"))
    assert code == 2 and len(err.splitlines()) == 1 and "none of these specs has a book section" in err, err


def test_resume_goes_on_with_a_stopped_run_from_its_checkpoint(tmp_path):
    """A run killed in a reproduction (its process gone, run.json still 'running') is resumed in its own
    folder by --resume, and ends as an uninterrupted one; no folder is removed or added."""
    import pytest
    from specnet.runs.run import run_spec
    from specnet.spec.load import load_spec
    spec_path = ROOT / "specs" / "ch3_neuron_quadratic.yaml"
    whole = reproduce([spec_path], 1, 1, tmp_path / "whole", echo=lambda s: None)

    class Died(BaseException):
        pass

    def die(row, seconds):
        if row["epoch"] == 100:
            raise Died
    with pytest.raises(Died):
        run_spec(load_spec(spec_path, ["seed=0"]), tmp_path / "runs", on_epoch=die)
    (folder,) = (tmp_path / "runs").iterdir()
    assert '"status": "running"' in (folder / "run.json").read_text()  # as a SIGKILL leaves it
    again = reproduce([spec_path], 1, 1, tmp_path / "runs", echo=lambda s: None, resume=True)
    assert again[0]["folders"] == [str(folder)] and list((tmp_path / "runs").iterdir()) == [folder]
    assert again[0]["values"] == whole[0]["values"]
    assert (folder / "metrics.jsonl").read_bytes() == (Path(whole[0]["folders"][0]) / "metrics.jsonl").read_bytes()


def test_a_spec_that_expects_divergence_passes_when_it_diverges(tmp_path):
    import yaml
    from conftest import tiny_spec
    spec = tiny_spec(name="too_large", book={"result": "R34", "text": "diverges"},
                     expect=[{"metric": "training_cost", "diverges": True}])
    spec["network"]["layers"] = [{"size": 3, "activation": "linear"}, {"size": 1, "activation": "linear"}]
    spec["network"]["cost"] = "quadratic"
    spec["training"]["optimizer"]["eta"] = 1e6
    path = tmp_path / "too_large.yaml"
    path.write_text(yaml.safe_dump(spec))
    (row,) = reproduce([path], 1, 1, tmp_path / "runs", echo=lambda s: None)
    assert row["passed"] == 1 and row["unmet"] == []
    (again,) = reproduce([path], 1, 1, tmp_path / "runs", echo=lambda s: None, resume=True)
    assert again["passed"] == 1 and again["folders"] == row["folders"] and again["reused"] == 1  # not run again
