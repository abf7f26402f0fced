"""A minimal HTTP/1.1 keep-alive POST, for the searches of the hot path.

urllib3 (over the standard library's ``http.client``) spends about 0.17 ms of CPU on a
request before Elasticsearch sees it and after it answers: header objects, the response
parsed line by line through ``email.parser``, pool bookkeeping. This writes the request
in one ``sendall`` and reads the answer by its ``content-length`` or its chunks: about
0.02 ms. A name search makes two such requests, a number search one.

It speaks only what Elasticsearch answers a search with, over plain HTTP: a status line,
headers, then a body of known length or chunked. One connection per thread and
server, kept open. :func:`post` answers ``(status, body)``, or None when anything went
wrong (a connection refused, reset or timed out, an answer it does not read); the
connection is then closed and the caller sends the request its usual way, which
answers or raises as it always does. A connection reused after an idle time may have
been closed by the server; the request is then sent once more on a fresh connection
(searches are reads, so sending one twice changes nothing).
"""

from __future__ import annotations

import os
import socket
import threading

_READ = 262144
_HEAD_END = b"\r\n\r\n"
_LINE_END = b"\r\n"
#: The most header bytes an answer may have (Elasticsearch's are a few hundred).
_MAX_HEAD = 65536


class WireError(Exception):
    """The answer could not be read as HTTP/1.1."""


class _Connection:
    def __init__(self, host: str, port: int, timeout: float | None) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = bytearray()

    def close(self) -> None:
        self.sock.close()

    def _fill(self) -> None:
        chunk = self.sock.recv(_READ)
        if not chunk:
            raise WireError("the server closed the connection")
        self.buffer += chunk

    def _take_until(self, marker: bytes, limit: int) -> bytes:
        start = 0
        while True:
            at = self.buffer.find(marker, start)
            if at >= 0:
                found = bytes(self.buffer[:at])
                del self.buffer[:at + len(marker)]
                return found
            if len(self.buffer) > limit:
                raise WireError("no end of line where one was due")
            start = max(0, len(self.buffer) - len(marker) + 1)
            self._fill()

    def _take(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._fill()
        found = bytes(self.buffer[:size])
        del self.buffer[:size]
        return found

    def exchange(self, request: bytes) -> tuple[int, bytes, bool]:
        """Send a request, read its answer: (status, body, whether to keep the
        connection)."""
        self.sock.sendall(request)
        head = self._take_until(_HEAD_END, _MAX_HEAD).decode("latin-1")
        status_line, _, header_text = head.partition("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise WireError(f"not an HTTP/1.1 status line: {status_line[:80]!r}")
        status = int(parts[1])
        length: int | None = None
        chunked = False
        keep = parts[0] == "HTTP/1.1"
        for line in header_text.split("\r\n"):
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                chunked = "chunked" in value.lower()
            elif name == "connection":
                option = value.strip().lower()
                if option in ("close", "keep-alive"):
                    keep = option == "keep-alive"
        if chunked:
            body = self._chunks()
        elif length is not None:
            body = self._take(length)
        else:
            raise WireError("an answer with neither a length nor chunks")
        if self.buffer:
            raise WireError("bytes after the answer")
        return status, body, keep

    def _chunks(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int(self._take_until(_LINE_END, 1024).split(b";", 1)[0], 16)
            if size == 0:
                while self._take_until(_LINE_END, _MAX_HEAD):  # trailers, then a blank line
                    pass
                return b"".join(parts)
            parts.append(self._take(size))
            if self._take(2) != _LINE_END:
                raise WireError("a chunk without its line end")


class _Open(threading.local):
    def __init__(self) -> None:
        self.pid = os.getpid()
        self.connections: dict[tuple[str, int], _Connection] = {}


_open = _Open()


def _connections() -> dict[tuple[str, int], _Connection]:
    if _open.pid != os.getpid():  # a forked child never shares its parent's sockets
        _open.pid = os.getpid()
        _open.connections = {}
    return _open.connections


def request_bytes(host: str, port: int, target: str, body: bytes,
                  headers: dict[str, str]) -> bytes:
    lines = [f"POST {target} HTTP/1.1", f"host: {host}:{port}",
             f"content-length: {len(body)}"]
    lines.extend(f"{name}: {value}" for name, value in headers.items()
                 if name.lower() not in ("host", "content-length", "transfer-encoding"))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def post(host: str, port: int, target: str, body: bytes, headers: dict[str, str],
         timeout: float | None) -> tuple[int, bytes] | None:
    """(status, body) of a POST, or None when it could not be sent or read."""
    try:
        request = request_bytes(host, port, target, body, headers)
    except UnicodeEncodeError:
        return None
    connections = _connections()
    key = (host, port)
    for _ in range(2):
        connection = connections.pop(key, None)
        reused = connection is not None
        try:
            if connection is None:
                connection = _Connection(host, port, timeout)
            status, answer, keep = connection.exchange(request)
        except TimeoutError:  # not sent again: the caller's way has its own timeout
            if connection is not None:
                connection.close()
            return None
        except (OSError, WireError, ValueError):
            if connection is not None:
                connection.close()
            if reused:
                continue  # the server may have closed an idle connection: once more
            return None
        if keep:
            connections[key] = connection
        else:
            connection.close()
        return status, answer
    return None


def close_all() -> None:
    """Close this thread's connections."""
    for connection in _connections().values():
        connection.close()
    _open.connections = {}
