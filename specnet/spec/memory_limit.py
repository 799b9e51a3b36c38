"""The memory a spec may need on this machine: SPECNET_MEMORY_LIMIT if set, else 3/4 of the free memory.

    $ SPECNET_MEMORY_LIMIT=2GiB specnet validate specs/

    >>> fmt(3 * 2**30), parse_size("500MB"), parse_size("2GiB"), parse_size("1.5 kib"), parse_size("2 G")
    ('3.0 GiB', 500000000, 2147483648, 1536, None)
"""
from __future__ import annotations

import os
import re
from fractions import Fraction

from specnet.errors import CheckError

ENV = "SPECNET_MEMORY_LIMIT"
SHARE = Fraction(3, 4)  # of the memory this machine has free: the rest is Python, NumPy and everything else
FALLBACK = 8 << 30      # the limit where the free memory cannot be read
UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
         "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
CGROUPS = ("memory.max", "memory/memory.limit_in_bytes")  # a container's memory limit (cgroup v2, v1)


def fmt(nbytes: int) -> str:
    """Return a number of bytes in binary units: 1536 -> '1.5 KiB' (a power of ten beyond any machine)."""
    if nbytes >= 2**70:
        return f"10^{int(nbytes.bit_length() * 0.30103)} bytes"  # no float: the int may exceed them
    for unit, size in (("EiB", 2**60), ("PiB", 2**50), ("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if nbytes >= size:
            return f"{nbytes / size:,.1f} {unit}"
    return f"{nbytes} bytes"


def parse_size(text: str) -> int | None:
    """Return the bytes a size such as '2GiB', '500 MB' or '1000000' stands for, or None if it is not one."""
    match = re.fullmatch(r"\s*(\d{1,15}(?:\.\d{1,15})?)\s*([kmgt]i?b|b)?\s*", text, re.IGNORECASE)
    if not match:
        return None
    nbytes = int(Fraction(match[1]) * UNITS[(match[2] or "").lower()])
    return nbytes or None


def available() -> int | None:
    """Return the bytes this machine has free: MemAvailable (or the free pages where there is no
    /proc/meminfo), or a container's cgroup memory limit if that is less; None where nothing can be read.

    Note that the cgroup's limit is taken whole, not less its usage: that usage counts the file cache, which
    the kernel gives back when a process needs the memory."""
    free = []
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            free += [int(line.split()[1]) * 1024 for line in f if line.startswith("MemAvailable:")]
    except (OSError, ValueError, IndexError):
        pass
    if not free:
        try:
            free.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (AttributeError, OSError, ValueError):
            pass
    for name in CGROUPS:
        try:
            with open(f"/sys/fs/cgroup/{name}", encoding="ascii") as f:
                free.append(int(f.read()))  # v2 says "max" when there is no limit: not an int
        except (OSError, ValueError):
            pass
    return max(0, min(free)) if free else None


def limit() -> tuple[int, str]:
    """Return (bytes, what they are) a spec may need: SPECNET_MEMORY_LIMIT, else 3/4 of the free memory."""
    text = os.environ.get(ENV)
    if text is not None:
        nbytes = parse_size(text)
        if nbytes is None:
            raise CheckError("must be a memory size above 0, such as 2GiB, 500MB or 1000000 (bytes)", file=ENV,
                             got=text, hint="Units: B, kB, MB, GB, TB, KiB, MiB, GiB, TiB; unset it for the default.")
        return nbytes, f"{ENV}={text.strip()} ({fmt(nbytes)})"
    free = available()
    if free is None:
        return FALLBACK, f"the {fmt(FALLBACK)} allowed where the free memory is unknown"
    return int(free * SHARE), f"the {fmt(int(free * SHARE))} allowed (3/4 of the {fmt(free)} this machine has free)"
