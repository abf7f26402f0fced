"""Giving freed memory back to the system after a big upload.

glibc keeps what Python frees in its arenas (one per thread that allocated, up to 8 per
core) instead of returning it; after a large upload was parsed in a pool thread, the
API's RSS stayed hundreds of megabytes above its working set. ``malloc_trim(0)`` returns
the free pages of every arena. A no-op where the C library is not glibc.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable

_trim: Callable[[int], int] | None = None
try:
    _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    _trim = _libc.malloc_trim
except (OSError, AttributeError):
    _trim = None


def give_back() -> None:
    """Return the C allocator's free memory to the system (glibc only)."""
    if _trim is not None:
        _trim(0)
