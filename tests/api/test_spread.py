"""Connections spread over the workers by load: the board's slots and rule, the middleware,
and two real uvicorn workers on one port, the second started after every connection
had gone to the first."""

from __future__ import annotations

import asyncio
import http.client
import os
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api import spread
from tests.conftest import wait_until

ROOT = Path(__file__).resolve().parents[2]
SLOT = struct.Struct("<idd")


@pytest.fixture()
def board_path(tmp_path: Path) -> Path:
    path = tmp_path / "board"
    spread.create_board(path)
    return path


def _write_slot(path: Path, slot: int, pid: int, load: float, at: float) -> None:
    with path.open("r+b") as file:
        file.seek(slot * SLOT.size)
        file.write(SLOT.pack(pid, load, at))


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_worker_takes_a_free_slot_or_a_dead_workers_never_a_living_ones(
        board_path: Path) -> None:
    _write_slot(board_path, 0, os.getppid(), 2.0, time.monotonic())  # a living worker
    _write_slot(board_path, 1, _dead_pid(), 7.0, time.monotonic())  # a dead one
    board = spread.Board(board_path)
    board.started(time.monotonic())
    with board_path.open("rb") as file:
        slots = [SLOT.unpack(file.read(SLOT.size)) for _ in range(3)]
    assert slots[0][0] == os.getppid()
    assert slots[1][0] == os.getpid() and slots[1][1] == pytest.approx(spread.SMOOTHING)
    assert slots[2][0] == 0
    assert board.others(time.monotonic()) == [2.0]


def test_a_worker_closes_a_connection_when_its_load_passes_the_least_loaded_by_the_margin(
        board_path: Path) -> None:
    board = spread.Board(board_path)
    now = time.monotonic()
    assert not board.should_close(now)  # alone on the board
    _write_slot(board_path, 1, os.getppid(), 1.0, now)
    board.load = 1.0 + spread.MARGIN - 0.1
    assert not board.should_close(now)
    board.load = 1.0 + spread.MARGIN
    assert board.should_close(now)
    assert not board.should_close(now + spread.PAUSE_S / 2)  # once per pause at most
    _write_slot(board_path, 1, os.getppid(), 1.0, now + spread.PAUSE_S)
    assert board.should_close(now + spread.PAUSE_S)
    # a busier other worker does not count; one idle for a while counts as load 0
    _write_slot(board_path, 1, os.getppid(), 9.0, now + 1.0)
    board.load = spread.MARGIN + 0.5
    assert not board.should_close(now + 1.0)
    assert board.should_close(now + 1.0 + spread.IDLE_S)


def test_the_load_follows_the_requests_in_hand(board_path: Path) -> None:
    board = spread.Board(board_path)
    now = time.monotonic()
    for _ in range(200):  # always 4 in hand when one starts
        board.started(now)
        board.finished()
        board.in_hand = 3
    assert board.load == pytest.approx(4.0, abs=0.01)
    assert board.in_hand == 3


def test_the_middleware_adds_connection_close_and_counts_every_request(
        board_path: Path) -> None:
    board = spread.Board(board_path)
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert board.in_hand == 1
        if scope["path"] == "/fails":
            raise RuntimeError("the route failed")
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        sent.append(dict(message))

    middleware = spread.SpreadConnections(app, board)
    asyncio.run(middleware({"type": "http", "path": "/"}, receive, send))
    assert sent[0]["headers"] == [(b"content-type", b"text/plain")]
    _write_slot(board_path, 1, os.getppid(), 0.0, time.monotonic() + 60)
    board.load = spread.MARGIN + 1.0
    sent.clear()
    asyncio.run(middleware({"type": "http", "path": "/"}, receive, send))
    assert sent[0]["headers"] == [(b"content-type", b"text/plain"), (b"connection", b"close")]
    assert sent[1] == {"type": "http.response.body", "body": b"ok"}
    with pytest.raises(RuntimeError):
        asyncio.run(middleware({"type": "http", "path": "/fails"}, receive, send))
    assert board.in_hand == 0


WORKER = """
import asyncio, os, sys, uvicorn
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from api import serve, spread

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await asyncio.sleep(0.005)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(os.getpid()).encode()})

sock = serve.listening_socket("127.0.0.1", int(sys.argv[1]))
board = spread.Board(Path(sys.argv[2]))
config = uvicorn.Config(spread.SpreadConnections(app, board), log_level="warning")
uvicorn.Server(config).run(sockets=[sock])
"""


@pytest.fixture()
def start_worker(board_path: Path) -> Iterator[Any]:
    workers: list[subprocess.Popen[bytes]] = []
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])

    def start() -> int:
        workers.append(subprocess.Popen(
            [sys.executable, "-c", WORKER, str(port), str(board_path), str(ROOT)]))
        deadline = time.monotonic() + 30
        while True:
            listing = subprocess.run(["ss", "-Htlnp", f"sport = :{port}"],
                                     capture_output=True, text=True).stdout
            if f"pid={workers[-1].pid}," in listing:
                return port
            assert time.monotonic() < deadline, "the worker did not listen"
            time.sleep(0.1)

    yield start
    for worker in workers:
        worker.terminate()
        worker.wait(timeout=30)


def test_connections_all_on_one_worker_move_to_a_worker_started_later(
        start_worker: Any) -> None:
    port = start_worker()
    answered_by: list[list[str]] = [[] for _ in range(8)]
    stop = threading.Event()
    failures: list[BaseException] = []

    def client(seen: list[str]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            while not stop.is_set():
                conn.request("GET", "/")  # reconnects after a Connection: close
                seen.append(conn.getresponse().read().decode())
        except BaseException as exc:  # reported by the test
            failures.append(exc)
        finally:
            conn.close()

    clients = [threading.Thread(target=client, args=(seen,)) for seen in answered_by]
    for thread in clients:
        thread.start()
    wait_until(lambda: all(answered_by), what="every client answered by the first worker")
    first = {seen[-1] for seen in answered_by}
    start_worker()

    def spread_over_both() -> bool:
        last = [seen[-1] for seen in answered_by]
        return len(set(last)) == 2 and max(last.count(p) for p in set(last)) <= 6

    wait_until(spread_over_both, what="connections moved to the second worker")
    stop.set()
    for thread in clients:
        thread.join(timeout=30)
    assert not failures
    assert len(first) == 1  # before the second worker, every connection was on the first
