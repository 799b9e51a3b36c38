"""Classify new inputs with a trained network: images of digits, or rows of numbers in a .npz or CSV file.

    $ specnet predict runs/ch1_sgd-20261123-101500 seven.png rows.csv --json

An image (PNG, JPEG, ...: Pillow reads it, the optional extra `images`) becomes one row as MNIST's images
are: grayscale, resized to the network's square input (28 x 28 for MNIST), bytes / 255, a white digit on
black; an image whose border is light (a dark digit on white paper) is inverted first. A .npz holds one
array of rows (bytes, uint8, are divided by 255 as the training data's are), a CSV holds rows of numbers
(a first line that is not numbers is a header). The rows are in the training data's units: a fitted
data.scale is applied as in training. Every file is untrusted input: bounded in bytes, pixels and rows.
"""
from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path

import numpy as np

from specnet.components.activations import ACTIVATIONS
from specnet.datasets.dataset import inputs
from specnet.datasets.npyheader import ZIP_MAGIC, header
from specnet.runs.digits import like_mnist
from specnet.errors import DataError, SpecError, cut
from specnet.runs.export import trained

MAX_BYTES, MAX_PIXELS, MAX_ROWS = 20 << 20, 25_000_000, 100_000  # per file: 20 MiB, a 5000 x 5000 image
MAX_ARRAY = 256 << 20  # a .npz's array, decoded (compressed, 20 MiB may hold far more)
IMAGES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")


def _read(path: Path) -> bytes:
    """Return a regular file's bytes, at most MAX_BYTES of them."""
    if not path.is_file():
        raise DataError("no such file" if not path.exists() else "not a regular file", file=str(path))
    with open(path, "rb") as f:
        data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise DataError(f"larger than {MAX_BYTES >> 20} MiB, more than specnet predict reads", file=str(path),
                        hint="Split it into smaller files.")
    return data


def image_row(path: Path, data: bytes, side: int) -> np.ndarray:
    """Return an image as one row of side² bytes, as MNIST's: grayscale, side x side, white on black."""
    try:
        from PIL import Image
    except ImportError:
        raise SpecError("reading images needs Pillow, which is not installed", file=str(path),
                        hint='Install the extra: pip install "specnet[images]".') from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our bound, MAX_PIXELS, is lower
            image = Image.open(io.BytesIO(data))  # reads the header, not the pixels
        with image as im:
            if im.width * im.height > MAX_PIXELS:
                raise DataError(f"{im.width} x {im.height} pixels, more than {MAX_PIXELS:,}", file=str(path),
                                hint="Give a smaller picture of the digit.")
            im = im.convert("RGBA")  # a transparent background counts as white paper
            white = Image.new("RGBA", im.size, (255, 255, 255, 255))
            a = np.asarray(Image.alpha_composite(white, im).convert("L"), dtype=np.uint8)
    except DataError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as e:  # Pillow's ways to refuse a file
        why = "Pillow knows no image format in it" if type(e).__name__ == "UnidentifiedImageError" else cut(e)
        raise DataError(f"cannot read it as an image: {why}", file=str(path),
                        hint="Give a PNG, JPEG or other picture of the digit, an .npz or a .csv of rows.") from None
    border = np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]])
    a = 255 - a if border.mean() > 127 else a  # MNIST's digits are white on black
    # a side x side picture is taken as the training data's own form; any other is normalized as MNIST's were
    return (a if a.shape == (side, side) else like_mnist(a, side)).reshape(1, -1)


def npz_rows(path: Path, data: bytes, n_in: int) -> np.ndarray:
    """Return the one array of a .npz as rows, its header checked before its data are read."""
    def fail(problem, hint="Save one array of rows: numpy.savez(file, x)."):
        return DataError(problem, file=str(path), hint=hint)
    if not data.startswith(ZIP_MAGIC):
        raise fail("not a .npz archive (a zip file of .npy arrays)")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            if len(z.files) != 1:
                raise fail(f"it has {len(z.files)} arrays ({cut(', '.join(z.files))}), and predict reads one")
            shape, dtype, nbytes = header(z, z.files[0], fail)
            if len(shape) not in (1, 2) or dtype.kind not in "biuf":
                raise fail(f"its array is {len(shape)}-dimensional {dtype}, not rows of numbers")
            _rows(path, shape[0] if len(shape) == 2 else 1, shape[-1], n_in)
            if nbytes > MAX_ARRAY:
                raise fail(f"its array would take {nbytes:,} bytes, more than {MAX_ARRAY:,}", "Split it.")
            return z[z.files[0]].reshape(-1, shape[-1])
    except DataError:
        raise
    except (ValueError, KeyError, EOFError, zipfile.BadZipFile, NotImplementedError) as e:
        raise fail(f"cannot read it as .npz: {cut(e)}") from None


