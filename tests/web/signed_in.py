"""Helpers of the signed-in page tests: accounts with a password, the CSRF token of a page,
signing in with a TestClient."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import psycopg
from fastapi.testclient import TestClient

#: the test database outlives a run: e-mails of this run are its own
RUN = uuid.uuid4().hex[:8]
PASSWORD = "Mật khẩu thử 2026"


@dataclass(frozen=True)
class Person:
    email: str
    password: str
    account_id: int
    user_id: int
    account_code: str


def open_account(settings: Any, tag: str, kind: str = "customer",
                 agency_kind: str | None = None, name: str | None = None) -> Person:
    """A new account whose first administrator has the password ``PASSWORD``."""
    import accounts

    email = f"{tag}.{RUN}.{uuid.uuid4().hex[:6]}@example.vn"
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        account = accounts.create_account(
            conn, name or f"Ngân hàng {tag}", kind, agency_kind, admin_name="Nguyễn Văn An",
            admin_email=email, admin_password=PASSWORD)
        row = conn.execute("SELECT u.id, a.code FROM users u JOIN accounts a"
                           " ON a.id = u.account_id WHERE u.account_id = %s",
                           (account,)).fetchone()
    assert row is not None
    return Person(email, PASSWORD, account, int(row[0]), str(row[1]))


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:2000]
    return found.group(1)


def sign_in(client: TestClient, person: Person, password: str | None = None,
            next_path: str = "") -> Any:
    """Sign in through the form (its CSRF token first); the answer, not followed."""
    form = client.get("/dang-nhap")
    return client.post("/dang-nhap", follow_redirects=False, data={
        "csrf_token": csrf_of(form.text), "email": person.email,
        "password": person.password if password is None else password, "next": next_path})
