"""The .npz reader: one line for every way an archive can be wrong, headers checked before data is read,
and a fuzz of damaged archives."""
import hashlib
import io
import os
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from specnet.errors import DataError
from specnet.datasets.npzfile import read_npz


def save(path, **arrays):
    np.savez(path, **arrays)
    return hashlib.sha256(path.read_bytes()).hexdigest()


GOOD = dict(x_train=np.zeros((10, 2)), y_train=np.arange(10) % 3, x_test=np.ones((4, 2)), y_test=np.arange(4) % 3)


def test_a_good_archive_and_its_validation_split(tmp_path):
    sha = save(tmp_path / "d.npz", **GOOD)
    out = read_npz(tmp_path / "d.npz", sha, 3)
    assert [len(out[s][0]) for s in ("training", "validation", "test")] == [7, 3, 4]
    assert out["test"][0].shape == (4, 2) and out["training"][1].dtype == np.int64


@pytest.mark.parametrize("change, message", [
    ({"y_train": np.zeros(9)}, "x_train has 10 examples but y_train 9"),
    ({"x_test": np.zeros((4, 3))}, "x_test has 3 values per example, x_train 2"),
    ({"x_validation": np.zeros((2, 2))}, "no array y_validation"),
    ({"y_train": np.array([0] * 9 + [2 ** 40])}, "whole-number class labels from 0 to 9999"),
    ({"y_train": np.full(10, -1)}, "whole-number class labels"),
    ({"x_train": np.float64(3)}, "it is a single number"),
    ({"x_train": np.full((10, 2), np.nan)}, "finite numbers"),
    ({"x_train": np.array([[1, "a"]] * 10, dtype=object)}, "holds Python objects"),
])
def test_a_bad_archive_is_one_error_naming_the_file(tmp_path, change, message):
    sha = save(tmp_path / "d.npz", **{**GOOD, **change})
    with pytest.raises(DataError) as e:
        read_npz(tmp_path / "d.npz", sha, 0)
    assert str(e.value).startswith(str(tmp_path / "d.npz")) and message in str(e.value)
    assert "\n" not in str(e.value)


def test_validation_cannot_take_every_training_example(tmp_path):
    sha = save(tmp_path / "d.npz", **GOOD)
    with pytest.raises(DataError, match="validation takes 10 of only 10 training examples"):
        read_npz(tmp_path / "d.npz", sha, 10)


def test_a_header_claiming_a_huge_array_is_refused_before_reading(tmp_path):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (10 ** 10, 4)})
    with zipfile.ZipFile(tmp_path / "d.npz", "w") as z:
        z.writestr("x_train.npy", header.getvalue() + b"\0" * 64)
        for k in ("y_train", "x_test", "y_test"):
            buf = io.BytesIO()
            np.save(buf, GOOD[k])
            z.writestr(k + ".npy", buf.getvalue())
    sha = hashlib.sha256((tmp_path / "d.npz").read_bytes()).hexdigest()
    with pytest.raises(DataError, match="its arrays would take more than 4 GiB"):
        read_npz(tmp_path / "d.npz", sha, 0)


@settings(max_examples=int(os.environ.get("SPECNET_FUZZ_EXAMPLES", "150")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fuzz_damaged_archives_give_arrays_or_one_data_error(tmp_path, data):
    buf = io.BytesIO()
    np.savez(buf, **GOOD)
    raw = bytearray(buf.getvalue())
    for _ in range(data.draw(st.integers(1, 8))):  # overwrite a few bytes anywhere, or cut the file short
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.integers(0, 255))
    raw = raw[:data.draw(st.integers(0, len(raw)))]
    (tmp_path / "d.npz").write_bytes(bytes(raw))
    sha = hashlib.sha256(bytes(raw)).hexdigest()
    try:
        out = read_npz(tmp_path / "d.npz", sha, 2)
    except DataError as e:
        assert "\n" not in str(e)
    else:
        assert all(len(x) == len(y) for x, y in out.values())
