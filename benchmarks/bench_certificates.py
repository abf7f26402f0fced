"""Certificate issue latency for 1, 20 and 500 matches, over HTTP.

    set -a; . benchmarks/bench.env; set +a
    .venv/bin/regsearch api &            # the benchmark API on port 8100
    .venv/bin/python -m benchmarks.bench_certificates

Adds, through the registry (and so the change stream), registrations whose grantor
names occur exactly 1, 20 and 500 times, creates a customer account, then issues
certificates for each name and reports p50 / p99 of the whole request (freshness
check, search, snapshot, render, sign, store).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import httpx
import psycopg

from api import accounts
from benchmarks.stats import percentile
from migrations import runner
from registry.db import connect
from registry.loader import load_lines
from regsearch.settings import get_settings

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



def main() -> None:
    parser = argparse.ArgumentParser(description="certificate issue latency")
    parser.add_argument("--base-url", default=None)
    parser.add_argument("--repeats", type=int, nargs=3, default=[30, 20, 6],
                        metavar=("ONE", "TWENTY", "FIVE_HUNDRED"))
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
