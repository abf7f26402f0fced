"""Sign-in, sign-out, CSRF and password change through the pages, in process against the
real PostgreSQL and Redis."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.web.signed_in import PASSWORD, RUN, Person, csrf_of, open_account, sign_in

pytestmark = pytest.mark.services
NEW_PASSWORD = "Mật khẩu mới 2027"


def _app(**overrides: Any) -> Any:
    from core.settings import Settings
    from server.app import create_app

    return create_app(Settings(**{"signin_attempts_per_minute": 1000, **overrides}))


@pytest.fixture()
def client(app_database: str) -> Iterator[TestClient]:
    with TestClient(_app()) as test_client:
        yield test_client


def test_signing_in_opens_a_new_session_named_in_the_header(client: TestClient,
                                                           settings: Any) -> None:
    bank = open_account(settings, "signin")
    client.get("/dang-nhap")
    before = client.cookies.get("regsearch_session")
    answer = sign_in(client, bank, next_path="/tai-khoan/mat-khau")
    assert answer.status_code == 303 and answer.headers["location"] == "/tai-khoan/mat-khau"
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "max-age=28800" in cookie
    assert client.cookies.get("regsearch_session") != before  # rotated
    page = client.get("/tai-khoan/mat-khau")
    assert page.status_code == 200
    assert "Nguyễn Văn An" in page.text and bank.account_code in page.text
    assert 'id="sign-out"' in page.text
    assert 'id="sign-in-link"' not in page.text


def test_a_wrong_password_and_an_unknown_user_get_the_same_polite_words(
        client: TestClient, settings: Any) -> None:
    bank = open_account(settings, "wrong")
    wrong = sign_in(client, bank, password="Không phải mật khẩu 1")
    unknown = sign_in(client, Person(f"nobody.{RUN}@example.vn", PASSWORD, 0, 0, ""))
    for answer in (wrong, unknown):
        assert answer.status_code == 401
        assert "Địa chỉ thư điện tử hoặc mật khẩu không đúng" in answer.text
        assert "The e-mail address or the password is not right" in answer.text
        assert 'id="sign-out"' not in answer.text
    assert client.get("/tai-khoan/mat-khau", follow_redirects=False).status_code == 303


def test_a_missing_or_wrong_csrf_token_is_refused_with_a_page(client: TestClient,
                                                              settings: Any) -> None:
    bank = open_account(settings, "csrf")
    client.get("/dang-nhap")
    for data in ({}, {"csrf_token": "forged-token-of-another-session-000000000"}):
        refused = client.post("/dang-nhap", data={**data, "email": bank.email,
                                                  "password": bank.password})
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("text/html")
        assert "Biểu mẫu đã hết hạn" in refused.text and "The form has expired" in refused.text
    assert sign_in(client, bank).status_code == 303
    refused = client.post("/dang-xuat", data={"csrf_token": "x" * 43})
    assert refused.status_code == 403
    assert client.get("/tai-khoan/mat-khau").status_code == 200  # still signed in


def test_signing_out_ends_the_session_even_for_a_copy_of_its_cookie(
        client: TestClient, settings: Any) -> None:
    bank = open_account(settings, "signout")
    sign_in(client, bank)
    copy = client.cookies.get("regsearch_session")
    page = client.get("/tai-khoan/mat-khau")
    out = client.post("/dang-xuat", data={"csrf_token": csrf_of(page.text)},
                      follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/dang-nhap?signed_out=1"
    assert client.get("/tai-khoan/mat-khau", follow_redirects=False).status_code == 303
    client.cookies.set("regsearch_session", copy or "")
    again = client.get("/tai-khoan/mat-khau", follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"] == "/dang-nhap?next=/tai-khoan/mat-khau"


def test_changing_the_password_ends_the_old_one_and_other_sessions(
        client: TestClient, settings: Any) -> None:
    bank = open_account(settings, "password")
    sign_in(client, bank)
    with TestClient(_app()) as other:
        sign_in(other, bank)
        assert other.get("/tai-khoan/mat-khau").status_code == 200
        token = csrf_of(client.get("/tai-khoan/mat-khau").text)
        for current, new, again, field in (
                ("Sai mật khẩu 12345", NEW_PASSWORD, NEW_PASSWORD, "current_password"),
                (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "new_password_again"),
                (PASSWORD, "short", "short", "new_password")):
            refused = client.post("/tai-khoan/mat-khau", data={
                "csrf_token": token, "current_password": current, "new_password": new,
                "new_password_again": again})
            assert refused.status_code == 422, refused.text
            assert f'id="{field}-error"' in refused.text
        done = client.post("/tai-khoan/mat-khau", data={
            "csrf_token": token, "current_password": PASSWORD, "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD})
        assert done.status_code == 200 and 'id="password-changed"' in done.text
        assert client.get("/tai-khoan/mat-khau").status_code == 200  # this session goes on
        assert other.get("/tai-khoan/mat-khau", follow_redirects=False).status_code == 303
        assert sign_in(other, bank).status_code == 401
        assert sign_in(other, bank, password=NEW_PASSWORD).status_code == 303


def test_a_suspended_account_signs_in_to_its_reason_and_a_closed_one_is_told(
        client: TestClient, settings: Any) -> None:
    from accounts import status

    suspended, closed = open_account(settings, "suspended"), open_account(settings, "closed")
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        for person, to in ((suspended, "suspended"), (closed, "closed")):
            status.change(conn, person.account_id, to, reason_code="manual",
                          reason_vi=f"Lý do thử {to}.", reason_en=f"Test reason {to}.",
                          actor="test", at=datetime.now(UTC))
    answer = sign_in(client, suspended, next_path="/tra-cuu")
    assert answer.status_code == 303 and answer.headers["location"] == "/tai-khoan"
    with TestClient(_app()) as other:
        refused = sign_in(other, closed)
        assert refused.status_code == 403
        assert "Lý do thử closed." in refused.text and "Test reason closed." in refused.text
        assert sign_in(other, closed, password="Sai mật khẩu 12345").status_code == 401


def test_sign_in_attempts_are_limited(app_database: str, settings: Any) -> None:
    bank = open_account(settings, "limited")
    with TestClient(_app(signin_attempts_per_minute=2)) as strict:
        answers = [sign_in(strict, bank, password="Sai mật khẩu 12345").status_code
                   for _ in range(3)]
        assert answers[-1] == 429, answers
        page = sign_in(strict, bank)
        assert page.status_code == 429 and "Quá 2 lần thử đăng nhập" in page.text
        assert page.headers["retry-after"].isdigit()


def test_next_is_a_path_of_this_site_only(client: TestClient, settings: Any) -> None:
    bank = open_account(settings, "next")
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        answer = sign_in(client, bank, next_path=target)
        assert answer.headers["location"] == "/tai-khoan", target


def test_the_default_session_secret_is_refused_outside_development() -> None:
    from core.settings import Settings, production_problems

    names = [name for name, _, _ in production_problems(Settings(env="production"))]
    assert "session_secret" in names
    assert "session_secret" not in [name for name, _, _ in production_problems(Settings(
        env="production", session_secret="a long random secret for the cookie"))]
