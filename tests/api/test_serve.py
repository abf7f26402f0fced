"""Several API workers share a listening socket with TCP_NODELAY set (accepted sockets
inherit it), so a kept-alive connection never waits for the client's delayed ACK."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from api import serve


def test_the_shared_socket_of_several_workers_has_nodelay(
        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    class Recorder:
        def __init__(self, config: Any, sockets: list[socket.socket]) -> None:
            seen["workers"] = config.workers
            seen["nodelay"] = [s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
                               for s in sockets]

        def run(self) -> None:
            seen["ran"] = True

    monkeypatch.setattr(serve, "Multiprocess", Recorder)
    serve.serve("127.0.0.1", 0, workers=2)
    assert seen == {"workers": 2, "nodelay": [1], "ran": True}
