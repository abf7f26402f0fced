"""The latency benchmark's load: connections counted per serving process, and
Elasticsearch's request cache off while it runs."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from benchmarks.latency_load import connection_split, without_request_cache


def test_connections_accepted_by_this_process_are_counted_for_it() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        accepted = [server.accept()[0] for _ in clients]
        try:
            assert connection_split(port) == [3]  # the clients' own ends are not counted
        finally:
            for sock in clients + accepted:
                sock.close()


@pytest.mark.services
def test_the_request_cache_is_off_meanwhile_and_its_setting_put_back(
        es_client: Any, settings: Any) -> None:
    index = f"{settings.index_alias}-v0-request-cache-test"
    setting = "index.requests.cache.enable"
    es_client.options(ignore_status=404).indices.delete(index=index)
    es_client.indices.create(index=index)

    def value() -> Any:
        found = es_client.indices.get_settings(index=index, flat_settings=True)
        return found[index]["settings"].get(setting)

    try:
        with without_request_cache(index):
            assert value() == "false"
        assert value() is None  # unset again, not "true"
        es_client.indices.put_settings(index=index, settings={setting: False})
        with without_request_cache(index):
            assert value() == "false"
        assert value() == "false"
    finally:
        es_client.indices.delete(index=index)
