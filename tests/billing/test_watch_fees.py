"""The monthly watch list fee on the statement, against the real service database: a
customer watching N values gets its own line of N × the fee (PDF and JSON), counted per
distinct value watched at any time in the month; an agency gets none."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing import jobs
from billing.model import StatementSnapshot, WatchCharge
from billing.periods import period_containing
from tests.billing.conftest import Customer, make_customer
from tests.billing.test_statements import pdf_text

NAMES = ["Nguyễn Văn Hùng", "Trần Thị Lan", "Lê Quốc Bảo", "Phạm Minh Tuấn", "Võ Thanh Long"]


@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=0, max_value=10**5))
def test_a_watch_charge_is_entries_times_the_fee(entries: int, fee: int) -> None:
    assert WatchCharge(entries=entries, fee_per_entry_vnd=fee, fee_vnd=entries * fee)
    with pytest.raises(ValueError):
        WatchCharge(entries=entries, fee_per_entry_vnd=fee, fee_vnd=entries * fee + 1)


def _watch(dsn: str, customer: Customer, names: list[str], *, replace: bool = False) -> None:
    from watch import entries

    prepared = [entries.prepare(entries.NewEntry("debtor_name", name, "individual", f"HS-{i}"))
                for i, name in enumerate(names)]
    with psycopg.connect(dsn, autocommit=True) as conn:
        entries.add(conn, customer.id, prepared, 1000, replace=replace)


def _statement(dsn: str, customer: Customer) -> tuple[StatementSnapshot, bytes] | None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute("SELECT snapshot, pdf FROM statements WHERE account_id = %s",
                           (customer.id,)).fetchone()
    if row is None:
        return None
    assert "watch" in json.loads(bytes(row[0]))
    return StatementSnapshot.model_validate_json(bytes(row[0])), bytes(row[1])


@pytest.mark.services
def test_a_customer_pays_n_times_the_fee_and_an_agency_nothing(
        app_db: str, settings: Any, tmp_path: Path) -> None:
    bank = make_customer(app_db, "Ngân hàng Theo dõi Khoản vay")
    court = make_customer(app_db, "Tòa án nhân dân quận Hoàn Kiếm", role="agency",
                          agency_kind="court")
    try:
        _watch(app_db, bank, NAMES[:3])
        _watch(app_db, bank, NAMES[:4], replace=True)  # the same three again, and a fourth
        from watch import entries

        with psycopg.connect(app_db, autocommit=True) as conn:  # watched, then removed
            gone = entries.prepare(entries.NewEntry("debtor_name", NAMES[4], "individual"))
            entries.add(conn, bank.id, [gone], 1000)
            assert entries.remove_matching(conn, bank.id, [gone]) == 1
        _watch(app_db, court, NAMES)
        month = period_containing(datetime.now(UTC))
        done = jobs.run_month(settings, month.end)
        found = _statement(app_db, bank)
        assert found is not None and len(done.statements) == 1
        snapshot, pdf = found
        fee = settings.watch_entry_fee_vnd
        assert snapshot.watch == WatchCharge(entries=5, fee_per_entry_vnd=fee, fee_vnd=5 * fee)
        assert snapshot.charges_vnd == snapshot.amount_due_vnd == 5 * fee
        assert snapshot.lines == ()
        text = pdf_text(pdf, tmp_path)
        for shown in ("Phí theo dõi", "Watch list fee", "5 mục theo dõi",
                      f"{5 * fee:,}".replace(",", ".")):
            assert shown in text, shown
        assert _statement(app_db, court) is None
    finally:
        bank.clear_mail()
        court.clear_mail()


@pytest.mark.services
def test_only_the_values_watched_in_the_month_count(app_db: str, settings: Any) -> None:
    from billing.watch_fees import watched_values

    bank = make_customer(app_db, "Ngân hàng Tháng Trước")
    try:
        _watch(app_db, bank, NAMES[:3])
        month = period_containing(datetime.now(UTC))
        with psycopg.connect(app_db, autocommit=True) as conn:
            ids = [r[0] for r in conn.execute(
                "SELECT entry_id FROM watch_entry_history WHERE account_id = %s"
                " ORDER BY entry_id", (bank.id,)).fetchall()]
            # one removed before the month began, one added only after it ends
            conn.execute("UPDATE watch_entry_history SET added_at = %s, removed_at = %s"
                         " WHERE entry_id = %s", (month.start - timedelta(days=40),
                                                  month.start - timedelta(days=1), ids[0]))
            conn.execute("UPDATE watch_entry_history SET added_at = %s WHERE entry_id = %s",
                         (month.end + timedelta(hours=1), ids[1]))
            assert watched_values(conn, bank.id, month) == 1
        jobs.run_month(settings, month.end)
        found = _statement(app_db, bank)
        assert found is not None and found[0].watch is not None
        assert found[0].watch.entries == 1
    finally:
        bank.clear_mail()
