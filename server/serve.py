"""Run the API under uvicorn, with one or several worker processes.

Several workers: each listens on a socket of its own, all bound to the same address
with ``SO_REUSEPORT``, so that the kernel spreads new connections over the workers.
uvicorn's own way, one listening socket shared by every worker, let the first worker
woken accept every connection waiting (asyncio accepts up to the backlog at a time): a
client that opens its connections together, as a bank's connection pool or the latency
benchmark's 8 clients do, found them all on one worker, the others idle. Measured, 8
connections to 2 workers went 8/0 in four runs of five and 6/2 in the fifth, and one
process (one GIL, one core) then answered everything while the second core waited.

TCP_NODELAY is set on every listening socket (accepted sockets inherit it on Linux).
asyncio leaves it off on sockets it did not create: a response is written in two parts
(head, then body), so on a kept-alive connection Nagle's algorithm held the body until
the client's delayed ACK: measured, every search took about 42 ms more with 2 workers than
with 1 (52 ms instead of 9 ms for one client).
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile

import uvicorn
from uvicorn.supervisors import Multiprocess

from api.metrics import MULTIPROCESS_DIR

APP = "server.app:create_app"
BACKLOG = 2048
log = logging.getLogger("uvicorn.error")


class ListenError(RuntimeError):
    """The API cannot listen on the address asked for."""


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def claim(host: str, port: int) -> int:
    """The port the workers will listen on (``port``, or a free one for 0), once it is
    certain that nothing listens there yet. ``SO_REUSEPORT`` would let the workers join
    any listener of the same user on that port, a second regsearch API included, and
    share its connections without a word; a socket without it cannot bind there."""
    try:
        with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
            return int(probe.getsockname()[1])
    except OSError as exc:
        raise ListenError(f"{host}:{port}: {exc.strerror or exc}") from exc


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket listening on ``host:port`` that other workers' sockets may share."""
    try:
        sock = socket.create_server((host, port), family=_family(host), backlog=BACKLOG,
                                    reuse_port=True)
    except OSError as exc:
        raise ListenError(f"{host}:{port}: {exc.strerror or exc}") from exc
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class SpreadWorkers(Multiprocess):
    """uvicorn's supervisor (start, health checks, restarts, signals), except that each
    worker it starts gets a listening socket of its own.

    uvicorn hands ``self.sockets`` to every worker it starts; here reading it binds a new
    socket. The supervisor closes its copy once the worker has started (the worker
    holds its own), so a worker that dies takes its socket out of the group and the
    kernel stops sending it connections."""

    def __init__(self, config: uvicorn.Config) -> None:
        self._port = claim(config.host, config.port)
        self._handed: list[socket.socket] = []
        super().__init__(config, sockets=[])

    @property
    def sockets(self) -> list[socket.socket]:
        sock = listening_socket(self.config.host, self._port)
        self._handed.append(sock)
        return [sock]

    @sockets.setter
    def sockets(self, shared: list[socket.socket]) -> None:
        """uvicorn's constructor stores the shared sockets; there are none here."""

    @property
    def port(self) -> int:
        return self._port

    def _close_handed(self) -> None:
        while self._handed:
            self._handed.pop().close()

    def init_processes(self) -> None:
        super().init_processes()
        self._close_handed()

    def keep_subprocess_alive(self) -> None:
        try:
            super().keep_subprocess_alive()
        except ListenError as exc:  # the port was taken while no worker listened
            self._give_up(exc)
        finally:
            self._close_handed()

    def restart_all(self) -> None:
        try:
            super().restart_all()
        except ListenError as exc:
            self._give_up(exc)
        finally:
            self._close_handed()

    def _give_up(self, exc: ListenError) -> None:
        """Stop the remaining workers rather than run on without the ones lost."""
        log.error("cannot listen for a replacement worker on %s; stopping", exc)
        self.should_exit.set()


def serve(host: str, port: int, workers: int) -> None:
    # proxy_headers off: uvicorn would believe X-Forwarded-For from 127.0.0.1 by default;
    # the app believes it from ``trusted_proxies`` only (``server.app``)
    config = uvicorn.Config(APP, factory=True, host=host, port=port, log_level="info",
                            workers=workers, proxy_headers=False)
    if workers <= 1:
        uvicorn.Server(config).run()
        return
    # The workers' search counters, summed by whichever worker is scraped
    # (``api.metrics``): a fresh directory each start, so no earlier run's counts.
    directory = tempfile.mkdtemp(prefix="regsearch-metrics-")
    os.environ[MULTIPROCESS_DIR] = directory
    try:
        SpreadWorkers(config).run()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
