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

from specnet import artefacts
from specnet.errors import DataError
from specnet.idx import idx_shape, read_idx
from specnet.io import MODEL_JSON_BYTES, load_model
from specnet.npzfile import read_npz
from specnet.tables import read_csv
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
