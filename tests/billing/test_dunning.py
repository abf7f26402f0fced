"""Suspension, lifting and closure for unpaid fees, with a set clock (``as_of``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import psycopg
import pytest

from billing import jobs, payments
from billing.periods import VN_TZ, parse_as_of
from tests.billing.conftest import Customer, charge, make_customer, status_of

pytestmark = pytest.mark.services


def _pay(dsn: str, settings: Any, bank: Customer, amount: int, reference: str,
         at: str) -> payments.Recorded:
    with psycopg.connect(dsn) as conn, conn.transaction():
        return payments.record(conn, settings, code=bank.code, amount=amount,
                               reference=reference, received_at=parse_as_of(at), actor="test")


def _statement_number(dsn: str, bank: Customer) -> str:
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute("SELECT number FROM statements WHERE account_id = %s"
                           " ORDER BY period_start LIMIT 1", (bank.id,)).fetchone()
    assert row is not None
    return str(row[0])


def test_unpaid_after_the_due_date_suspends_and_paying_it_all_lifts_at_once(
        app_db: str, settings: Any) -> None:
    bank = make_customer(app_db, "Ngân hàng TMCP Chậm trả")
    try:
        for day in (3, 4):
            charge(app_db, bank, "Trần Văn Bình", datetime(2026, 11, day, tzinfo=VN_TZ))
        jobs.run_month(settings, parse_as_of("2026-12-01"))
        number = _statement_number(app_db, bank)
        # due 31/12/2026: not yet on the due day itself
        assert jobs.daily(settings, parse_as_of("2026-12-31T23:00")).changes == {}
        assert status_of(app_db, bank).status == "active"
        done = jobs.daily(settings, parse_as_of("2027-01-01"))
        assert done.changes == {"suspended": [bank.code]}
        now = status_of(app_db, bank)
        assert (now.status, now.reason_code) == ("suspended", "fees_unpaid")
        assert number in now.reason_vi and "60.000 đồng" in now.reason_vi
        assert number in now.reason_en and "VND 60,000" in now.reason_en
        assert settings.billing_pay_to in now.reason_vi and bank.code in now.reason_en
        assert jobs.daily(settings, parse_as_of("2027-01-02")).changes == {}  # idempotent
        # part of the debt: still suspended; the rest: lifted in the payment's transaction
        part = _pay(app_db, settings, bank, 20_000, "UNC 0001", "2027-01-05")
        assert (part.outstanding_vnd, part.lifted) == (40_000, False)
        assert status_of(app_db, bank).status == "suspended"
        rest = _pay(app_db, settings, bank, 40_000, "UNC 0002", "2027-01-06")
        assert (rest.outstanding_vnd, rest.lifted) == (0, True)
        now = status_of(app_db, bank)
        assert (now.status, now.reason_code) == ("active", "fees_paid")
        assert "UNC 0002" in now.reason_vi
        # the same reference again is the same payment, not a second one
        again = _pay(app_db, settings, bank, 40_000, "UNC 0002", "2027-01-06")
        assert again.already_recorded and again.payment_id == rest.payment_id
        with pytest.raises(payments.PaymentProblem) as caught:
            _pay(app_db, settings, bank, 41_000, "UNC 0002", "2027-01-06")
        assert (caught.value.field, caught.value.rule) == ("reference", "reference_used")
    finally:
        bank.clear_mail()


def test_payments_go_to_the_oldest_statement_and_a_surplus_is_carried(
        app_db: str, settings: Any) -> None:
    bank = make_customer(app_db, "Công ty Luật Thử nghiệm")
    try:
        charge(app_db, bank, "Trần Văn Bình", datetime(2026, 11, 3, tzinfo=VN_TZ))
        jobs.run_month(settings, parse_as_of("2026-12-01"))
        charge(app_db, bank, "Phạm Thị Hoa", datetime(2026, 12, 3, tzinfo=VN_TZ), fee=50_000)
        jobs.run_month(settings, parse_as_of("2027-01-01"))
        paid = _pay(app_db, settings, bank, 100_000, "UNC 7", "2027-01-03")
        assert (paid.allocated_vnd, paid.outstanding_vnd) == (80_000, 0)
        with psycopg.connect(app_db, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT s.charges_vnd, a.amount_vnd FROM payment_allocations a JOIN statements s"
                " ON s.id = a.statement_id WHERE s.account_id = %s ORDER BY s.period_start",
                (bank.id,)).fetchall()
        assert rows == [(30_000, 30_000), (50_000, 50_000)]
        # the 20,000 left over is a credit: the next statement shows it and uses it
        charge(app_db, bank, "Phạm Thị Hoa", datetime(2027, 1, 3, tzinfo=VN_TZ))
        jobs.run_month(settings, parse_as_of("2027-02-01"))
        with psycopg.connect(app_db, autocommit=True) as conn:
            last = conn.execute(
                "SELECT brought_forward_vnd, payments_vnd, charges_vnd, amount_due_vnd,"
                " (SELECT sum(amount_vnd) FROM payment_allocations a WHERE a.statement_id = s.id)"
                " FROM statements s WHERE account_id = %s ORDER BY period_start DESC LIMIT 1",
                (bank.id,)).fetchone()
        assert last == (80_000, 100_000, 30_000, 10_000, 20_000)
    finally:
        bank.clear_mail()


def test_suspended_for_three_months_is_closed(app_db: str, settings: Any) -> None:
    bank = make_customer(app_db, "Ngân hàng Không trả")
    try:
        charge(app_db, bank, "Trần Văn Bình", datetime(2026, 11, 3, tzinfo=VN_TZ))
        jobs.run_month(settings, parse_as_of("2026-12-01"))
        jobs.daily(settings, parse_as_of("2027-01-01"))
        assert status_of(app_db, bank).status == "suspended"
        assert jobs.daily(settings, parse_as_of("2027-03-31")).changes == {}
        done = jobs.daily(settings, parse_as_of("2027-04-01"))
        assert done.changes == {"closed": [bank.code]}
        now = status_of(app_db, bank)
        assert (now.status, now.reason_code) == ("closed", "fees_unpaid_closed")
        assert "01/01/2027" in now.reason_vi and "30.000 đồng" in now.reason_vi
        # paying afterwards does not reopen a closed account (the staff do)
        assert not _pay(app_db, settings, bank, 30_000, "UNC 9", "2027-04-02").lifted
        assert status_of(app_db, bank).status == "closed"
        assert jobs.daily(settings, parse_as_of("2027-05-01")).changes == {}
    finally:
        bank.clear_mail()


def test_agencies_and_suspensions_by_hand_are_left_alone(app_db: str, settings: Any) -> None:
    from accounts import status

    court = make_customer(app_db, "Viện kiểm sát nhân dân tối cao", role="agency",
                          agency_kind="procuracy")
    bank = make_customer(app_db, "Ngân hàng Bị tạm ngừng tay")
    try:
        charge(app_db, court, "Trần Văn Bình", datetime(2026, 11, 3, tzinfo=VN_TZ), fee=0)
        charge(app_db, bank, "Trần Văn Bình", datetime(2026, 11, 3, tzinfo=VN_TZ))
        jobs.run_month(settings, parse_as_of("2026-12-01"))
        with psycopg.connect(app_db) as conn, conn.transaction():
            status.change(conn, bank.id, "suspended", reason_code="staff_hold",
                          reason_vi="Tạm ngừng theo yêu cầu.", reason_en="Held on request.",
                          actor="staff", at=parse_as_of("2026-12-02"))
        for day in range(0, 200, 40):
            jobs.daily(settings, parse_as_of("2027-01-01") + timedelta(days=day))
        assert status_of(app_db, court).status == "active"
        held = status_of(app_db, bank)
        assert (held.status, held.reason_code) == ("suspended", "staff_hold")
        assert not _pay(app_db, settings, bank, 30_000, "UNC 1", "2027-01-02").lifted
        assert status_of(app_db, bank).reason_code == "staff_hold"
        with pytest.raises(payments.PaymentProblem) as caught:
            _pay(app_db, settings, court, 30_000, "UNC 2", "2027-01-02")
        assert caught.value.rule == "account_not_customer"
    finally:
        bank.clear_mail()
        court.clear_mail()
