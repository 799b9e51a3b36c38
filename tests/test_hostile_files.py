"""Data files, model files and run folders written to hurt: each ends in one short line and exit code 2,
bounded in time and memory (docs/security.md)."""
import gzip
import hashlib
import json
import time
import tracemalloc
import zipfile

import numpy as np
import pytest
import yaml
from hypothesis import given, settings, strategies as st

from specnet.runs import artefacts
from specnet.errors import DataError
from specnet.datasets.idx import idx_shape, read_idx
from specnet.runs.io import MODEL_JSON_BYTES, load_model
from specnet.datasets.npzfile import read_npz
from specnet.datasets.tables import read_csv
from test_cli import cli

MESSAGE = 400  # characters: a message quotes at most 200 of a file, plus its own words (the test's own
                # folder, which is long, is not counted)


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def short(message, folder) -> bool:
    return len(str(message).replace(str(folder), "")) < MESSAGE


def one_short_line(capsys, folder, *args, words: str = "") -> str:
    code, out, err = cli(capsys, *args)
    problems = [line for line in (out + err).splitlines() if "spec checked" not in line and line.strip()]
    assert code == 2 and "Traceback" not in out + err and len(problems) == 1, out + err
    assert short(problems[0], folder) and words in problems[0], problems[0]
    return problems[0]


def idx(shape, data=b"") -> bytes:
    return b"\0\0\x08" + bytes([len(shape)]) + b"".join(d.to_bytes(4, "big") for d in shape) + data


def idx_spec(tmp_path, train_images: bytes):
    """A spec of four IDX files (16 inputs), its training images `train_images`."""
    files = {"train_images": train_images, "train_labels": idx((20,), bytes(20)),
             "test_images": idx((2, 4, 4), bytes(32)), "test_labels": idx((2,), bytes(2))}
    for role, data in files.items():
        (tmp_path / role).write_bytes(data)
    spec = {"specnet": 1, "data": {"source": {"type": "idx", "files": {
        r: {"path": r, "sha256": sha(tmp_path / r)} for r in files}}},
        "network": {"input": 16, "layers": [{"size": 2, "activation": "sigmoid"}], "cost": "quadratic"}}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec))
    return tmp_path / "s.yaml"


# --- 1. IDX: a gzip bomb, no dimensions, a product that wraps ------------------------------------------------

def test_a_gzip_bomb_in_an_idx_file_inflates_no_further_than_its_header_promises(tmp_path):
    # Before: read_idx decompressed everything (a 2 MB file promising 10 labels took 15 s and 4.26 GB).
    path = tmp_path / "labels.gz"
    with gzip.open(path, "wb", compresslevel=1) as f:
        f.write(idx((10,), bytes(10)))
        for _ in range(64):
            f.write(bytes(1 << 20))
    tracemalloc.start()
    try:
        with pytest.raises(DataError, match=r"holds more than 10 bytes of data, its header promises 10"):
            read_idx(path, sha(path), ("data",))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20, f"{peak:,} bytes"


@pytest.mark.parametrize("header, words", [
    (idx(()), "0 dimensions"),                                   # IndexError in IDXSource.describe
    (idx((20, 1539092, 989540, 48448661)), "more than 4 GiB"),   # numpy's product wrapped to 16: "valid"
    (idx((20, 2**32 - 1, 2**32 - 1)), "more than 4 GiB"),        # a negative width
])
def test_an_idx_header_of_no_dimensions_or_too_many_bytes_is_one_line(tmp_path, capsys, header, words):
    one_short_line(capsys, tmp_path, "validate", idx_spec(tmp_path, header), words=words)
    with pytest.raises(DataError, match=words):
        idx_shape(tmp_path / "train_images", ("data",))


# --- 2. messages quote at most 200 characters of a file ------------------------------------------------------

LONG = "SECRET" + "A" * 2000


@pytest.mark.parametrize("table, options", [
    (f"{LONG},b,label\n1,2,x\n", {"label": "nolabel"}),                       # Columns: 12 uncut names
    (f"{LONG},b,label\n1,2,x\n", {"label": "label", "features": ["b", "zz"]}),
    (f"a,b,label\n1,2,{LONG}\n", {"label": "label", "classes": ["x", "y"]}),  # not one of the classes
    (f"{LONG},{LONG},label\n1,2,x\n", {"label": "label"}),                    # a column named twice
    (f"{LONG},b,label\nn/a,2,x\n", {"label": "label"}),                       # a bad cell in a long column
])
def test_a_csv_message_quotes_at_most_200_characters_of_the_file(tmp_path, table, options):
    (tmp_path / "t.csv").write_text(table)
    with pytest.raises(DataError) as e:
        read_csv(tmp_path / "t.csv", sha(tmp_path / "t.csv"), **options)
    assert short(e.value, tmp_path) and "AAAA" * 60 not in str(e.value), str(e.value)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="ab,\"x1\n", min_size=0, max_size=900), min_size=1, max_size=4))
def test_fuzz_every_csv_message_is_short(tmp_path_factory, cells):
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_text(",".join(cells) + ",label\n" + ",".join(cells) + ",x\n")
    try:
        read_csv(path, sha(path), "label", classes=["y"] if len(cells) % 2 else None)
    except DataError as e:
        assert short(e, path.parent), str(e)


def npy(header: str) -> bytes:
    """A version 1.0 .npy member whose header is `header` (not checked: it may be damaged)."""
    text = header.encode("latin1")
    text += b" " * (-(10 + len(text) + 1) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text


def write_npz(path, members: dict) -> None:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name + ".npy", data)


def good(array) -> bytes:
    import io
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


