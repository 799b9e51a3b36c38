"""Data sources: IDX decoding, checksums, the cache, .npz and inline tables, and the book's MNIST split."""
import gzip
import hashlib

import numpy as np
import pytest

from specnet.datasets.dataset import labels_of, make_dataset, vectorized_result
from specnet.errors import DataError
from specnet.datasets.idx import cache_dir, idx_shape, read_idx
from specnet.spec.sections import Split
from specnet.resources import mnist_dir
from specnet.datasets.sources import SOURCES, MNISTSource


def write_idx(path, array, compress=True):
    header = b"\0\0\x08" + bytes([array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    data = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(data) if compress else data)
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("compress", [True, False])
def test_idx_round_trip_and_cache(tmp_path, compress, monkeypatch):
    monkeypatch.setenv("SPECNET_CACHE_DIR", str(tmp_path / "cache"))
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    sha = write_idx(tmp_path / "x.idx", images, compress)
    assert idx_shape(tmp_path / "x.idx", ("data",)) == (2, 3, 4)
    assert np.array_equal(read_idx(tmp_path / "x.idx", sha, ("data",)), images)
    assert (cache_dir() / f"{sha}.npy").is_file()
    assert np.array_equal(read_idx(tmp_path / "x.idx", sha, ("data",)), images)  # now from the cache


def test_damaged_cache_is_decoded_again(tmp_path, monkeypatch):
    monkeypatch.setenv("SPECNET_CACHE_DIR", str(tmp_path / "cache"))
    images = np.ones((2, 2), dtype=np.uint8)
    sha = write_idx(tmp_path / "x.idx", images)
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / f"{sha}.npy").write_bytes(b"garbage")
    assert np.array_equal(read_idx(tmp_path / "x.idx", sha, ("data",)), images)


def test_checksum_mismatch_names_both_sums(tmp_path):
    write_idx(tmp_path / "x.idx", np.ones((2, 2), dtype=np.uint8))
    with pytest.raises(DataError) as e:
        read_idx(tmp_path / "x.idx", "0" * 64, ("data", "source"))
    assert "corrupt" in e.value.message and "0" * 64 in e.value.message and e.value.path == "data.source"


def test_truncated_idx_is_refused(tmp_path):
    path = tmp_path / "x.idx"
    path.write_bytes(b"\0\0\x08\x02" + (5).to_bytes(4, "big") + (5).to_bytes(4, "big") + b"\1" * 7)
    with pytest.raises(DataError, match="holds 7 bytes"):
        read_idx(path, hashlib.sha256(path.read_bytes()).hexdigest(), ("data",))


def test_not_idx_is_refused(tmp_path):
    path = tmp_path / "x.idx"
    path.write_bytes(b"hello, world")
    with pytest.raises(DataError, match="not an IDX file"):
        idx_shape(path, ("data",))


def test_make_dataset_selects_digits_then_takes_and_scales():
    x = np.array([[0], [255], [51], [102]], dtype=np.uint8)
    labels = np.array([3, 1, 3, 7])
    ds = make_dataset(x, labels, Split("training", digits=(3, 7), take=2), 10, np.float32)
    assert ds.x.dtype == np.float32 and ds.x.ravel().tolist() == pytest.approx([0.0, 0.2])
    assert ds.labels.tolist() == [3, 3] and ds.y.shape == (2, 10) and ds.y[0, 3] == 1.0


def test_vectorized_result_and_labels_of():
    assert vectorized_result(np.array([2, 0]), 3).tolist() == [[0, 0, 1], [1, 0, 0]]
    assert labels_of(np.array([[0.2], [0.7]])).tolist() == [0, 1]
    assert labels_of(np.array([[0.1, 0.9], [0.8, 0.2]])).tolist() == [1, 0]


def test_npz_source(tmp_path):
    rng = np.random.default_rng(0)
    arrays = {"x_train": rng.integers(0, 256, (30, 4, 4), dtype=np.uint8), "y_train": rng.integers(0, 3, 30),
              "x_test": rng.integers(0, 256, (5, 4, 4), dtype=np.uint8), "y_test": np.array([0, 1, 2, 2, 1])}
    np.savez(tmp_path / "d.npz", **arrays)
    sha = hashlib.sha256((tmp_path / "d.npz").read_bytes()).hexdigest()
    source = SOURCES.get("npz")(path="d.npz", sha256=sha, validation=10)
    info = source.describe(tmp_path)
    assert (info.features, info.classes, info.sizes) == (16, 3, {"training": 20, "validation": 10, "test": 5})
    loaded = source.load(tmp_path, {"training"})
    assert np.array_equal(loaded["training"][0], arrays["x_train"][:20].reshape(20, 16))


def test_npz_missing_array_is_named(tmp_path):
    np.savez(tmp_path / "d.npz", x_train=np.zeros((2, 2)))
    sha = hashlib.sha256((tmp_path / "d.npz").read_bytes()).hexdigest()
    with pytest.raises(DataError, match="no array y_train, x_test, y_test"):
        SOURCES.get("npz")(path="d.npz", sha256=sha, validation=0).describe(tmp_path)


def test_inline_rows_must_have_one_width():
    with pytest.raises(DataError) as e:
        SOURCES.get("inline")(inputs=[[0, 1], [1]], targets=[[0], [1]]).describe(".")
    assert e.value.path == "data.source.inputs[1]"


def test_bundled_sums_match_the_sums_file():
    listed = dict(line.split()[::-1] for line in (mnist_dir() / "SHA256SUMS").read_text().splitlines())
    assert {name: s for name, s in MNISTSource.SHA256.values()} == listed


@pytest.mark.mnist
def test_mnist_split_as_in_the_book():
    source = MNISTSource()
    raw = source.load(".", {"training", "validation", "test"})
    assert [len(raw[s][0]) for s in ("training", "validation", "test")] == [50_000, 10_000, 10_000]
    assert raw["training"][0].shape == (50_000, 784) and raw["training"][0].dtype == np.uint8
    assert raw["training"][1][:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    counts = np.bincount(np.r_[raw["training"][1], raw["validation"][1]])
    assert counts.tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
