"""The account API by role: administrators manage their account's users and details, users
see them and change their own password and keys, nobody sees another account, registry
staff open accounts and change their status; bad input is refused naming the field."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.services
#: the test database outlives a run: e-mails of this run are its own
RUN = uuid.uuid4().hex[:8]


@pytest.fixture()
def client(app_database: str) -> Iterator[TestClient]:
    from server.app import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture()
def staff(app_database: str, settings: Any) -> dict[str, str]:
    import accounts

    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        registry = accounts.create_account(conn, "Cục Đăng ký quốc gia GDBĐ", "admin")
        return {"x-api-key": accounts.issue_key(conn, registry)}


def _open(client: TestClient, staff: dict[str, str], tag: str) -> dict[str, Any]:
    response = client.post("/v1/staff/accounts", headers=staff, json={
        "name": f"Ngân hàng {tag}", "tax_code": "0101234567", "address": "Hà Nội",
        "contact_emails": [f"ketoan.{tag}.{RUN}@nganhang.vn"], "admin_name": "Nguyễn Văn An",
        "admin_email": f"an.{tag}.{RUN}@nganhang.vn"})
    assert response.status_code == 201, response.text
    opened: dict[str, Any] = response.json()
    return opened


def _key(opened: dict[str, Any]) -> dict[str, str]:
    return {"x-api-key": opened["api_key"]}


def test_administrators_add_users_who_cannot_manage(client: TestClient,
                                                    staff: dict[str, str]) -> None:
    bank = _open(client, staff, "roles")
    admin = _key(bank)
    assert bank["account"]["code"].startswith("KH")
    added = client.post("/v1/account/users", headers=admin, json={
        "name": "Lê Thị Bình", "email": f"binh.roles.{RUN}@nganhang.vn"})
    assert added.status_code == 201, added.text
    user = {"x-api-key": added.json()["api_key"]}
    me = client.get("/v1/account", headers=user).json()
    assert me["me"]["role"] == "user" and me["status"]["status"] == "active"
    assert me["contact_emails"] == [f"ketoan.roles.{RUN}@nganhang.vn"] and me["users"] == 2
    for method, path, body in (
            ("POST", "/v1/account/users", {"name": "X", "email": f"x.roles.{RUN}@nganhang.vn"}),
            ("PATCH", "/v1/account", {"address": "Đà Nẵng"}),
            ("PATCH", f"/v1/account/users/{bank['administrator']['id']}", {"role": "user"}),
            ("DELETE", f"/v1/account/users/{bank['administrator']['id']}", None),
            ("POST", f"/v1/account/users/{bank['administrator']['id']}/keys/reset", None)):
        refused = client.request(method, path, headers=user, json=body)
        assert refused.status_code == 403, (path, refused.text)
        assert refused.json()["error"]["code"] == "account_admin_required"
    assert client.get("/v1/account", headers=admin).json()["address"] == "Hà Nội"
    # the user's own password and keys
    changed = client.post("/v1/account/me/password", headers=user,
                          json={"new_password": "Mật khẩu mới 2027"})
    assert changed.status_code == 204, changed.text
    second = client.post("/v1/account/me/keys", headers=user).json()["api_key"]
    listed = client.get("/v1/account/me/keys", headers=user).json()
    assert len(listed) == 2
    assert client.delete(f"/v1/account/me/keys/{listed[0]['key_id']}",
                         headers=user).status_code == 200
    assert client.get("/v1/account", headers=user).status_code == 401  # that key: revoked
    assert client.get("/v1/account", headers={"x-api-key": second}).status_code == 200


def test_the_last_administrator_cannot_be_removed_or_demoted(
        client: TestClient, staff: dict[str, str]) -> None:
    bank = _open(client, staff, "lastadmin")
    admin, admin_id = _key(bank), bank["administrator"]["id"]
    for method, body in (("PATCH", {"role": "user"}), ("PATCH", {"disabled": True}),
                         ("DELETE", None)):
        refused = client.request(method, f"/v1/account/users/{admin_id}", headers=admin,
                                 json=body)
        assert refused.status_code == 409, refused.text
        error = refused.json()["error"]
        assert error["rule"] == "last_administrator" and "quản trị viên" in error["message_vi"]
    users = client.get("/v1/account/users", headers=admin).json()
    assert [(u["role"], u["state"]) for u in users] == [("admin", "active")]


def test_no_user_of_one_account_sees_anything_of_another(
        client: TestClient, staff: dict[str, str], settings: Any) -> None:
    a, b = _open(client, staff, "aaa"), _open(client, staff, "bbb")
    b_admin = b["administrator"]["id"]
    seen = client.get("/v1/account/users", headers=_key(a)).json()
    assert {u["email"] for u in seen} == {f"an.aaa.{RUN}@nganhang.vn"}
    for method, path, body in (
            ("PATCH", f"/v1/account/users/{b_admin}", {"name": "Chiếm quyền"}),
            ("DELETE", f"/v1/account/users/{b_admin}", None),
            ("POST", f"/v1/account/users/{b_admin}/keys/reset", None)):
        refused = client.request(method, path, headers=_key(a), json=body)
        assert refused.status_code == 404, refused.text
        assert refused.json()["error"]["rule"] == "unknown_user"
    assert client.get("/v1/account", headers=_key(b)).json()["me"]["name"] == "Nguyễn Văn An"
    assert client.get("/v1/account/transactions", headers=_key(a)).json() == []
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        conn.execute("INSERT INTO usage_ledger (account_id, user_id, kind, fee_vnd)"
                     " VALUES (%s, %s, 'certificate', 30000)", (b["account"]["id"], b_admin))
    assert client.get("/v1/account/transactions", headers=_key(a)).json() == []
    lines = client.get("/v1/account/transactions", headers=_key(b)).json()
    assert [(t["user_id"], t["fee_vnd"]) for t in lines] == [(b_admin, 30000)]
    staff_only = client.get(f"/v1/staff/accounts/{b['account']['code']}", headers=_key(a))
    assert staff_only.status_code == 403 and staff_only.json()["error"]["code"] == \
        "staff_required"


def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
        client: TestClient, staff: dict[str, str]) -> None:
    bank = _open(client, staff, "bad")
    admin = _key(bank)
    cases = [
        ({"name": "Trùng", "email": f"AN.BAD.{RUN}@NGANHANG.VN"}, "email", "duplicate"),
        ({"name": "Yếu", "email": f"yeu.bad.{RUN}@nganhang.vn", "password": "abcdefghijkl"},
         "password", "character_classes"),
        ({"name": "Sai", "email": "không phải thư"}, "email", "email"),
        ({"name": "  ", "email": f"trong.bad.{RUN}@nganhang.vn"}, "name", "not_empty"),
    ]
    for body, field, rule in cases:
        refused = client.post("/v1/account/users", headers=admin, json=body)
        assert refused.status_code == 422, refused.text
        problem = refused.json()["error"]["problems"][0]
        assert (problem["field"], problem["rule"]) == (field, rule)
        assert problem["message_vi"] and problem["message_en"]
    assert len(client.get("/v1/account/users", headers=admin).json()) == 1
    bad_tax = client.patch("/v1/account", headers=admin, json={"tax_code": "12AB"})
    assert bad_tax.status_code == 422
    assert bad_tax.json()["error"]["problems"][0]["field"] == "tax_code"
    assert client.get("/v1/account", headers=admin).json()["tax_code"] == "0101234567"
    unknown = client.post("/v1/staff/accounts/KH999999/status", headers=staff, json={
        "status": "suspended", "reason_vi": "x", "reason_en": "x"})
    assert unknown.status_code == 404 and unknown.json()["error"]["field"] == "account"
    duplicate_admin = client.post("/v1/staff/accounts", headers=staff, json={
        "name": "Khác", "admin_name": "An", "admin_email": f"an.bad.{RUN}@nganhang.vn"})
    assert duplicate_admin.status_code == 422
    assert duplicate_admin.json()["error"]["problems"][0]["field"] == "admin_email"


def test_staff_suspend_and_close_and_keys_stop_on_closure(
        client: TestClient, staff: dict[str, str]) -> None:
    bank = _open(client, staff, "closing")
    code, admin = bank["account"]["code"], _key(bank)
    suspended = client.post(f"/v1/staff/accounts/{code}/status", headers=staff, json={
        "status": "suspended", "reason_vi": "Theo yêu cầu của khách hàng.",
        "reason_en": "At the customer's request."})
    assert suspended.status_code == 200 and suspended.json()["changed"] is True
    shown = client.get("/v1/account", headers=admin).json()["status"]
    assert (shown["status"], shown["reason_en"]) == ("suspended", "At the customer's request.")
    closed = client.post(f"/v1/staff/accounts/{code}/status", headers=staff, json={
        "status": "closed", "reason_vi": "Đóng.", "reason_en": "Closed."})
    assert closed.json()["status"]["status"] == "closed"
    refused = client.get("/v1/account", headers=admin)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "account_closed"
    history = client.get(f"/v1/staff/accounts/{code}", headers=staff).json()["status_history"]
    assert [h["status"] for h in history] == ["active", "suspended", "closed"]
    reopened = client.post(f"/v1/staff/accounts/{code}/status", headers=staff, json={
        "status": "active", "reason_vi": "Mở lại.", "reason_en": "Reopened."})
    assert reopened.json()["changed"] is True
    assert client.get("/v1/account", headers=admin).status_code == 200
