"""``regsearch billing …`` as an operator runs it, with ``--as-of`` setting the clock."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from billing.periods import VN_TZ
from tests.billing.conftest import app_db, charge, make_customer  # noqa: F401 (fixture)
from tests.conftest import REPO

pytestmark = pytest.mark.services


def _billing(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "regsearch.cli", "billing", *args],
                          capture_output=True, text=True, timeout=180, cwd=REPO, check=False)


def test_month_daily_statements_and_pdf(app_db: str, tmp_path: Path) -> None:  # noqa: F811
    bank = make_customer(app_db, "Ngân hàng Dòng lệnh Tháng")
    charge(app_db, bank, "Trần Văn Bình", datetime(2026, 11, 3, tzinfo=VN_TZ))
    try:
        first = _billing("run-month", "--as-of", "2026-12-01")
        assert first.returncode == 0, first.stderr
        number = re.search(r"TBP-2026-11-\d{6}", first.stdout)
        assert number and "e-mails sent: 1" in first.stdout
        again = _billing("run-month", "--as-of", "2026-12-01")
        assert again.returncode == 0 and "0 thông báo" in again.stdout
        assert "e-mails sent: 0" in again.stdout
        daily = _billing("daily", "--as-of", "2027-01-01")
        assert daily.returncode == 0 and f"suspended: {bank.code}" in daily.stdout
        listed = _billing("statements", "--account", bank.code)
        assert number.group(0) in listed.stdout and "thư/mail 1/1" in listed.stdout
        out = tmp_path / "s.pdf"
        assert _billing("pdf", number.group(0), str(out)).returncode == 0
        assert out.read_bytes().startswith(b"%PDF")
        wrong = _billing("daily", "--as-of", "01/12/2026")
        assert wrong.returncode == 2 and "không hợp lệ" in wrong.stderr
        assert "not a valid" in wrong.stderr
    finally:
        bank.clear_mail()
