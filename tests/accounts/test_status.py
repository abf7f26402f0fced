"""An account's status: changes recorded with their reasons, idempotent, one at a time."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

pytestmark = pytest.mark.services
AT = datetime(2027, 2, 1, 1, 0, tzinfo=UTC)
REASON = {"reason_code": "fee_unpaid", "reason_vi": "Chưa nộp phí thông báo TB-1.",
          "reason_en": "Statement TB-1 unpaid.", "actor": "billing"}


def _account(role: str = "customer", agency_kind: str | None = None) -> int:
    import accounts

    with psycopg.connect(os.environ["REGSEARCH_APP_DSN"], autocommit=True) as conn:
        return accounts.create_account(conn, "Ngân hàng / bank", role,  # type: ignore[arg-type]
                                       agency_kind=agency_kind)


def test_a_change_is_recorded_once_with_its_reason(app_database: str) -> None:
    from accounts import status

    account = _account()
    with psycopg.connect(os.environ["REGSEARCH_APP_DSN"]) as conn:
        assert status.current(conn, account).status == "active"
        assert status.change(conn, account, "suspended", at=AT, **REASON) is True
        assert status.change(conn, account, "suspended", at=AT, **REASON) is False
        conn.commit()
        now = status.current(conn, account)
    assert now == status.StatusRecord("suspended", AT, "fee_unpaid",
                                      "Chưa nộp phí thông báo TB-1.", "Statement TB-1 unpaid.")
    with psycopg.connect(os.environ["REGSEARCH_APP_DSN"]) as conn:
        assert [h["status"] for h in status.history(conn, account)] == ["active", "suspended"]


def test_two_changes_at_once_record_one_row(app_database: str) -> None:
    from accounts import status

    account = _account()
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def one() -> None:
        with psycopg.connect(os.environ["REGSEARCH_APP_DSN"]) as conn:
            barrier.wait(timeout=20)
            results.append(status.change(conn, account, "closed", at=AT, **REASON))
            conn.commit()

    threads = [threading.Thread(target=one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [False, False, False, True]
    with psycopg.connect(os.environ["REGSEARCH_APP_DSN"]) as conn:
        assert [h["status"] for h in status.history(conn, account)] == ["active", "closed"]


def test_agencies_are_never_suspended_for_fees(app_database: str) -> None:
    from accounts import status

    account = _account("agency", "court")
    with psycopg.connect(os.environ["REGSEARCH_APP_DSN"]) as conn:
        with pytest.raises(status.AgencyNotSuspendableError):
            status.change(conn, account, "suspended", at=AT, **REASON)
        conn.rollback()
        by_hand: dict[str, Any] = {**REASON, "reason_code": "manual"}
        assert status.change(conn, account, "suspended", at=AT, **by_hand) is True


def test_unknown_account_and_bad_status(app_database: str) -> None:
    from accounts import status

    with psycopg.connect(os.environ["REGSEARCH_APP_DSN"]) as conn:
        with pytest.raises(status.UnknownAccountError):
            status.change(conn, 10**12, "closed", at=AT, **REASON)
        with pytest.raises(status.UnknownAccountError):
            status.current(conn, 10**12)
        with pytest.raises(ValueError):
            status.change(conn, 1, "gone", at=AT, **REASON)  # type: ignore[arg-type]