@pytest.mark.parametrize("header", [
    "{'descr': '<f8', 'fortran_order': False, 'shape': '" + "S" * 9000 + "', }",  # NumPy quotes it all
    "{'descr': '<f8', 'fortran_order': False, 'shape': (" + "S" * 9000,           # tokenize.TokenError
])
def test_a_damaged_npy_header_in_a_data_npz_is_one_short_line(tmp_path, header):
    arrays = {"x_train": npy(header), "y_train": good(np.zeros(2, np.int64)),
              "x_test": good(np.zeros((2, 2))), "y_test": good(np.zeros(2, np.int64))}
    write_npz(tmp_path / "d.npz", arrays)
    with pytest.raises(DataError, match="cannot read") as e:
        read_npz(tmp_path / "d.npz", sha(tmp_path / "d.npz"), 0)
    assert short(e.value, tmp_path) and "S" * 300 not in str(e.value), str(e.value)


def test_a_damaged_npy_header_in_a_model_npz_is_one_short_line(tmp_path):
    write_npz(tmp_path / "model.npz", {"w0": npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, "),
                                       "b0": good(np.zeros((1, 1)))})
    meta = {"format": "specnet-model", "version": 1, "sizes": [2, 1], "activations": ["sigmoid"],
            "cost": "quadratic", "dtype": "float64", "scale": "none", "classes": None, "arrays": "model.npz",
            "sha256": sha(tmp_path / "model.npz")}
    (tmp_path / "model.json").write_text(json.dumps(meta))
    with pytest.raises(DataError, match="cannot read it as .npz") as e:
        load_model(tmp_path / "model.json")
    assert short(e.value, tmp_path), str(e.value)


# --- 3. paths the system refuses ---------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["show", "validate", "evaluate", "init", "run"])
def test_a_file_name_over_255_bytes_on_the_command_line_is_one_line(tmp_path, capsys, command):
    one_short_line(capsys, tmp_path, command, tmp_path / ("a" * 300 + ".yaml"), words="File name too long")


@pytest.mark.parametrize("path, words", [("a" * 300 + ".csv", "File name too long"),
                                         ("t\0.csv", "t\\x00.csv")])
def test_a_data_path_the_system_refuses_is_one_line(tmp_path, capsys, path, words):
    (tmp_path / "t.csv").write_text("a,label\n1,x\n")
    spec = {"specnet": 1, "data": {"source": {"type": "csv", "path": path, "sha256": sha(tmp_path / "t.csv"),
                                              "label": "label"}},
            "network": {"input": 1, "layers": [{"size": 1, "activation": "sigmoid"}], "cost": "quadratic"}}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec))
    one_short_line(capsys, tmp_path, "validate", tmp_path / "s.yaml", words=words)


@pytest.mark.parametrize("extends", ['"a\\0.yaml"', "a" * 300 + ".yaml"])
def test_an_extends_path_the_system_refuses_is_one_line(tmp_path, capsys, extends):
    (tmp_path / "s.yaml").write_text(f"specnet: 1\nextends: {extends}\n")
    one_short_line(capsys, tmp_path, "validate", tmp_path / "s.yaml")


# --- 4. run folders and model files: bounded before they are parsed --------------------------------------------

def test_metrics_jsonl_of_more_lines_than_epochs_is_refused_without_reading_it_whole(tmp_path):
    (tmp_path / "metrics.jsonl").write_bytes(b'{"epoch": 0}\n' * 100_001)
    with pytest.raises(DataError, match="more than 100,000 lines"):
        artefacts.read_jsonl(tmp_path / "metrics.jsonl")
    (tmp_path / "metrics.jsonl").write_bytes(b"\n" * (17 << 20))  # before: 17 M lines held as a list
    tracemalloc.start()
    try:
        with pytest.raises(DataError, match="more than"):
            artefacts.read_jsonl(tmp_path / "metrics.jsonl")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20, f"{peak:,} bytes"


def test_model_json_is_bounded_by_the_books_largest_network2_file(tmp_path):
    rng = np.random.default_rng(0)
    sizes = [784, 100, 10]
    book = {"sizes": sizes, "cost": "CrossEntropyCost",
            "weights": [rng.standard_normal((y, x)).tolist() for x, y in zip(sizes, sizes[1:])],
            "biases": [rng.standard_normal((y, 1)).tolist() for y in sizes[1:]]}
    (tmp_path / "book.json").write_text(json.dumps(book))
    assert (tmp_path / "book.json").stat().st_size < MODEL_JSON_BYTES <= 8 << 20
    assert load_model(tmp_path / "book.json")["sizes"] == sizes
    with open(tmp_path / "big.json", "wb") as f:
        f.truncate(MODEL_JSON_BYTES + 1)
    with pytest.raises(DataError, match="more than 8,388,608 bytes"):
        load_model(tmp_path / "big.json")


# --- 5. a CSV of 100,000 columns ---------------------------------------------------------------------------

@pytest.mark.parametrize("label", ["label", "missing"])
def test_a_csv_of_100000_columns_is_read_or_refused_in_well_under_a_few_seconds(tmp_path, label):
    names = [f"c{i}" for i in range(99_999)] + ["label"]
    (tmp_path / "w.csv").write_text(",".join(names) + "\n" + "1," * 99_999 + "x\n")
    start = time.perf_counter()
    try:
        x, *_ = read_csv(tmp_path / "w.csv", sha(tmp_path / "w.csv"), label)
        assert x.shape == (1, 99_999)
    except DataError as e:
        assert label == "missing" and short(e, tmp_path), str(e)
    assert time.perf_counter() - start < 3  # before: header.count per column, 75 s
