"""Pictures for the HTML report, as PNG data inside the page (no files beside it, nothing fetched): inputs
drawn as the images they are (MNIST's white digit on black), a hidden neuron's weights as an image (red
positive, blue negative, white zero, as in the book's pictures of what a neuron looks for), and the
confusion matrix's counts.

    >>> png(np.zeros((2, 2)))[:22]
    'data:image/png;base64,'
"""
from __future__ import annotations

import base64
import math
import struct
import zlib

import numpy as np


def side_of(width: int) -> int | None:
    """The side of a square image of `width` pixels (784 → 28), or None when the inputs are not one."""
    side = math.isqrt(width)
    return side if side * side == width and side >= 8 else None


def png(pixels: np.ndarray, scale: int = 1) -> str:
    """A data: URI of a PNG of `pixels`: (h, w) grey levels in [0, 1], or (h, w, 3) colours; each pixel drawn
    as scale × scale (the page enlarges them without blurring: CSS image-rendering: pixelated)."""
    data = np.clip(np.nan_to_num(np.asarray(pixels, dtype=np.float64)), 0, 1)
    data = np.repeat(np.repeat(data, scale, axis=0), scale, axis=1)
    colour = data.ndim == 3
    raw = (data * 255 + 0.5).astype(np.uint8)
    rows = b"".join(b"\0" + row.tobytes() for row in raw)  # filter 0 (none) before every row

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", raw.shape[1], raw.shape[0], 8, 2 if colour else 0, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def weights_picture(w: np.ndarray, side: int) -> np.ndarray:
    """A hidden neuron's incoming weights as an RGB image: red for positive, blue for negative, white for 0,
    scaled by the largest |w| of the neuron."""
    v = np.asarray(w, dtype=np.float64).reshape(side, side)
    v = v / (np.abs(v).max() or 1.0)
    pos, neg = np.clip(v, 0, 1), np.clip(-v, 0, 1)
    return np.stack([1 - neg, 1 - pos - neg, 1 - pos], axis=-1)


def confusion(labels: np.ndarray, predicted: np.ndarray, classes: int) -> np.ndarray:
    """counts[i, j]: the examples of class i the network put in class j."""
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (labels, predicted), 1)
    return counts


def most_wrong(outputs: np.ndarray, labels: np.ndarray, count: int = 12) -> list:
    """The indices of the wrongly classified examples the network was surest of (highest output activation
    of its wrong answer), surest first."""
    predicted = outputs.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    return wrong[np.argsort(-outputs[wrong, predicted[wrong]], kind="stable")][:count].tolist()
