"""A callback receiver on localhost for the batch callback tests: checks each POST's
HMAC with the secret the submission showed, refuses each delivery's first try (500: it is
retried), keeps the bodies it took."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PORT = 8261


class Receiver(ThreadingHTTPServer):
    """Takes callbacks: refuses the first try of each delivery (500), then checks the
    signature with the secret the submission showed and keeps the body."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", PORT), _Handler)
        self.secrets: dict[str, str] = {}  # delivery id -> secret
        self.tries: dict[str, int] = {}
        self.taken: dict[str, dict[str, Any]] = {}
        self.bad_signatures = 0


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        from core import webhooks

        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        delivery = self.headers.get(webhooks.DELIVERY_HEADER, "")
        server = self.server
        server.tries[delivery] = server.tries.get(delivery, 0) + 1
        secret = server.secrets.get(delivery, "")
        if not webhooks.verify(secret, body, self.headers.get(webhooks.SIGNATURE_HEADER, "")):
            server.bad_signatures += 1
            self.send_response(401)
        elif server.tries[delivery] == 1:
            self.send_response(500)  # the first try fails: retried with back-off
        else:
            server.taken[delivery] = json.loads(body)
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def serve() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
