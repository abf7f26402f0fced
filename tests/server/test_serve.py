"""Several API workers: each listens on a socket of its own (``SO_REUSEPORT``, TCP_NODELAY
inherited by accepted sockets), so connections opened together reach every worker."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from uvicorn.supervisors import multiprocess

from server import serve

ROOT = Path(__file__).resolve().parents[2]


def test_sockets_of_one_port_each_with_nodelay() -> None:
    first = serve.listening_socket("127.0.0.1", 0)
    port = first.getsockname()[1]
    second = serve.listening_socket("127.0.0.1", port)
    try:
        for sock in (first, second):
            assert sock.getsockname()[1] == port
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
    finally:
        first.close()
        second.close()


def test_a_port_already_listened_on_is_refused_not_joined() -> None:
    # another API (or anything) listening there, even with SO_REUSEPORT: the workers
    # would otherwise join it and share its connections
    taken = serve.listening_socket("127.0.0.1", 0)
    port = taken.getsockname()[1]
    try:
        with pytest.raises(serve.ListenError, match=f"127.0.0.1:{port}"):
            serve.claim("127.0.0.1", port)
        config = uvicorn.Config(serve.APP, factory=True, host="127.0.0.1", port=port,
                                workers=2)
        with pytest.raises(serve.ListenError):
            serve.SpreadWorkers(config)
    finally:
        taken.close()
    assert serve.claim("127.0.0.1", port) == port  # free again


def test_the_cli_says_in_plain_words_that_it_cannot_listen() -> None:
    taken = serve.listening_socket("127.0.0.1", 0)
    port = taken.getsockname()[1]
    try:
        done = subprocess.run([sys.executable, "-m", "regsearch.cli", "api", "--workers", "2",
                               "--host", "127.0.0.1", "--port", str(port)],
                              capture_output=True, text=True, timeout=60, cwd=ROOT)
    finally:
        taken.close()
    assert done.returncode == 2
    assert f"cannot listen for the API on 127.0.0.1:{port}" in done.stderr
    assert "Không mở được" in done.stderr
    assert "Traceback" not in done.stderr


def test_each_worker_gets_its_own_socket_and_the_supervisor_lets_go(
        monkeypatch: pytest.MonkeyPatch) -> None:
    handed: list[socket.socket] = []

    class Started:
        def __init__(self, config: Any, sockets: list[socket.socket]) -> None:
            handed.extend(sockets)
            self.seen = [(s.getsockname()[1], s.getsockopt(socket.IPPROTO_TCP,
                                                           socket.TCP_NODELAY))
                         for s in sockets]

        def start(self) -> None:
            pass

    monkeypatch.setattr(multiprocess, "Process", Started)
    config = uvicorn.Config(serve.APP, factory=True, host="127.0.0.1", port=0, workers=3)
    supervisor = serve.SpreadWorkers(config)
    supervisor.init_processes()
    seen = [p.seen for p in supervisor.processes]  # type: ignore[attr-defined]
    assert len(handed) == 3 and len({id(s) for s in handed}) == 3
    assert seen == [[(supervisor.port, 1)]] * 3
    assert all(s.fileno() == -1 for s in handed)  # the workers hold them now


def test_a_replacement_that_cannot_listen_stops_the_supervisor(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def taken(self: multiprocess.Multiprocess) -> None:
        self.sockets  # noqa: B018  (binds the replacement's socket, as uvicorn does)
        raise serve.ListenError("127.0.0.1:8000: Address already in use")

    monkeypatch.setattr(multiprocess.Multiprocess, "keep_subprocess_alive", taken)
    config = uvicorn.Config(serve.APP, factory=True, host="127.0.0.1", port=0, workers=2)
    supervisor = serve.SpreadWorkers(config)
    supervisor.keep_subprocess_alive()
    assert supervisor.should_exit.is_set()  # run() then stops the other workers
    assert supervisor._handed == []  # and nothing it bound stays open


PROBE_APP = """
import os

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": str(os.getpid()).encode()})
"""

SERVER = """
import sys, uvicorn
from server.serve import SpreadWorkers
if __name__ == "__main__":
    config = uvicorn.Config("probe_app:app", host="127.0.0.1", port=int(sys.argv[1]),
                            workers=2, log_level="warning")
    SpreadWorkers(config).run()
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pid(conn: http.client.HTTPConnection) -> str:
    conn.request("GET", "/")
    return conn.getresponse().read().decode()


def _listener_owners(port: int) -> list[str | None]:
    """The pid holding each socket listening on ``port`` (None: no process holds it)."""
    listing = subprocess.run(["ss", "-Htlnp", f"sport = :{port}"], capture_output=True,
                             text=True).stdout
    owners: list[str | None] = []
    for line in listing.splitlines():
        found = re.search(r"pid=(\d+)", line)
        owners.append(found.group(1) if found else None)
    return owners


def _listeners(port: int) -> int:
    return len(_listener_owners(port))


def _wait_for_listeners(port: int, count: int) -> None:
    deadline = time.monotonic() + 30
    while _listeners(port) != count:
        assert time.monotonic() < deadline, f"not {count} workers listening"
        time.sleep(0.2)


def _pids_of_pool(port: int, size: int = 32) -> list[str]:
    """The worker pid behind each of ``size`` connections opened together and kept
    alive, as a client's connection pool does."""
    pool = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(size)]
    for conn in pool:
        conn.connect()
    pids = [_pid(conn) for conn in pool]
    for conn in pool:
        conn.close()
    return pids


@pytest.fixture()
def two_workers(tmp_path: Path) -> Iterator[int]:
    (tmp_path / "probe_app.py").write_text(PROBE_APP)
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_listeners(port, 2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_connections_opened_together_reach_both_workers(two_workers: int) -> None:
    # uvicorn's shared socket put every one of them on one worker; spread by the
    # kernel's hash, 32 land on one worker with probability 2 ** -31
    assert len(set(_pids_of_pool(two_workers))) == 2


def test_a_worker_killed_is_replaced_and_no_connection_waits_for_it(two_workers: int) -> None:
    pids = set(_pids_of_pool(two_workers))
    killed = int(min(pids))
    os.kill(killed, signal.SIGKILL)
    deadline = time.monotonic() + 30
    # until its socket is gone: an exiting process's file table empties a moment before
    # its sockets are released, and a listener nobody holds still takes connections
    while (owners := _listener_owners(two_workers)) and (
            None in owners or str(killed) in owners):
        assert time.monotonic() < deadline, "the killed worker's socket stayed"
        time.sleep(0.05)
    # its socket went with it: every connection now reaches the live worker at once
    # (a socket left in the group would hold about half of them unanswered)
    assert str(killed) not in _pids_of_pool(two_workers)
    _wait_for_listeners(two_workers, 2)  # the supervisor started a replacement
    deadline = time.monotonic() + 30
    while True:
        now = set(_pids_of_pool(two_workers))
        if len(now) == 2:
            break
        assert time.monotonic() < deadline, "the replacement never answered"
        time.sleep(0.2)
    assert str(killed) not in now