def csv_rows(path: Path, data: bytes, n_in: int) -> np.ndarray:
    """Return the rows of numbers of a CSV file (a first line that is not numbers is a header)."""
    try:
        lines = data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as e:
        raise DataError(f"not UTF-8 text (byte {e.start})", file=str(path)) from None
    rows = []
    for number, line in enumerate(lines, 1):
        cells = [c.strip() for c in line.split(",")]
        if not line.strip() or number == 1 and not all(_number(c) for c in cells):
            continue  # a blank line, or the header
        bad = next((c for c in cells if not _number(c)), None)
        if bad is not None:
            raise DataError("not a finite number", file=str(path), line=number, got=cut(bad, 60),
                            hint="A row holds numbers only, separated by commas.")
        _rows(path, len(rows) + 1, len(cells), n_in, number)
        rows.append([float(c) for c in cells])
    if not rows:
        raise DataError("no rows of numbers", file=str(path), hint=f"Give rows of {n_in} numbers.")
    return np.array(rows)


def _number(cell: str) -> bool:
    try:
        return bool(np.isfinite(float(cell)))
    except ValueError:
        return False


def _rows(path, n: int, width: int, n_in: int, line=None) -> None:
    """Refuse rows of the wrong width, or too many rows."""
    if width != n_in:
        raise DataError(f"expected {n_in} inputs per row, got {width}", file=str(path), line=line,
                        hint="Give rows of the numbers the network was trained on.")
    if n > MAX_ROWS:
        raise DataError(f"more than {MAX_ROWS:,} rows", file=str(path), line=line, hint="Split it into smaller files.")


def rows_of(path, model: dict) -> np.ndarray:
    """Return the raw rows of one input file for `model` (`trained`): bytes (uint8) or numbers."""
    path, n_in = Path(path), model["sizes"][0]
    data = _read(path)
    if path.suffix.lower() in IMAGES:
        if model["image"] is None:
            raise DataError(f"this network's {n_in} inputs are not an image's pixels", file=str(path),
                            hint="Give a CSV or .npz of rows.")
        return image_row(path, data, model["image"])
    if path.suffix.lower() == ".npz":
        return npz_rows(path, data, n_in)
    if path.suffix.lower() in (".csv", ".txt"):
        return csv_rows(path, data, n_in)
    raise DataError("cannot tell what this file holds from its extension", file=str(path),
                    hint=f"Give an image ({', '.join(IMAGES[:3])}, ...), a .npz or a .csv.")


def outputs(model: dict, raw: np.ndarray, file=None) -> np.ndarray:
    """Return a^L (N, n_out) for raw rows, prepared as the training data were (bytes / 255, data.scale)."""
    dtype, scaling = np.dtype(model["dtype"]), model.get("scaling")
    with np.errstate(over="ignore", invalid="ignore"):
        x = inputs(raw, dtype) if scaling is None else scaling(inputs(raw, np.float64)).astype(dtype)
    if not np.isfinite(x).all():
        raise DataError(f"an input is too large for the network's {dtype} once scaled", file=file,
                        hint="Give the rows in the training data's units.")
    a = x.T  # (n_in, N): the book's columns
    for w, b, name in zip(model["weights"], model["biases"], model["activations"]):
        a = ACTIVATIONS.get(name).fn(w.astype(dtype) @ a + b.astype(dtype).reshape(-1, 1))  # a^l = σ(w a + b) (2.3)
    return a.T


def predict_files(path, files) -> list:
    """Return, for every row of every file, {"file", "row", "class", "index", "outputs"}: the class is the
    output neuron with the largest activation (one output: 1 if it is >= 0.5), named by the model's classes."""
    model = trained(path)
    rows = [(f, rows_of(f, model)) for f in files]  # every file read and checked before any is classified
    out = []
    for f, raw in rows:
        a = outputs(model, raw, f)
        index = (a[:, 0] >= 0.5).astype(int) if a.shape[1] == 1 else a.argmax(axis=1)
        names = model.get("classes")
        out += [{"file": str(f), "row": i, "class": names[k] if names else int(k), "index": int(k),
                 "outputs": [float(v) for v in a[i]]} for i, k in enumerate(index)]
    return out


def render(predictions: list) -> str:
    """Return a line per prediction: the file (with the row, counting from 0, for a file of several rows),
    the class and the output activations."""
    many = {p["file"] for p in predictions if p["row"]}
    return "\n".join(f"{p['file']}" + (f"[{p['row']}]" if p["file"] in many else "") +
                     f": {p['class']}  ({' '.join(f'{v:.3f}' for v in p['outputs'])})" for p in predictions)
