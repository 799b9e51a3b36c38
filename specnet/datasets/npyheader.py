"""The header of an array in a NumPy .npz archive, read before its data: a small file that claims a huge
array is refused before anything is allocated (used by the .npz data reader and the model reader).

    >>> import io, numpy as np
    >>> buffer = io.BytesIO()
    >>> np.savez(buffer, w0=np.zeros((3, 2)))
    >>> with np.load(io.BytesIO(buffer.getvalue())) as z:
    ...     header(z, "w0", ValueError)
    ((3, 2), dtype('float64'), 48)
"""
from __future__ import annotations

import numpy as np

from specnet.errors import cut

ZIP_MAGIC = b"PK\x03\x04"  # what a .npz (a zip archive) starts with; np.load reads anything else differently


def header(z, name: str, fail) -> tuple:
    """Return (shape, dtype, bytes) of an archive member from its .npy header, without reading its data;
    raise `fail(problem, hint)` for an array of Python objects."""
    try:
        with z.zip.open(name + ".npy") as f:
            version = np.lib.format.read_magic(f)
            shape, _, dtype = (np.lib.format.read_array_header_1_0(f) if version == (1, 0) else
                               np.lib.format.read_array_header_2_0(f))
    except Exception as e:  # NumPy parses the header as Python tokens: tokenize.TokenError, SyntaxError, ...
        raise ValueError(f"array {name}: its .npy header is damaged ({type(e).__name__}: {cut(e)})") from None
    if dtype.hasobject:
        raise fail(f"array {name} holds Python objects", "specnet loads no pickles: save numbers only.")
    return shape, dtype, int(np.prod(shape, dtype=object)) * dtype.itemsize
