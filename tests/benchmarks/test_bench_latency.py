"""The latency benchmark's table shows how its connections were spread over the API's
workers."""

from __future__ import annotations

from benchmarks.bench_latency import render


def test_the_table_shows_the_split() -> None:
    run = {"criterion": "id_number", "workers": 2, "p50_ms": 15.0, "p99_ms": 30.0,
           "max_ms": 40.0, "throughput_rps": 500.0, "status_errors": 0, "connect_errors": 0,
           "read_errors": 0, "timeouts": 0, "api_cpu_ms_per_request": 2.2,
           "machine_cpu_pct": 90.0, "wrk_cpu_pct_of_one_core": 2.0,
           "connections_per_worker": [5, 3]}
    table = render({"runs": [run, {**run, "connections_per_worker": []}]})
    assert table.splitlines()[2].endswith("| 5/3 |")
    assert table.splitlines()[3].endswith("| – |")
