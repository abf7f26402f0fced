"""A suspended account: certificates and batches refused with 403 naming the stored
reason, public search still answering (the key searches as its user, free); reopened:
served again; closed: its keys refused. Against the real services."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.api.test_search_end_to_end import REGISTRATION, commit, numbers
from tests.conftest import wait_until

pytestmark = pytest.mark.services
REASON_VI = ("Thông báo phí TB-2027-01 số tiền 60.000 đồng chưa được thanh toán; nộp vào tài"
             " khoản 0011 tại Vietcombank.")
REASON_EN = ("Statement TB-2027-01 of 60,000 VND is unpaid; pay into account 0011 at"
             " Vietcombank.")


def _csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["STT", "Họ và tên", "Loại chủ thể", "Số CCCD/CMND"])
    writer.writerow(["1", "Nguyễn Thị Như Quỳnh", "Cá nhân", "001190012345"])
    return out.getvalue().encode("utf-8")


def _change(settings: Any, account: int, new: str, reason_code: str = "fee_unpaid") -> None:
    from accounts import status

    with psycopg.connect(settings.app_dsn) as conn:
        status.change(conn, account, new, reason_code=reason_code,  # type: ignore[arg-type]
                      reason_vi=REASON_VI, reason_en=REASON_EN, actor="billing",
                      at=datetime.now(UTC))
        conn.commit()


def test_suspension_refuses_paid_services_and_keeps_search_open(
        api_client: TestClient, settings: Any) -> None:
    from accounts import keys, records, users

    commit(REGISTRATION)
    body = {"id_number": "001190012345"}
    wait_until(lambda: numbers(api_client, body), deadline_s=30,
               what="the registration searchable")
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        bank = records.create_account(conn, "Ngân hàng TMCP Thử nghiệm", "customer",
                                      admin_name="Nguyễn Văn An",
                                      admin_email="an.suspend@nganhang.vn")
        clerk = users.add_user(conn, bank, name="Lê Thị Bình",
                               email="binh.suspend@nganhang.vn")
        key = {"x-api-key": keys.issue_key(conn, bank, clerk.id)}
    csv_file = {"file": ("danh-sach.csv", _csv(), "text/csv")}
    assert api_client.post("/v1/certificates", json=body, headers=key).status_code == 201

    _change(settings, bank, "suspended")
    for response in (api_client.post("/v1/certificates", json=body, headers=key),
                     api_client.post("/v1/batches", files=csv_file, headers=key,
                                     params={"validate_only": "true"})):
        assert response.status_code == 403, response.text
        error = response.json()["error"]
        assert error["code"] == "account_suspended"
        assert "TB-2027-01" in error["message_vi"] and "tạm ngừng" in error["message_vi"]
        assert "TB-2027-01" in error["message_en"] and "suspended" in error["message_en"]
    searched = api_client.post("/v1/search", json=body, headers=key)
    assert searched.status_code == 200
    assert [r["registration"]["registration_number"]
            for r in searched.json()["exact"]["results"]] == ["2024-0000123456"]
    assert api_client.post("/v1/search", json=body).status_code == 200  # the public too
    with psycopg.connect(settings.app_dsn) as conn:
        line = conn.execute("SELECT account_id, user_id, kind, fee_vnd FROM usage_ledger"
                            " WHERE account_id = %s ORDER BY id DESC LIMIT 1",
                            (bank,)).fetchone()
    assert line == (bank, clerk.id, "search", 0)

    _change(settings, bank, "active", "paid")
    issued = api_client.post("/v1/certificates", json=body, headers=key)
    assert issued.status_code == 201, issued.text
    assert api_client.post("/v1/batches", files=csv_file, headers=key,
                           params={"validate_only": "true"}).status_code == 200
    with psycopg.connect(settings.app_dsn) as conn:
        who = conn.execute("SELECT c.user_id, l.user_id, a.user_id FROM certificates c"
                           " JOIN usage_ledger l ON l.reference = c.number"
                           " JOIN audit_log a ON a.reference = c.number WHERE c.number = %s",
                           (issued.json()["number"],)).fetchone()
    assert who == (clerk.id, clerk.id, clerk.id)

    _change(settings, bank, "closed", "fee_unpaid_three_months")
    closed = api_client.post("/v1/search", json=body, headers=key)
    assert closed.status_code == 403 and closed.json()["error"]["code"] == "account_closed"
