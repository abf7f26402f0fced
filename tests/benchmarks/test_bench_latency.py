"""The latency benchmark reports how its connections are spread over the API's workers."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from benchmarks.bench_latency import render
from benchmarks.latency_load import connection_split


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


def test_the_table_shows_the_split() -> None:
    run = {"criterion": "id_number", "workers": 2, "p50_ms": 15.0, "p99_ms": 30.0,
           "max_ms": 40.0, "throughput_rps": 500.0, "status_errors": 0, "connect_errors": 0,
           "read_errors": 0, "timeouts": 0, "api_cpu_ms_per_request": 2.2,
           "machine_cpu_pct": 90.0, "wrk_cpu_pct_of_one_core": 2.0,
           "connections_per_worker": [5, 3]}
    table = render({"runs": [run, {**run, "connections_per_worker": []}]})
    assert table.splitlines()[2].endswith("| 5/3 |")
    assert table.splitlines()[3].endswith("| – |")


@pytest.mark.services
def test_the_request_cache_is_off_meanwhile_and_its_setting_put_back(
        es_client: Any, settings: Any) -> None:
    from benchmarks.latency_load import without_request_cache

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
