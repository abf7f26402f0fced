"""Client references on the monthly statement: each usage line shows the customer's own
reference beside ours (real PostgreSQL, the statement's real PDF)."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from billing import jobs
from billing.periods import VN_TZ, parse_as_of
from tests.billing.conftest import Customer, charge, make_customer

pytestmark = pytest.mark.services


def _use(dsn: str, bank: Customer, at: datetime, reference: str, client_reference: str | None,
         kind: str = "certificate", rows: int = 1) -> None:
    """A line as the API writes it (``accounts.record_usage``; the ledger is append-only,
    so dated ``at`` as it is written)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO usage_ledger (account_id, kind, criterion, reference, rows, fee_vnd,"
            " client_reference, at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (bank.id, kind, "debtor_name" if kind == "certificate" else None, reference, rows,
             30_000 if kind == "certificate" else 100 * rows, client_reference, at))


def test_each_line_of_the_statement_shows_its_client_reference(
        app_db: str, settings: Any, tmp_path: Path) -> None:
    bank = make_customer(app_db, "Ngân hàng TMCP Tham Chiếu")
    try:
        _use(app_db, bank, datetime(2026, 11, 4, 9, 0, tzinfo=VN_TZ), "CN-2026-00000031",
             "HĐTD-2026/00123")
        _use(app_db, bank, datetime(2026, 11, 9, 14, 0, tzinfo=VN_TZ),
             "7a1c0f9e-2b3d-4e5f-8a9b-0c1d2e3f4a5b", "Sổ vay Q4 (chi nhánh Hà Nội)",
             kind="batch", rows=250)
        charge(app_db, bank, "Trần Văn Bình", datetime(2026, 11, 20, tzinfo=VN_TZ),
               reference="CN-2026-00000032")  # no client reference
        jobs.run_month(settings, parse_as_of("2026-12-01"))
        with psycopg.connect(app_db, autocommit=True) as conn:
            [(pdf, snapshot)] = conn.execute(
                "SELECT pdf, snapshot FROM statements WHERE account_id = %s",
                (bank.id,)).fetchall()
        lines = json.loads(bytes(snapshot))["lines"]
        assert [line.get("client_reference") for line in lines] == [
            "HĐTD-2026/00123", "Sổ vay Q4 (chi nhánh Hà Nội)", None]
        assert "client_reference" not in lines[2]  # as lines were stored before
        path = tmp_path / "statement.pdf"
        path.write_bytes(bytes(pdf))
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                              capture_output=True, text=True, timeout=60).stdout
        for shown in ("HĐTD-2026/00123", "Sổ vay Q4", "Tham chiếu", "Your ref.",
                      "CN-2026-00000031", "CN-2026-00000032"):
            assert shown in text, shown
        # a picture of the page, to look at (tmp_path/statement-1.png)
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(path),
                        str(tmp_path / "statement")], check=True, timeout=60)
        assert any(tmp_path.glob("statement-*.png"))
    finally:
        bank.clear_mail()
