"""Certificate issue latency for 1, 20 and 500 matches, over HTTP; then for 1, 4 and 16
clients asking at once (``--clients``).

    set -a; . benchmarks/bench.env; set +a
    .venv/bin/regsearch api &            # the benchmark API on port 8100
    .venv/bin/python -m benchmarks.bench_certificates
    .venv/bin/python -m benchmarks.bench_certificates --clients 1 4 16 --requests 48

Adds, through the registry (and so the change stream), registrations whose grantor
names occur exactly 1, 20 and 500 times, creates a customer account, then issues
certificates for each name and reports p50 / p99 of the whole request (freshness
check, search, snapshot, render, sign, store).
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg

import accounts
from benchmarks.stats import percentile
from core.settings import get_settings
from migrations import runner
from registry.db import connect
from registry.loader import load_lines

NAMES = {1: "Lâm Chứng Nhất", 20: "Lâm Chứng Nhị Thập", 500: "Lâm Chứng Ngũ Bách"}


def _registration(name: str, n: int, matches: int) -> str:
    return json.dumps({
        "registration_number": f"CB{matches:03d}-{n:07d}", "kind": "mortgage",
        "registered_at": "2025-05-05T10:00:00+07:00", "status": "in_force",
        "grantors": [{"party_type": "individual", "name": name, "id_type": "cccd",
                      "id_number": f"0011{matches:03d}{n:05d}"}],
        "secured_parties": [{"party_type": "organization",
                             "name": "Ngân hàng TMCP Ngoại thương Việt Nam",
                             "id_type": "tax_code", "id_number": "0100112437"}],
        "assets": [{"asset_type": "motor_vehicle", "description": "Xe ô tô con",
                    "chassis_number": f"RLCB{matches:03d}X{n:08d}"}],
    }, ensure_ascii=False)



def concurrent(base: str, key: str, clients: int, requests: int) -> dict[str, object]:
    """``requests`` certificates for the 20-match name from ``clients`` threads at once,
    each with its own connection: p50 / p99 of one request, and certificates a second."""
    timings: list[float] = []
    statuses: list[int] = []
    refusals: dict[str, int] = {}
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def one_client(share: int) -> None:
        with httpx.Client(base_url=base, timeout=300, headers={"x-api-key": key}) as client:
            start.wait()
            for _ in range(share):
                began = time.perf_counter()
                response = client.post("/v1/certificates", json={"debtor_name": NAMES[20]})
                took = time.perf_counter() - began
                with lock:
                    timings.append(took)
                    statuses.append(response.status_code)
                    if response.status_code != 201:  # e.g. 503 registry_not_current
                        code = str(response.json().get("error", {}).get("code"))
                        refusals[code] = refusals.get(code, 0) + 1

    shares = [requests // clients + (i < requests % clients) for i in range(clients)]
    began = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one_client, shares))
    wall = time.perf_counter() - began
    return {"clients": clients, "matches": 20, "requests": len(timings),
            "not_201": sum(status != 201 for status in statuses), "refusals": refusals,
            "p50_s": round(statistics.median(timings), 3),
            "p99_s": round(percentile(timings, 0.99), 3),
            "per_s": round(len(timings) / wall, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description="certificate issue latency")
    parser.add_argument("--base-url", default=None)
    parser.add_argument("--repeats", type=int, nargs=3, default=[30, 20, 6],
                        metavar=("ONE", "TWENTY", "FIVE_HUNDRED"))
    parser.add_argument("--clients", type=int, nargs="*", default=[],
                        help="instead: certificates from this many clients at once")
    parser.add_argument("--requests", type=int, default=48,
                        help="with --clients: certificates per level")
    args = parser.parse_args()
    settings = get_settings()
    base = args.base_url or f"http://127.0.0.1:{settings.api_port}"
    lines = [_registration(name, n, matches) for matches, name in NAMES.items()
             for n in range(matches)]
    with connect() as conn:
        load_lines(lines, conn, batch_size=500)
    runner.upgrade(settings.app_dsn)  # as `make services` does: `regsearch db upgrade`
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        key = accounts.issue_key(conn, accounts.create_account(
            conn, "Ngân hàng đo hiệu năng (benchmark)", "customer"))
    if args.clients:
        for clients in args.clients:
            print(json.dumps(concurrent(base, key, clients, max(args.requests, clients))),
                  flush=True)
        return
    results = []
    with httpx.Client(base_url=base, timeout=120, headers={"x-api-key": key}) as client:
        for (matches, name), repeats in zip(NAMES.items(), args.repeats, strict=True):
            timings = []
            for _ in range(repeats):
                started = time.perf_counter()
                response = client.post("/v1/certificates", json={"debtor_name": name})
                timings.append(time.perf_counter() - started)
                response.raise_for_status()
                assert response.json()["exact_count"] == matches, response.json()
            pdf = client.get(f"/v1/certificates/{response.json()['number']}.pdf").content
            results.append({"matches": matches, "requests": repeats,
                            "p50_s": round(statistics.median(timings), 3),
                            "p99_s": round(percentile(timings, 0.99), 3),
                            "pdf_kib": round(len(pdf) / 1024)})
            print(json.dumps(results[-1]), flush=True)


if __name__ == "__main__":
    main()
