"""`specnet init` writes a starter spec that validates and runs as written, for a CSV table, a .npz
archive and four IDX files; `specnet specs` lists the shipped specs."""
import json
from pathlib import Path

import numpy as np
import pytest

from specnet.commands.cli import main
from specnet.runs.run import run_spec
from specnet.spec.load import load_spec
from test_data import write_idx


def cli(capsys, *args):
    with pytest.raises(SystemExit) as e:
        main(list(args))
    out = capsys.readouterr()
    return e.value.code, out.out, out.err


def init_and_run(capsys, tmp_path, monkeypatch, *args):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "init", *args)
    assert code == 0, err
    target = tmp_path / out.split()[1]
    spec = load_spec(target, ["training.epochs=1"])
    run = run_spec(spec, tmp_path / "runs")
    return target, spec, run


def test_init_on_a_csv_with_string_labels(capsys, tmp_path, monkeypatch):
    rows = ["height;weight;class name"] + [f"{i};{2 * i};{'ab'[i % 2]}" for i in range(40)]
    (tmp_path / "data dir").mkdir()
    (tmp_path / "data dir" / "t.csv").write_text("\n".join(rows) + "\n")
    target, spec, run = init_and_run(capsys, tmp_path, monkeypatch, "data dir/t.csv", "--label", "class name")
    assert target.name == "t.yaml" and spec.network.sizes == [2, 30, 2] and spec.data.scale == "standardize"
    assert spec.data.source.params["delimiter"] == ";" and spec.data.source.params["path"] == "data dir/t.csv"
    assert json.loads((run.folder / "model.json").read_text())["classes"] == ["a", "b"]
    assert "# yaml-language-server" in target.read_text()
    code, _, err = cli(capsys, "init", "data dir/t.csv")  # never overwrites
    assert code == 2 and "t.yaml: the file exists already" in err


def test_init_on_an_npz_archive(capsys, tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "d.npz", x_train=rng.integers(0, 256, (60, 3, 3), dtype=np.uint8),
             y_train=rng.integers(0, 4, 60), x_test=rng.integers(0, 256, (10, 3, 3), dtype=np.uint8),
             y_test=rng.integers(0, 4, 10))
    _, spec, run = init_and_run(capsys, tmp_path, monkeypatch, "d.npz", "-o", "sub.yaml")
    assert spec.network.sizes == [9, 30, 4] and spec.data.source.params["validation"] == 10
    assert len(run.history) == 1


def test_init_on_four_idx_files(capsys, tmp_path, monkeypatch):
    rng = np.random.default_rng(1)
    for part, n in (("train", 30), ("t10k", 6)):
        write_idx(tmp_path / f"{part}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 4, 4)))
        write_idx(tmp_path / f"{part}-labels-idx1-ubyte.gz", rng.integers(0, 3, n))
    files = sorted(str(p.name) for p in tmp_path.glob("*ubyte.gz"))
    _, spec, _ = init_and_run(capsys, tmp_path, monkeypatch, *files, "-o", "idx.yaml")
    assert spec.network.sizes == [16, 30, 3] and spec.data.source.type == "idx"
    code, _, err = cli(capsys, "init", *files[:2], "-o", "two.yaml")
    assert code == 2 and "four files" in err and not (tmp_path / "two.yaml").exists()


@pytest.mark.parametrize("name, message", [("x.txt", "cannot tell the kind of data"), ("nope.csv", "no such data file")])
def test_init_errors_are_one_line(capsys, tmp_path, monkeypatch, name, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.txt").write_text("1,2\n")
    code, _, err = cli(capsys, "init", name)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_specs_lists_the_shipped_specs_with_book_results(capsys):
    code, out, _ = cli(capsys, "specs")
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith("ch1_sgd "))
    assert "R30" in line and "95.42%" in line
    assert any(x.startswith("examples/iris ") for x in out.splitlines())
    code, out, _ = cli(capsys, "specs", "--json")
    assert {"name": "ch3_l2"}.items() <= next(r for r in json.loads(out) if r["name"] == "ch3_l2").items()


def test_a_shipped_spec_runs_by_name_from_any_folder(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.yaml").write_text("extends: ch1_perceptron_nand\ndescription: mine\n")
    assert load_spec("mine.yaml").network.sizes == load_spec("ch1_perceptron_nand").network.sizes
    code, _, err = cli(capsys, "show", "ch1_sdg")
    assert code == 2 and err.strip() == ("ch1_sdg: no such spec file, nor a shipped spec of that name. "
                                         "Did you mean 'ch1_sgd'? 'specnet specs' lists the shipped specs.")


def test_init_quotes_what_yaml_would_misread_and_writes_a_tab_delimiter(capsys, tmp_path, monkeypatch):
    rows = ["a\tb\tyes"] + [f"{i}\t{2 * i}\tc{i % 2}" for i in range(30)]
    (tmp_path / "tab.csv").write_text("\n".join(rows) + "\n")
    _, spec, _ = init_and_run(capsys, tmp_path, monkeypatch, "tab.csv")
    assert spec.data.source.params["label"] == "yes" and spec.data.source.params["delimiter"] == "\t"


def test_init_reads_a_quoted_header(capsys, tmp_path, monkeypatch):
    (tmp_path / "q.csv").write_text('"a","b","species"\n' + "".join(f"{i},{i},{'xy'[i % 2]}\n" for i in range(12)))
    _, spec, _ = init_and_run(capsys, tmp_path, monkeypatch, "q.csv")
    assert spec.data.source.params["label"] == "species" and spec.network.sizes == [2, 30, 2]


def test_init_on_a_tiny_table_evaluates_on_the_training_rows(capsys, tmp_path, monkeypatch):
    (tmp_path / "t.csv").write_text("a,c\n1,x\n2,y\n")
    _, spec, run = init_and_run(capsys, tmp_path, monkeypatch, "t.csv")
    assert spec.data.evaluation.split == "training" and len(run.history) == 1


@pytest.mark.parametrize("name, text, message", [
    ("cont.csv", "a,b\n" + "".join(f"{i},{i * 0.37}\n" for i in range(300)),
     "column b has 300 distinct values in 300 rows: a measurement rather than a class. Name the class column"),
    ("one.csv", "a,b\n1,x\n2,x\n", "the data have 1 class: a classifier needs two or more"),
])
def test_init_refuses_a_label_column_that_is_no_class(capsys, tmp_path, monkeypatch, name, text, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(text)
    code, _, err = cli(capsys, "init", name)
    assert code == 2 and f"{name}: {message}" in err and not list(tmp_path.glob("*.yaml"))


def test_init_names_the_spec_after_the_data_file(capsys, tmp_path, monkeypatch):
    from specnet.commands.starter import default_name
    assert [default_name(Path(n)).name for n in (".hidden.csv", "iris.v2.csv", "train-images-idx3-ubyte.gz")] == \
        ["hidden.yaml", "iris.v2.yaml", "train-images-idx3-ubyte.yaml"]
    monkeypatch.chdir(tmp_path)
    np.savez(tmp_path / "d.npz", x_train=np.zeros((6, 2)), y_train=np.arange(6) % 2, x_test=np.zeros((2, 2)),
             y_test=np.arange(2))
    code, _, err = cli(capsys, "init", "d.npz", "--label", "x")
    assert code == 2 and "--label: --label is for a CSV table only" in err
