"""Data files: SHA-256 checks, the IDX format (MNIST's), and a cache of decoded arrays keyed by checksum.

IDX: two zero bytes, a type byte (0x08 = unsigned byte), the number of dimensions, each dimension as a
big-endian int32, then the data. Files may be gzip-compressed.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import math
import os
import zlib
from pathlib import Path

import numpy as np

from specnet.errors import DataError, cut
from specnet.resources import REINSTALL, mnist_dir

_sums: dict = {}
_BUNDLED = f"The bundled MNIST is damaged. {REINSTALL} In a checkout: git checkout -- data/mnist."
DAMAGED = (OSError, EOFError, zlib.error)  # what reading a damaged gzip or truncated file can raise
MAX_BYTES = 4 << 30  # of IDX data, as of a data .npz: MNIST's training images take 47 MB


def sha256(path: Path) -> str:
    """Return the SHA-256 of a file (remembered per path, size and modification time)."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _sums:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        _sums[key] = h.hexdigest()
    return _sums[key]


def require(path: Path, where) -> Path:
    """Raise a DataError at spec path `where` unless `path` is a readable file (a path the system refuses,
    too long or holding a NUL character, is not one)."""
    try:
        found, regular, folder = path.exists(), path.is_file(), path.parent.exists()
    except (OSError, ValueError) as e:
        raise DataError(f"cannot use this path for a data file: {getattr(e, 'strerror', None) or e}", path=where,
                        got=str(path), hint="Check the path (relative to the spec file).") from None
    if found and not regular:
        raise DataError("not a regular file: a data file must be one", path=where, got=str(path))
    if not regular:
        raise DataError("data file not found", path=where, got=str(path),
                        hint="Check the path (relative to the spec file)." if folder
                        else f"The folder {cut(path.parent)} does not exist.")
    return path


def verify(path: Path, expected: str, where) -> str:
    """Check the file's SHA-256 against `expected`; raise a DataError naming both sums if they differ."""
    actual = sha256(require(path, where))
    if actual != expected:
        raise DataError(f"data file {path} is corrupt or not the one the spec names: its SHA-256 is "
                        f"{actual}, expected {expected}", path=where,
                        hint=_BUNDLED if path.parent == mnist_dir() else
                        "Restore the original file, or if you changed it on purpose, put the sum above in the spec.")
    return actual


def cache_dir() -> Path:
    """Return the cache folder: $SPECNET_CACHE_DIR, else $XDG_CACHE_HOME/specnet, else ~/.cache/specnet."""
    if os.environ.get("SPECNET_CACHE_DIR"):
        return Path(os.environ["SPECNET_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "specnet"


def _open(path: Path):
    with open(path, "rb") as f:
        gz = f.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gz else open(path, "rb")


def _parse_header(f, path: Path, where) -> tuple:
    """Read an IDX header from the open file `f`; return its shape, refusing no dimensions and more than
    MAX_BYTES of data (counted in Python ints: numpy's product of (20, 1539092, 989540, 48448661) wraps to 16)."""
    head = f.read(4)
    if len(head) < 4 or head[:2] != b"\0\0" or head[2] != 0x08:
        raise DataError(f"{cut(path)} is not an IDX file of unsigned bytes", path=where, got=head[:4].hex(),
                        hint="Expected the header 0000 08 NN (see yann.lecun.com/exdb/mnist).")
    head += f.read(4 * head[3])
    if head[3] == 0 or len(head) < 4 + 4 * head[3]:
        raise DataError(f"{cut(path)} " + ("ends inside its IDX header" if head[3] else "has an IDX header of 0 "
                        "dimensions: IDX data has at least one"), path=where, hint="The file is damaged: restore it.")
    shape = tuple(int.from_bytes(head[4 + 4 * i: 8 + 4 * i], "big") for i in range(head[3]))
    if math.prod(shape) > MAX_BYTES:
        raise DataError(f"{cut(path)}: its IDX header promises an array of shape {shape}, more than "
                        f"{MAX_BYTES >> 30} GiB", path=where, hint="Is this the right file?")
    return shape


def idx_shape(path: Path, where) -> tuple:
    """Return the shape stored in an IDX file's header, reading only the header."""
    try:
        with _open(require(path, where)) as f:
            return _parse_header(f, path, where)
    except DAMAGED as e:
        raise DataError(f"cannot read {cut(path)}: {cut(e)}", path=where, hint="The file is damaged: restore it.") from None


def read_idx(path: Path, expected_sha256: str, where) -> np.ndarray:
    """Return the uint8 array of a checked IDX file, from the cache when it has been decoded before (and the
    cache entry is intact: see `_from_cache`). At most the bytes its header promises are decompressed, and one
    more to tell a longer file (a gzip bomb inflates no further)."""
    digest = verify(path, expected_sha256, where)
    cached = cache_dir() / f"{digest}.npy"
    array = _from_cache(cached, idx_shape(path, where))
    if array is not None:
        return array
    try:
        with _open(path) as f:
            shape = _parse_header(f, path, where)
            count = math.prod(shape)
            raw = f.read(count + 1)
    except DAMAGED as e:
        raise DataError(f"cannot decompress {cut(path)}: {cut(e)}", path=where, hint="The file is damaged: restore it.") from None
    if len(raw) != count:
        held = f"more than {count:,}" if len(raw) > count else f"{len(raw):,}"
        raise DataError(f"{cut(path)} holds {held} bytes of data, its header promises {count:,}", path=where)
    array = np.frombuffer(raw, dtype=np.uint8).reshape(shape)
    _to_cache(cached, array)
    return array


def _from_cache(cached: Path, shape: tuple):
    """Return the cached array, or None unless the entry is intact: its bytes have the SHA-256 written beside
    them (<digest>.npy.sha256), and it is a uint8 array of the IDX header's shape. A damaged, truncated or
    replaced entry is decoded again, never trusted. (The sidecar guards against accidents, not against
    someone who can write your cache folder and recompute it.)"""
    try:
        with open(cached.with_name(cached.name + ".sha256"), "rb") as f:
            expected = f.read(65).decode("ascii").strip()
        with open(cached, "rb") as f:
            data = f.read(math.prod(shape) + 4096)  # the array and a .npy header, never more
        if hashlib.sha256(data).hexdigest() != expected:
            return None
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None  # not cached yet, or a damaged cache entry: decode again
    return array if isinstance(array, np.ndarray) and array.dtype == np.uint8 and array.shape == shape else None


def _to_cache(cached: Path, array: np.ndarray) -> None:
    """Write the array and the SHA-256 of its bytes, each atomically (a reader never sees half a file)."""
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    data = buffer.getvalue()
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        for target, content in ((cached, data), (cached.with_name(cached.name + ".sha256"),
                                                 hashlib.sha256(data).hexdigest().encode())):
            tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
            tmp.write_bytes(content)
            os.replace(tmp, target)
    except OSError:
        pass  # a read-only home is no reason to fail: the cache only saves time
