"""The account pages in process against the real PostgreSQL and Redis: what each role may
see and do, the refusals as pages, statements and transactions."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.web.signed_in import RUN, Person, csrf_of, open_account, sign_in

pytestmark = pytest.mark.services
PAGES = ("/tai-khoan", "/tai-khoan/nguoi-dung", "/tai-khoan/khoa-api", "/tai-khoan/giao-dich",
         "/tai-khoan/thong-bao-phi", "/tai-khoan/mat-khau")


def _app() -> Any:
    from core.settings import Settings
    from server.app import create_app

    return create_app(Settings(signin_attempts_per_minute=1000))


@pytest.fixture()
def client(app_database: str) -> Iterator[TestClient]:
    with TestClient(_app()) as test_client:
        yield test_client


def _add(client: TestClient, **fields: str) -> Any:
    token = csrf_of(client.get("/tai-khoan/nguoi-dung").text)
    return client.post("/tai-khoan/nguoi-dung", data={"csrf_token": token, **fields})


def test_every_account_page_asks_for_sign_in_first(client: TestClient) -> None:
    for path in (*PAGES, "/tai-khoan/chung-nhan/2026-000001",
                 "/tai-khoan/thong-bao-phi/TB-1.pdf"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/dang-nhap?next=/tai-khoan"), path
    refused = client.post("/tai-khoan/khoa-api", data={"csrf_token": "x"},
                          follow_redirects=False)
    assert refused.status_code == 303  # nothing made: sign in first


def test_the_administrator_adds_and_removes_a_user_and_a_user_may_not(
        client: TestClient, settings: Any) -> None:
    bank = open_account(settings, "admin")
    sign_in(client, bank)
    for path in PAGES:
        page = client.get(path)
        assert page.status_code == 200 and bank.account_code in page.text, path
    email = f"binh.{RUN}.{uuid.uuid4().hex[:6]}@example.vn"
    weak = _add(client, name="Lê Thị Bình", email=email, role="user", password="short")
    assert weak.status_code == 422 and 'id="password-error"' in weak.text
    assert f'value="{email}"' in weak.text  # what was typed stays
    bad = _add(client, name="", email="not-an-address", role="user", password="")
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    added = _add(client, name="Lê Thị Bình", email=email, role="user",
                 password="Bình mật khẩu 99")
    assert added.status_code == 201 and re.search(r'id="added-key">rs_', added.text)
    again = _add(client, name="Lê Thị Bình", email=email, role="user", password="")
    assert again.status_code == 422 and 'id="email-error"' in again.text
    user_id = int(re.findall(r'/tai-khoan/nguoi-dung/(\d+)/xoa', added.text)[-1])
    with TestClient(_app()) as other:
        sign_in(other, Person(email, "Bình mật khẩu 99", bank.account_id, user_id, ""))
        users = other.get("/tai-khoan/nguoi-dung")
        assert users.status_code == 200 and 'id="add-user"' not in users.text
        token = csrf_of(users.text)
        refused = other.post("/tai-khoan/nguoi-dung", data={
            "csrf_token": token, "name": "X", "email": f"x.{RUN}@example.vn"})
        assert refused.status_code == 403 and "Only an administrator" in refused.text
        refused = other.post(f"/tai-khoan/nguoi-dung/{bank.user_id}/xoa",
                             data={"csrf_token": token})
        assert refused.status_code == 403
    token = csrf_of(client.get("/tai-khoan/nguoi-dung").text)
    last = client.post(f"/tai-khoan/nguoi-dung/{bank.user_id}/xoa", data={"csrf_token": token})
    assert last.status_code == 409 and "last one cannot" in last.text
    gone = client.post(f"/tai-khoan/nguoi-dung/{user_id}/xoa", data={"csrf_token": token},
                       follow_redirects=False)
    assert gone.status_code == 303
    assert email not in client.get("/tai-khoan/nguoi-dung").text
    with TestClient(_app()) as late:
        assert sign_in(late, Person(email, "Bình mật khẩu 99", 0, 0, "")).status_code == 401


def test_keys_are_made_shown_once_and_revoked(client: TestClient, settings: Any) -> None:
    bank = open_account(settings, "keys")
    sign_in(client, bank)
    token = csrf_of(client.get("/tai-khoan/khoa-api").text)
    made = client.post("/tai-khoan/khoa-api", data={"csrf_token": token})
    key = re.search(r'id="new-key">(rs_[^<]+)<', made.text)
    assert made.status_code == 201 and key
    assert client.get("/v1/account", headers={"x-api-key": key.group(1)}).status_code == 200
    listed = client.get("/tai-khoan/khoa-api").text
    assert key.group(1) not in listed  # shown once
    key_id = re.findall(r'/tai-khoan/khoa-api/([0-9a-f]{12})/thu-hoi', listed)[-1]
    done = client.post(f"/tai-khoan/khoa-api/{key_id}/thu-hoi", data={"csrf_token": token},
                       follow_redirects=False)
    assert done.status_code == 303
    assert client.get("/v1/account", headers={"x-api-key": key.group(1)}).status_code == 401
    unknown = client.post("/tai-khoan/khoa-api/0123456789ab/thu-hoi",
                          data={"csrf_token": token})
    assert unknown.status_code == 404 and "No such active key" in unknown.text


def test_transactions_and_statements_of_the_account_only(client: TestClient,
                                                         settings: Any) -> None:
    import accounts
    from billing.periods import period_containing
    from billing.statements import make_statement

    bank, other = open_account(settings, "fees"), open_account(settings, "fees-other")
    now = datetime.now(UTC)
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        caller = accounts.caller_of(conn, bank.account_id, bank.user_id)
        accounts.record_usage(conn, caller, "certificate", accounts.Fee(30_000, None),
                              criterion="debtor_name", reference="2026-TEST-1")
        with conn.transaction():
            made = make_statement(conn, bank.account_id, period_containing(now), now, settings)
    assert made is not None
    number = conn_number(settings, bank.account_id)
    sign_in(client, bank)
    lines = client.get("/tai-khoan/giao-dich")
    assert "30.000 ₫" in lines.text and "2026-TEST-1" in lines.text
    assert client.get("/tai-khoan/giao-dich", params={"thang": "1999-13"}).status_code == 200
    statements = client.get("/tai-khoan/thong-bao-phi")
    assert number in statements.text
    pdf = client.get(f"/tai-khoan/thong-bao-phi/{number}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    with TestClient(_app()) as stranger:
        sign_in(stranger, other)
        assert number not in stranger.get("/tai-khoan/thong-bao-phi").text
        assert stranger.get(f"/tai-khoan/thong-bao-phi/{number}.pdf").status_code == 404
        assert "2026-TEST-1" not in stranger.get("/tai-khoan/giao-dich").text
        assert stranger.get("/tai-khoan/chung-nhan/2026-000000001").status_code == 404


def conn_number(settings: Any, account_id: int) -> str:
    with psycopg.connect(settings.app_dsn) as conn:
        row = conn.execute("SELECT number FROM statements WHERE account_id = %s",
                           (account_id,)).fetchone()
    assert row is not None
    return str(row[0])


def test_a_suspended_account_sees_its_reason_and_is_refused_a_certificate(
        client: TestClient, settings: Any) -> None:
    from accounts import status

    bank: Person = open_account(settings, "suspended-pages")
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        status.change(conn, bank.account_id, "suspended", reason_code="manual",
                      reason_vi="Chưa nộp phí tháng 11.", reason_en="November fees unpaid.",
                      actor="test", at=datetime.now(UTC))
    sign_in(client, bank)
    overview = client.get("/tai-khoan")
    assert 'id="account-status"' in overview.text
    assert "Chưa nộp phí tháng 11." in overview.text and "November fees unpaid." in overview.text
    assert 'id="status-banner"' in client.get("/tai-khoan/khoa-api").text
    token = csrf_of(overview.text)
    refused = client.post("/tra-cuu/chung-nhan", data={
        "csrf_token": token, "criterion": "debtor_name", "value": "Nguyễn Văn Tú"})
    assert refused.status_code == 403 and "November fees unpaid." in refused.text
