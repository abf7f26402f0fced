"""``POST /v1/staff/payments`` and ``regsearch billing pay``: whole đồng only, 422 naming
the field (Vietnamese and English) and nothing written otherwise; staff only. An account's
users read its statements (``GET /v1/account/statements``)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from billing import jobs
from billing.periods import VN_TZ, parse_as_of
from tests.billing.conftest import Customer, charge, make_customer
from tests.conftest import REPO

pytestmark = pytest.mark.services


@pytest.fixture()
def client(app_db: str) -> Iterator[TestClient]:
    from core.settings import Settings
    from server.app import create_app

    with TestClient(create_app(Settings())) as found:
        yield found


def _key(dsn: str, account_id: int) -> str:
    from accounts import keys

    with psycopg.connect(dsn, autocommit=True) as conn:
        return keys.issue_key(conn, account_id)


@pytest.fixture()
def staff_key(app_db: str) -> str:
    from accounts import records

    with psycopg.connect(app_db, autocommit=True) as conn:
        staff = records.create_account(conn, "Cục Đăng ký quốc gia GDBĐ — Phòng Kế toán",
                                       "admin")
    return _key(app_db, staff)


def _written(dsn: str) -> tuple[Any, ...]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute("SELECT (SELECT count(*) FROM payments),"
                           " (SELECT count(*) FROM payment_allocations)").fetchone()
    assert row is not None
    return tuple(row)


@pytest.mark.parametrize(("amount", "rule"), [
    (-30000, "not_positive"), (0, "not_positive"), (30000.5, "not_whole_dong"),
    ("30000", "not_a_number"), (None, "not_a_number"), (True, "not_a_number"),
])
def test_a_bad_amount_is_refused_with_the_field_named_and_nothing_written(
        client: TestClient, staff_key: str, app_db: str, amount: Any, rule: str) -> None:
    bank = make_customer(app_db, "Ngân hàng Thanh toán sai")
    before = _written(app_db)
    response = client.post("/v1/staff/payments", headers={"x-api-key": staff_key},
                           json={"account": bank.code, "amount_vnd": amount,
                                 "reference": "UNC 1"})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    [found] = error["problems"]
    assert (found["field"], found["rule"]) == ("amount_vnd", rule)
    assert "amount_vnd" in error["message_vi"] and "amount_vnd" in error["message_en"]
    assert found["message_vi"] != found["message_en"]
    assert _written(app_db) == before


@pytest.mark.parametrize(("body", "field"), [
    ({"account": "KH999999", "amount_vnd": 1000, "reference": "UNC 1"}, "account"),
    ({"amount_vnd": 1000, "reference": "UNC 1"}, "account"),
    ({"account": "{code}", "amount_vnd": 1000, "reference": " "}, "reference"),
    ({"account": "{code}", "amount_vnd": 1000, "reference": "UNC", "received_at": "hôm qua"},
     "received_at"),
    ({"account": "{code}", "amount_vnd": 1000, "reference": "UNC", "note": "x"}, "note"),
])
def test_other_bad_fields_are_named(client: TestClient, staff_key: str, app_db: str,
                                    body: dict[str, Any], field: str) -> None:
    bank = make_customer(app_db, "Ngân hàng Trường sai")
    body = {k: v.format(code=bank.code) if isinstance(v, str) else v for k, v in body.items()}
    response = client.post("/v1/staff/payments", headers={"x-api-key": staff_key}, json=body)
    assert response.status_code == 422, response.text
    assert [p["field"] for p in response.json()["error"]["problems"]] == [field]
    assert _written(app_db) == (0, 0)


def test_only_the_staff_record_payments_and_users_see_their_statements(
        client: TestClient, staff_key: str, app_db: str, settings: Any) -> None:
    bank = make_customer(app_db, "Ngân hàng Có thông báo")
    other = make_customer(app_db, "Ngân hàng Khác")
    try:
        charge(app_db, bank, "Trần Văn Bình", datetime(2026, 11, 3, tzinfo=VN_TZ))
        charge(app_db, other, "Trần Văn Bình", datetime(2026, 11, 3, tzinfo=VN_TZ))
        jobs.run_month(settings, parse_as_of("2026-12-01"), send=False)
        bank_key = _key(app_db, bank.id)
        body = {"account": bank.code, "amount_vnd": 30000, "reference": "UNC 42",
                "received_at": "2026-12-05T10:00"}
        refused = client.post("/v1/staff/payments", headers={"x-api-key": bank_key}, json=body)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "staff_only"
        assert _written(app_db) == (0, 0)

        listed = client.get("/v1/account/statements", headers={"x-api-key": bank_key}).json()
        [statement] = listed["statements"]
        charge(app_db, bank, "Phạm Thị Hoa", datetime(2026, 12, 2, tzinfo=VN_TZ))
        account = client.get("/v1/account", headers={"x-api-key": bank_key}).json()
        assert account["balance"] == {
            "owed_vnd": 30_000, "credit_vnd": 0, "unbilled_vnd": 30_000,
            "oldest_unpaid": {"number": statement["number"], "due_on": statement["due_on"]}}
        assert (statement["charges_vnd"], listed["unpaid_vnd"]) == (30_000, 30_000)
        pdf = client.get(statement["pdf"], headers={"x-api-key": bank_key})
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        # another account's users see nothing of it
        other_key = _key(app_db, other.id)
        assert client.get(statement["pdf"], headers={"x-api-key": other_key}).status_code == 404

        paid = client.post("/v1/staff/payments", headers={"x-api-key": staff_key}, json=body)
        assert paid.status_code == 201, paid.text
        assert paid.json()["outstanding_vnd"] == 0 and paid.json()["allocated_vnd"] == 30_000
        again = client.post("/v1/staff/payments", headers={"x-api-key": staff_key}, json=body)
        assert again.status_code == 200 and again.json()["already_recorded"]
        assert _written(app_db) == (1, 1)
        listed = client.get("/v1/account/statements", headers={"x-api-key": bank_key}).json()
        assert listed["unpaid_vnd"] == 0
        account = client.get("/v1/account", headers={"x-api-key": bank_key}).json()
        assert (account["balance"]["owed_vnd"], account["balance"]["oldest_unpaid"]) == (0, None)
    finally:
        bank.clear_mail()
        other.clear_mail()


def _pay(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "regsearch.cli", "billing", "pay", *args],
                          capture_output=True, text=True, timeout=120, cwd=REPO, check=False)


def test_the_command_refuses_bad_amounts_and_records_good_ones(app_db: str) -> None:
    bank: Customer = make_customer(app_db, "Ngân hàng Dòng lệnh")
    for amount, says in (("-5", "lớn hơn 0"), ("0", "greater than zero"),
                         ("12.5", "số nguyên đồng"), ("mười", "digits only")):
        done = _pay("--account", bank.code, "--amount", amount, "--reference", "UNC 5")
        assert done.returncode == 2 and "--amount" in done.stderr and says in done.stderr
    unknown = _pay("--account", "KH999999", "--amount", "5000", "--reference", "UNC 5")
    assert unknown.returncode == 2 and "KH999999" in unknown.stderr
    assert _written(app_db) == (0, 0)
    done = _pay("--account", bank.code, "--amount", "5000", "--reference", "UNC 5",
                "--as-of", "2026-12-03")
    assert done.returncode == 0, done.stderr
    assert "5000 đồng" in done.stdout
    assert _written(app_db) == (1, 0)
