"""Kept-alive connections spread over the workers by load, not only by the kernel's hash.

With several workers, each listening on a socket of its own (``api.serve``), the kernel
picks a worker for each new connection by a hash of its addresses. A client that keeps
a few connections open, as a bank's connection pool or the latency benchmark's 8 clients
do, can find most of them on one worker: one process (one GIL) then answers most of the
load while another idles. Measured, 8 connections to 2 workers went 7/1 (a 7% chance);
that worker's searches took longer (``benchmarks/RESULTS.md``, latency, session 10).

Each worker publishes its load in a slot of a shared board (a small file, mapped into
every worker's memory; the supervisor names it in ``REGSEARCH_WORKER_BOARD``): the number
of requests it has in hand when one starts, averaged over the last few dozen requests
(one kept-alive connection in a closed loop adds about one). A worker whose load is
``MARGIN`` or more above the least loaded other worker's ends one of its responses with
``Connection: close``, at most once per ``PAUSE_S``: the client, having had its whole
answer, opens a new connection, which the kernel places again. Nothing is lost or
repeated: the response is complete, and the request after it goes on the new
connection.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import struct
import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

BOARD_ENV = "REGSEARCH_WORKER_BOARD"
#: Slots on the board: more than any worker count (a restarted worker takes a free one).
SLOTS = 64
#: Load above the least loaded other worker's that makes a worker close one connection
#: (8 connections split 5/3 differ by about 2 and are left as they are; 6/2 by about 4).
MARGIN = 3.0
#: Weight of each request's count in the load average (about the last 20 requests).
SMOOTHING = 0.05
#: The least time between two connections closed by one worker.
PAUSE_S = 0.25
#: A worker whose load is older than this has had no request since: its load counts as 0.
IDLE_S = 0.25
_SLOT = struct.Struct("<idd")  # process id (0: free), load, when (time.monotonic)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def create_board(path: Path) -> None:
    """An empty board (the supervisor makes it before starting the workers)."""
    path.write_bytes(bytes(_SLOT.size * SLOTS))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Board:
    """This worker's slot on the shared board, and a view of the others'."""

    def __init__(self, path: Path) -> None:
        with path.open("r+b") as file:
            self._map = mmap.mmap(file.fileno(), _SLOT.size * SLOTS)
            fcntl.flock(file, fcntl.LOCK_EX)  # workers starting together take one slot each
            try:
                self._offset = self._claim()
            finally:
                fcntl.flock(file, fcntl.LOCK_UN)
        self.in_hand = 0
        self.load = 0.0
        self._closed_at = 0.0

    def _claim(self) -> int:
        pid = os.getpid()
        for slot in range(SLOTS):
            offset = slot * _SLOT.size
            owner = _SLOT.unpack_from(self._map, offset)[0]
            if owner == 0 or owner == pid or not _alive(owner):
                _SLOT.pack_into(self._map, offset, pid, 0.0, 0.0)
                return offset
        raise RuntimeError("no free slot on the worker board")

    def others(self, now: float) -> list[float]:
        """The load of every other worker on the board (0 for one idle since ``IDLE_S``)."""
        mine = self._offset // _SLOT.size
        return [load if now - at < IDLE_S else 0.0
                for slot, (owner, load, at) in enumerate(_SLOT.iter_unpack(self._map))
                if owner and slot != mine]

    def started(self, now: float) -> None:
        self.in_hand += 1
        self.load += SMOOTHING * (self.in_hand - self.load)
        _SLOT.pack_into(self._map, self._offset, os.getpid(), self.load, now)

    def finished(self) -> None:
        self.in_hand -= 1

    def should_close(self, now: float) -> bool:
        """Whether this response should close its connection (the time is noted when it
        should). A slot read while its worker writes it may read as nonsense: at worst one
        connection closed that need not have been."""
        if self.load < MARGIN or now - self._closed_at < PAUSE_S:
            return False
        others = self.others(now)
        if not others or self.load - min(others) < MARGIN:
            return False
        self._closed_at = now
        return True


class SpreadConnections:
    """ASGI middleware: counts this worker's requests on the board, and closes a
    connection of a worker that holds more than its share."""

    def __init__(self, app: App, board: Board) -> None:
        self.app = app
        self.board = board

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        board = self.board

        async def answer(message: Message) -> None:
            if message["type"] == "http.response.start" and board.should_close(
                    time.monotonic()):
                message = {**message, "headers": [*message.get("headers", ()),
                                                  (b"connection", b"close")]}
            await send(message)

        board.started(time.monotonic())
        try:
            await self.app(scope, receive, answer)
        finally:
            board.finished()


def board_from_environment() -> Board | None:
    """This worker's board when the supervisor made one (several workers), else None."""
    path = os.environ.get(BOARD_ENV)
    return Board(Path(path)) if path else None
