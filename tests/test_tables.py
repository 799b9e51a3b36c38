"""Your own tables: the CSV source (header, class names, split, errors with file and line), input scaling
fitted on the training rows only and saved with the model, and a fuzz of the CSV reader."""
import hashlib
import json
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from specnet.commands.cli import app
from specnet.errors import DataError, SpecError
from specnet.runs.evaluate import evaluate_path
from specnet.runs.run import run_spec
from specnet.datasets.scaling import fit
from specnet.spec.load import load_spec
from specnet.datasets.tables import read_csv

TABLE = "a,b,kind\n1,10,cat\n2,20,dog\n3,30,cat\n4,40,bird\n5,50,dog\n6,60,cat\n"


def write(tmp_path, text, name="t.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


def test_reads_features_and_sorted_class_names(tmp_path):
    path, sha = write(tmp_path, TABLE)
    x, y, names, features = read_csv(path, sha, "kind")
    assert x.tolist() == [[1, 10], [2, 20], [3, 30], [4, 40], [5, 50], [6, 60]]
    assert names == ["bird", "cat", "dog"] and y.tolist() == [1, 2, 1, 0, 2, 1] and features == ["a", "b"]


def test_named_features_and_classes_set_the_order(tmp_path):
    path, sha = write(tmp_path, TABLE)
    x, y, names, features = read_csv(path, sha, "kind", features=["b"], classes=["dog", "cat", "bird"])
    assert x[:, 0].tolist() == [10, 20, 30, 40, 50, 60] and features == ["b"]
    assert y.tolist() == [1, 0, 1, 2, 0, 1] and names == ["dog", "cat", "bird"]


def test_integer_labels_sort_as_numbers(tmp_path):
    path, sha = write(tmp_path, "x;label\n1;10\n2;9\n3;2\n")
    _, y, names, _ = read_csv(path, sha, "label", delimiter=";")
    assert names == [2, 9, 10] and y.tolist() == [2, 1, 0]


@pytest.mark.parametrize("text, line, message", [
    ("a,b,kind\n1,2,cat\n1,2\n", 3, "this row has 2 cells, the header has 3"),
    ("a,b,kind\n1,2,cat\n1,x,dog\n", 3, "column b: not a finite number. Got 'x'"),
    ("a,b,kind\n1,,cat\n", 2, "column b: an empty cell"),
    ("a,b,kind\n1,2,cat\n1,2, \n", 3, "column kind: an empty cell. Every row needs its class"),
    ("a,b,kind\n1,nan,cat\n", 2, "column b: not a finite number. Got 'nan'"),
    ("a,b,knd\n1,2,cat\n", 1, "no column 'kind' in the header. Columns: a, b, knd. Did you mean 'knd'?"),
    ("", 1, "the file is empty"),
    ("a,b,kind\n", 1, "a header but no rows"),
    ("a,a,kind\n1,2,cat\n", 1, "names a column twice. Got 'a'"),
    ('a,b,kind\n1,"2,cat\n', 2, "not a well-formed CSV"),
])
def test_a_bad_table_is_one_error_at_its_file_and_line(tmp_path, text, line, message):
    path, sha = write(tmp_path, text)
    with pytest.raises(DataError) as e:
        read_csv(path, sha, "kind")
    assert str(e.value).startswith(f"{path}:{line}: ") and message in str(e.value)


@pytest.mark.parametrize("limit, text, message", [
    ("MAX_LINE", "a,kind\n" + "1" * 50 + ",x\n", "tbl.csv:2: line longer than 40 characters"),
    ("MAX_CLASSES", "a,kind\n" + "".join(f"{i},c{i}\n" for i in range(41)), "tbl.csv:42: column kind has more "
                                                                             "than 40 distinct values"),
    ("MAX_CELLS", "a,b,kind\n" + "1,2,x\n" * 21, "tbl.csv:22: more than 40 feature cells"),
])
def test_the_reader_is_bounded(tmp_path, monkeypatch, limit, text, message):
    monkeypatch.setattr(f"specnet.datasets.tables.{limit}", 40)
    path, sha = write(tmp_path, text, "tbl.csv")
    with pytest.raises(DataError, match=message):
        read_csv(path, sha, "kind")


def test_a_table_needs_an_input_column(tmp_path):
    path, sha = write(tmp_path, "kind\ncat\n")
    with pytest.raises(DataError, match="t.csv:1: the header has no column but the label 'kind'"):
        read_csv(path, sha, "kind")


def test_a_label_outside_the_given_classes_names_its_line(tmp_path):
    path, sha = write(tmp_path, TABLE)
    with pytest.raises(DataError, match=r"t.csv:5: column kind: not one of the classes\. Got 'bird'.*lists: cat, dog"):
        read_csv(path, sha, "kind", classes=["cat", "dog"])


def test_not_utf8_and_wrong_checksum_are_refused(tmp_path):
    path, sha = write(tmp_path, b"a,kind\n" + b"1,x\n" * 5000 + b"\xff,1\n")  # past the first read's chunk
    with pytest.raises(DataError, match=r"t.csv:5002: not UTF-8 text\. Save the table as UTF-8 CSV\."):
        read_csv(path, sha, "kind")
    with pytest.raises(DataError, match="corrupt or not the one the spec names"):
        read_csv(path, "0" * 64, "kind")


@settings(max_examples=int(os.environ.get("SPECNET_FUZZ_EXAMPLES", "300")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=300), st.text(alphabet=st.sampled_from('ab,;"\n\r1.5-e kind\x00\t'), max_size=200)))
def test_fuzz_the_reader_gives_arrays_or_one_data_error(tmp_path, content):
    path, sha = write(tmp_path, content if isinstance(content, bytes) else "a,kind\n" + content)
    try:
        x, y, names, _ = read_csv(path, sha, "kind")
    except DataError as e:
        assert "\n" not in str(e) and str(e).startswith(str(path))
    else:
        assert x.shape[0] == len(y) > 0 and np.all(np.isfinite(x)) and y.max() < len(names)


