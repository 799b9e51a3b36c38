"""A picture of a digit made the way MNIST's images were (LeCun et al.): the ink's bounding box scaled,
aspect kept, to fit 20 × 20 pixels (of 28), then placed so that its centre of mass is the image's centre.
A digit photographed, scanned or typed large, small or off centre then looks to the network like the
digits it was trained on (resizing the whole picture would not: a typed "3" came out as a 9).

    >>> a = np.zeros((100, 60), np.uint8); a[10:90, 20:40] = 255     # a tall bar, off centre
    >>> b = like_mnist(a, 28); int(b.sum() > 0), [int(v) for v in np.argwhere(b > 128).mean(axis=0).round()]
    (1, [14, 14])
"""
from __future__ import annotations

import numpy as np


def like_mnist(ink: np.ndarray, side: int) -> np.ndarray:
    """Return `ink` (white on black, any size, uint8) as side × side bytes, normalized as MNIST's were."""
    from PIL import Image
    rows, cols = np.nonzero(ink > max(int(ink.max()) // 10, 0))
    if rows.size == 0:  # a blank picture: nothing to centre
        return np.zeros((side, side), np.uint8)
    crop = ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    box = max(1, round(side * 20 / 28))
    scale = box / max(crop.shape)
    size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
    small = np.asarray(Image.fromarray(crop).resize(size, Image.Resampling.LANCZOS), dtype=np.float64)
    mass = small.sum() or 1.0
    centre = [(small.sum(axis=1 - k) * np.arange(small.shape[k])).sum() / mass for k in (0, 1)]
    top, left = (min(max(round(side / 2 - c), 0), side - n) for c, n in zip(centre, small.shape))
    out = np.zeros((side, side), np.float64)
    out[top:top + small.shape[0], left:left + small.shape[1]] = small
    return np.clip(out, 0, 255).astype(np.uint8)
