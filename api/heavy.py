"""CPU-heavy work (rendering, signing and verifying PDFs, parsing uploads) off the event loop.

One bounded pool for the whole worker: at most ``heavy_work_threads`` such jobs run at
once and the rest wait their turn, so a burst of uploads or certificates cannot starve
``/healthz`` or a search of the event loop. Threads, not processes: the heavy parts
(hashing, RSA, zlib, reportlab's C extensions) release the GIL often enough that the loop
keeps answering, and a thread shares the process's open resources (database pool,
signer) without pickling.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import ParamSpec, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter

from core.settings import get_settings

P = ParamSpec("P")
R = TypeVar("R")

_limiter: CapacityLimiter | None = None


def limiter() -> CapacityLimiter:
    """The worker's one limiter (made on first use, inside the running event loop)."""
    global _limiter
    if _limiter is None:
        _limiter = CapacityLimiter(get_settings().heavy_work_threads)
    return _limiter


async def run_heavy(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """``function(*args, **kwargs)`` in the bounded pool; the caller awaits its result."""
    return await anyio.to_thread.run_sync(partial(function, *args, **kwargs),
                                          limiter=limiter())
