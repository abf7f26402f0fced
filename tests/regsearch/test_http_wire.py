"""The keep-alive POST of the hot path, against a local server that answers as scripted:
what it reads, and that it answers None (so the caller takes its usual way) for what it
cannot read. Its answers from the real Elasticsearch are in ``test_elastic.py``."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from regsearch import http_wire

Script = Callable[[socket.socket, int], None]


class Server:
    """Accepts connections; for each request (read up to its blank line and body) calls
    ``script(connection, number of the request on this server)``."""

    def __init__(self, script: Script) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.script = script
        self.requests: list[bytes] = []
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError):  # a script closed the connection
            self._requests(conn)

    def _requests(self, conn: socket.socket) -> None:
        pending = b""
        with conn:
            while True:
                while b"\r\n\r\n" not in pending:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    pending += chunk
                head, _, pending = pending.partition(b"\r\n\r\n")
                length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                                  if line.lower().startswith(b"content-length")))
                while len(pending) < length:
                    pending += conn.recv(65536)
                self.requests.append(head + b"\r\n\r\n" + pending[:length])
                pending = pending[length:]
                self.script(conn, len(self.requests))

    def close(self) -> None:
        self.listener.close()


@pytest.fixture()
def serve() -> Iterator[Callable[[Script], Server]]:
    servers: list[Server] = []

    def start(script: Script) -> Server:
        servers.append(Server(script))
        return servers[-1]

    http_wire.close_all()
    yield start
    http_wire.close_all()
    for server in servers:
        server.close()


def _post(server: Server, body: bytes = b'{"size":0}', timeout: float = 5.0
          ) -> tuple[int, bytes] | None:
    return http_wire.post("127.0.0.1", server.port, "/i/_search?filter_path=took", body,
                          {"content-type": "application/json", "authorization": "Basic x"},
                          timeout)


def _answer(body: bytes, status: str = "200 OK", extra: str = "") -> bytes:
    return (f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{extra}"
            f"content-length: {len(body)}\r\n\r\n").encode() + body


def test_an_answer_of_known_length_on_one_kept_connection(serve: Callable[[Script], Server]
                                                          ) -> None:
    server = serve(lambda conn, n: conn.sendall(_answer(b'{"n":%d}' % n)))
    assert _post(server) == (200, b'{"n":1}')
    assert _post(server) == (200, b'{"n":2}')
    assert server.connections == 1
    request = server.requests[0]
    assert request.startswith(b"POST /i/_search?filter_path=took HTTP/1.1\r\n")
    assert b"\r\nauthorization: Basic x\r\n" in request
    assert b"\r\ncontent-length: 10\r\n" in request
    assert request.endswith(b'\r\n\r\n{"size":0}')


def test_a_chunked_answer_split_across_reads(serve: Callable[[Script], Server]) -> None:
    body = "{\"name\":\"Nguyễn Văn Tư\"}".encode()

    def chunked(conn: socket.socket, n: int) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for at in range(0, len(body), 7):
            piece = body[at:at + 7]
            conn.sendall(b"%x;ext=1\r\n" % len(piece) + piece + b"\r\n")
        conn.sendall(b"0\r\nx-trailer: 1\r\n\r\n")

    server = serve(chunked)
    assert _post(server) == (200, body)
    assert _post(server) == (200, body)
    assert server.connections == 1


def test_a_large_answer(serve: Callable[[Script], Server]) -> None:
    body = b"[" + b",".join(b'"%06d"' % i for i in range(200_000)) + b"]"
    server = serve(lambda conn, n: conn.sendall(_answer(body)))
    assert _post(server) == (200, body)


def test_another_status_is_read_and_the_connection_kept(serve: Callable[[Script], Server]
                                                        ) -> None:
    server = serve(lambda conn, n: conn.sendall(
        _answer(b'{"error":{}}', "404 Not Found") if n == 1 else _answer(b"{}")))
    assert _post(server) == (404, b'{"error":{}}')
    assert _post(server) == (200, b"{}")
    assert server.connections == 1


def test_connection_close_is_obeyed(serve: Callable[[Script], Server]) -> None:
    def answer_and_close(conn: socket.socket, n: int) -> None:
        conn.sendall(_answer(b"{}", extra="connection: close\r\n"))
        conn.shutdown(socket.SHUT_RDWR)

    server = serve(answer_and_close)
    assert _post(server) == (200, b"{}")
    assert _post(server) == (200, b"{}")
    assert server.connections == 2


def test_a_kept_connection_the_server_closed_is_replaced_once(
        serve: Callable[[Script], Server]) -> None:
    def close_after_first(conn: socket.socket, n: int) -> None:
        if n == 2:  # as a server does with an idle connection: closed, no answer
            conn.shutdown(socket.SHUT_RDWR)
            conn.close()
            return
        conn.sendall(_answer(b'{"n":%d}' % n))

    server = serve(close_after_first)
    assert _post(server) == (200, b'{"n":1}')
    assert _post(server) == (200, b'{"n":3}')  # request 2 was lost with its connection
    assert server.connections == 2


@pytest.mark.parametrize("reply", [
    b"SSH-2.0-OpenSSH_9.2\r\n\r\n",  # not HTTP
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{}",  # no length, no chunks
    b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",  # a bad chunk size
    b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}{}",  # more than it said
])
def test_what_it_cannot_read_is_none(serve: Callable[[Script], Server], reply: bytes) -> None:
    server = serve(lambda conn, n: conn.sendall(reply))
    assert _post(server) is None
    assert http_wire._connections() == {}  # and that connection is not kept


def test_no_server_is_none() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert http_wire.post("127.0.0.1", port, "/", b"{}", {}, 1.0) is None


def test_a_timeout_is_none_and_not_sent_again(serve: Callable[[Script], Server]) -> None:
    server = serve(lambda conn, n: None)  # never answers
    assert _post(server, timeout=0.2) is None
    assert len(server.requests) == 1


def test_each_thread_has_its_own_connection(serve: Callable[[Script], Server]) -> None:
    server = serve(lambda conn, n: conn.sendall(_answer(b"{}")))
    answers: list[tuple[int, bytes] | None] = []

    def two() -> None:
        answers.extend([_post(server), _post(server)])
        http_wire.close_all()

    threads = [threading.Thread(target=two) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [(200, b"{}")] * 6
    assert server.connections == 3
