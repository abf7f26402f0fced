"""Issue 21's first "must show", end to end on the real services (Elasticsearch, PostgreSQL,
the indexer, the API in process, Postfix) with a set clock for the billing jobs: a bank with
an administrator and two users; both users issue certificates; the month ends; exactly one
statement lists both users' certificates with the right totals, its PDF text shows them, and
exactly one e-mail arrives with the PDF attached; 30 days pass unpaid: certificates and
batches are refused with a 403 naming the statement, the amount and how to pay, while search
still answers; a payment serves them again at once; 3 months suspended: closed, keys
refused.

The certificates are issued now (the API's clock is the machine's); the jobs run at the
dates that follow (``as_of``), as the scheduler would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from billing import jobs
from billing.periods import add_months, local_date, local_midnight, period_containing
from tests import inbox
from tests.api.test_search_end_to_end import REGISTRATION, commit, numbers
from tests.billing.test_statements import pdf_text
from tests.conftest import wait_until

pytestmark = pytest.mark.services

SEARCHES = [{"debtor_name": "Nguyen Thi Nhu Quynh"}, {"id_number": "001190012345"},
            {"chassis_number": "RLHJC5218HY012345"}]


def _bank(dsn: str) -> dict[str, Any]:
    from accounts import keys, records, users

    contact = inbox.address("ketoan", "vietcombank.example")
    with psycopg.connect(dsn, autocommit=True) as conn:
        bank = records.create_account(
            conn, "Ngân hàng TMCP Ngoại thương Việt Nam — Chi nhánh Thành Công", "customer",
            tax_code="0100112437", address="198 Trần Quang Khải, Hà Nội",
            contact_emails=[contact], admin_name="Lê Thị Quản Trị",
            admin_email=inbox.address("quantri"))
        staff = records.create_account(conn, "Cục Đăng ký — Phòng Kế toán", "admin")
        ids = {name: users.add_user(conn, bank, name=name, email=inbox.address(tag)).id
               for name, tag in (("Trần Văn Bình", "binh"), ("Phạm Thị Hoa", "hoa"))}
        return {"id": bank, "code": records.get(conn, bank).code, "contact": contact,
                "keys": {name: keys.issue_key(conn, bank, uid) for name, uid in ids.items()},
                "staff": keys.issue_key(conn, staff)}


def _certify(client: TestClient, key: str, body: dict[str, Any]) -> Any:
    return client.post("/v1/certificates", json=body, headers={"x-api-key": key})


def test_statement_email_suspension_payment_and_closure(
        api_client: TestClient, settings: Any, tmp_path: Path) -> None:
    client = api_client
    commit(REGISTRATION)
    wait_until(lambda: numbers(client, SEARCHES[0]), what="the registration searchable")
    bank = _bank(settings.app_dsn)
    binh, hoa = bank["keys"]["Trần Văn Bình"], bank["keys"]["Phạm Thị Hoa"]
    try:
        issued = [_certify(client, key, body).json()["number"]
                  for key, body in ((binh, SEARCHES[0]), (hoa, SEARCHES[1]),
                                    (hoa, SEARCHES[2]))]
        # the month ends: the scheduler's run on the first of the next month (Ha Noi time)
        month_end = period_containing(datetime.now(UTC)).end
        first = jobs.run_month(settings, month_end)
        [number] = first.statements
        with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
            [(charges, due, due_on, pdf)] = conn.execute(
                "SELECT charges_vnd, amount_due_vnd, due_on, pdf FROM statements"
                " WHERE account_id = %s", (bank["id"],)).fetchall()
        fee = settings.certificate_fee_vnd
        assert (charges, due) == (3 * fee, 3 * fee)
        text = pdf_text(bytes(pdf), tmp_path)
        for shown in ("Trần Văn Bình", "Phạm Thị Hoa", *issued, f"{3 * fee:,}".replace(",", "."),
                      number, bank["code"]):
            assert shown in text, shown
        [mail] = inbox.wait_for(bank["contact"], count=1, deadline_s=60)
        assert number in mail["Subject"] and mail["Subject"].startswith("Thông báo phí tháng")
        assert inbox.attachments(mail) == [(f"{number}.pdf", "application/pdf", bytes(pdf))]
        assert jobs.run_month(settings, month_end).statements == []  # once
        assert len(inbox.messages(bank["contact"])) == 1

        # 30 days pass unpaid
        overdue = local_midnight(due_on + timedelta(days=1))
        assert jobs.daily(settings, overdue).changes == {"suspended": [bank["code"]]}
        refused = _certify(client, binh, SEARCHES[0])
        assert refused.status_code == 403, refused.text
        error = refused.json()["error"]
        assert error["code"] == "account_suspended"
        assert number in error["message_vi"] and f"{3 * fee:,}".replace(",", ".") in \
            error["message_vi"] and number in error["message_en"]
        assert settings.billing_pay_to in error["message_vi"]
        batch = client.post("/v1/batches", headers={"x-api-key": hoa},
                            files={"file": ("lo.csv", "Tên bên bảo đảm\nNguyen Van An\n",
                                            "text/csv")})
        assert batch.status_code == 403 and batch.json()["error"]["code"] == "account_suspended"
        assert numbers(client, SEARCHES[0])  # the public search answers
        assert client.post("/v1/search", json=SEARCHES[0],
                           headers={"x-api-key": binh}).status_code == 200

        # the whole debt paid: served again at once
        paid = client.post("/v1/staff/payments", headers={"x-api-key": bank["staff"]},
                           json={"account": bank["code"], "amount_vnd": 3 * fee,
                                 "reference": "UNC 2026/889", "received_at":
                                 (overdue + timedelta(days=2)).isoformat()})
        assert paid.status_code == 201 and paid.json()["suspension_lifted"], paid.text
        again = _certify(client, binh, SEARCHES[0])
        assert again.status_code == 201, again.text

        # that certificate goes on the next statement, which is never paid
        second_run = local_midnight(add_months(local_date(month_end), 1))
        [second] = jobs.run_month(settings, second_run).statements
        second_due = local_midnight(local_date(second_run) + timedelta(days=31))
        assert jobs.daily(settings, second_due).changes == {"suspended": [bank["code"]]}
        assert jobs.daily(settings, local_midnight(add_months(local_date(second_due), 3)
                                                   - timedelta(days=1))).changes == {}
        closing = local_midnight(add_months(local_date(second_due), 3))
        assert jobs.daily(settings, closing).changes == {"closed": [bank["code"]]}
        for key in (binh, hoa):
            gone = client.post("/v1/search", json=SEARCHES[0], headers={"x-api-key": key})
            assert gone.status_code == 403 and gone.json()["error"]["code"] == "account_closed"
            assert _certify(client, key, SEARCHES[0]).json()["error"]["code"] == "account_closed"
        assert numbers(client, SEARCHES[0])  # still the public's
        assert second.startswith("TBP-")
    finally:
        inbox.clear(bank["contact"])
