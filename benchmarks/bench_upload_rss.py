"""Peak and settled RSS of a real API process around the largest uploads it accepts.

Starts ``regsearch api`` on ``--port`` with the current ``REGSEARCH_*`` settings (the
service database must be up: a customer account is created there), uploads each file to
``POST /v1/batches?validate_only=true`` three times and reads the process's VmRSS and
VmHWM (peak) from ``/proc/<pid>/status``:

* CSV: name, ID number and a long ignored column, just under ``batch_max_upload_bytes``
  (at most 100,000 rows);
* XLSX: 100,000 rows of name and ID number.

    python -m benchmarks.bench_upload_rss --port 8122
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg
from openpyxl import Workbook

from core.settings import get_settings

ROWS = 100_000


def _status(pid: int, field: str) -> int:
    """A /proc figure in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) // 1024
    raise KeyError(field)


def big_csv(limit_bytes: int) -> tuple[bytes, int]:
    rng = random.Random(1)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Họ và tên", "Số CCCD/CMND", "Ghi chú"])
    note = "ghi chú dài " * 50
    rows, size = 0, 0
    while rows < ROWS:
        line = [f"Nguyễn Văn {rng.randrange(10**6)}", f"0010{rng.randrange(10**8):08d}", note]
        size += len(",".join(line).encode()) + 2
        if size > limit_bytes - 1024:
            break
        writer.writerow(line)
        rows += 1
    return out.getvalue().encode(), rows


def big_xlsx() -> tuple[bytes, int]:
    rng = random.Random(2)
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["Họ và tên", "Số CCCD/CMND"])
    for _ in range(ROWS):
        sheet.append([f"Nguyễn Văn {rng.randrange(10**6)}", f"0010{rng.randrange(10**8):08d}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), ROWS


def _key() -> str:
    import accounts
    from migrations.runner import upgrade

    upgrade(get_settings().app_dsn)
    with psycopg.connect(get_settings().app_dsn, autocommit=True) as conn:
        account = accounts.create_account(conn, "bench_upload_rss", "customer",
                                          max_batch_rows=ROWS, max_open_batches=5)
        return accounts.issue_key(conn, account)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8122)
    port = parser.parse_args().port
    files = {"big.csv": big_csv(get_settings().batch_max_upload_bytes), "big.xlsx": big_xlsx()}
    key = _key()
    url = f"http://127.0.0.1:{port}"
    api = subprocess.Popen([sys.executable, "-m", "regsearch.cli", "api", "--host",
                            "127.0.0.1", "--port", str(port)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        print(f"API started: RSS {_status(api.pid, 'VmRSS')} MiB")
        for name, (data, rows) in files.items():
            for attempt in range(3):
                began = time.monotonic()
                response = httpx.post(f"{url}/v1/batches", params={"validate_only": "true"},
                                      headers={"x-api-key": key}, timeout=600,
                                      files={"file": (name, data, "application/octet-stream")})
                print(f"{name} {len(data) / 2**20:.1f} MiB, {rows} rows, upload {attempt + 1}: "
                      f"{response.status_code} in {time.monotonic() - began:.1f} s; RSS now "
                      f"{_status(api.pid, 'VmRSS')} MiB, peak {_status(api.pid, 'VmHWM')} MiB",
                      flush=True)
    finally:
        api.terminate()
        api.wait()


if __name__ == "__main__":
    main()