def spec_text(sha, scale="standardize", extra=""):
    return f"""specnet: 1
seed: 3
data:
  source: {{type: csv, path: t.csv, sha256: {sha}, label: kind, test: 2, validation: 1{extra}}}
  scale: {scale}
  evaluation: test
network:
  input: 2
  layers: [{{size: 3, activation: softmax}}]
  cost: log_likelihood
training: {{epochs: 3, mini_batch_size: 2, optimizer: {{type: sgd, eta: 0.5}}}}
"""


def test_split_is_seeded_by_split_seed_not_the_spec_seed(tmp_path):
    path, sha = write(tmp_path, TABLE)
    (tmp_path / "s.yaml").write_text(spec_text(sha))
    from specnet.training.compiler import build
    splits = [build("source", load_spec(tmp_path / "s.yaml", [f"seed={s}"]).data.source).load(tmp_path, ())
              for s in (1, 2)]
    assert [len(splits[0][k][0]) for k in ("training", "validation", "test")] == [3, 1, 2]
    assert all(np.array_equal(splits[0][k][0], splits[1][k][0]) for k in splits[0])
    rows = sorted(tuple(r) for k in splits[0] for r in splits[0][k][0])
    assert rows == sorted(tuple(r) for r in read_csv(path, sha, "kind")[0])  # a partition of the table


def test_scaling_is_fitted_on_training_rows_saved_and_reused_by_evaluate(tmp_path):
    path, sha = write(tmp_path, TABLE)
    (tmp_path / "s.yaml").write_text(spec_text(sha))
    run = run_spec(load_spec(tmp_path / "s.yaml"), tmp_path / "runs")
    train_x = run.data["training"].scaling
    raw_training = np.array([r for r in read_csv(path, sha, "kind")[0] if any(
        np.allclose((r - train_x.shift) * train_x.scale, s) for s in run.data["training"].x)])
    assert np.allclose(train_x.shift, raw_training.mean(axis=0))          # training rows only, not the table
    assert not np.allclose(train_x.shift, read_csv(path, sha, "kind")[0].mean(axis=0))
    model = json.loads((run.folder / "model.json").read_text())
    assert model["scale"] == "standardize" and model["classes"] == ["bird", "cat", "dog"]
    assert json.loads((run.folder / "run.json").read_text())["classes"] == ["bird", "cat", "dog"]
    r = evaluate_path(run.folder, "test")
    assert r["accuracy"] == run.history[-1]["evaluation_accuracy"]
    assert np.allclose(r["data"].x, run.data["evaluation"].x)


def test_scaling_registry_entries():
    x = np.array([[0.0, 5.0], [2.0, 5.0], [4.0, 5.0]])
    assert fit("minmax", x)(x)[:, 0].tolist() == [0.0, 0.5, 1.0]
    s = fit("standardize", x)(x)
    assert np.allclose(s[:, 0].mean(), 0) and np.allclose(s[:, 0].std(), 1) and s[:, 1].tolist() == [0, 0, 0]
    assert np.array_equal(fit("none", x)(x), x)


def test_scale_with_expansion_is_refused(write_spec):
    path = write_spec("specnet: 1\ndata: {scale: minmax, expand: {rotate: 15}}\n"
                      "network: {input: 784, layers: [{size: 10, activation: sigmoid}], cost: quadratic}\n")
    with pytest.raises(SpecError, match=r"spec.yaml:2: data.scale: data.expand transforms images"):
        load_spec(path, check_data=False)


def test_cli_prints_a_bad_row_as_one_line_exit_2(tmp_path, capsys):
    path, sha = write(tmp_path, "a,b,kind\n1,2,cat\n3,4,dog\n5,oops,cat\n7,8,dog\n1,1,cat\n")
    (tmp_path / "s.yaml").write_text(spec_text(sha))
    with pytest.raises(SystemExit) as e:
        app(["validate", str(tmp_path / "s.yaml")], prog_name="specnet")
    err = capsys.readouterr()
    assert e.value.code == 2 and f"{path}:4: column b: not a finite number. Got 'oops'." in err.out
    assert "Traceback" not in err.out + err.err


@pytest.mark.parametrize("source, message", [
    ("{type: idx, files: {train_images: a.gz, train_labels: {path: b, sha256: %s}, test_images: {path: c, "
     "sha256: %s}, test_labels: {path: d, sha256: %s}}}" % (("0" * 64,) * 3),
     r"spec.yaml:3: data.source.files.train_images: must be a mapping \{path, sha256\}.*Got 'a.gz'\. "
     r"Write it as \{path: a.gz, sha256: \.\.\.\} with the sum that 'sha256sum a.gz' prints\."),
    ("flowers.csv", r"spec.yaml:3: data.source: unknown data source 'flowers.csv'\..* A file of your own is a "
                    r"mapping: \{type: csv, path: flowers.csv, sha256: \.\.\., label: COLUMN\}; 'specnet init"),
])
def test_a_bare_file_name_where_a_mapping_is_needed_shows_the_mapping(write_spec, source, message):
    path = write_spec(f"specnet: 1\ndata:\n  source: {source}\n"
                      "network: {input: 4, layers: [{size: 3, activation: softmax}], cost: log_likelihood}\n")
    with pytest.raises(SpecError, match=message):
        load_spec(path)


def test_scaling_happens_in_float64_before_the_cast_to_the_networks_dtype(tmp_path):
    rows = "".join(f"{1_700_000_000 + i},{i % 3}\n" for i in range(200))  # float32 cannot tell these apart
    path, sha = write(tmp_path, "t,kind\n" + rows)
    (tmp_path / "s.yaml").write_text(spec_text(sha).replace("input: 2", "input: 1")
                                     .replace("test: 2, validation: 1", "test: 20, validation: 20"))
    from specnet.datasets.dataset import load_datasets
    spec = load_spec(tmp_path / "s.yaml")
    x = load_datasets(spec, {"training": spec.data.training})["training"].x
    assert x.dtype == np.float32 and len(np.unique(x)) == len(x) == 160


def test_extends_a_shipped_example_from_another_folder_finds_its_table(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "mine.yaml").write_text("extends: examples/iris\ntraining: {epochs: 1}\n")
    spec = load_spec("sub/mine.yaml")
    assert (spec.base / spec.data.source.params["path"]).resolve().samefile(
        load_spec("examples/iris").base / "../../data/iris/iris.csv")


def test_a_model_with_a_damaged_scaling_is_refused_by_evaluate(tmp_path):
    path, sha = write(tmp_path, TABLE)
    (tmp_path / "s.yaml").write_text(spec_text(sha))
    run = run_spec(load_spec(tmp_path / "s.yaml"), tmp_path / "runs")
    with np.load(run.folder / "model.npz") as z:
        arrays = {k: z[k] for k in z.files}
    arrays["x_shift"] = np.zeros(5)  # the network has 2 inputs
    (run.folder / "model.npz").unlink()
    np.savez(run.folder / "model.npz", **arrays)
    model = json.loads((run.folder / "model.json").read_text())
    model["sha256"] = hashlib.sha256((run.folder / "model.npz").read_bytes()).hexdigest()
    (run.folder / "model.json").write_text(json.dumps(model))
    with pytest.raises(DataError, match=r"model.npz: array x_shift has shape \(5,\) float64; .* need \(2,\) float64"):
        evaluate_path(run.folder, "test")
