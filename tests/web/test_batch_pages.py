"""The batch page in process against the real PostgreSQL and Redis: sign-in first, the
file's report as a page (the same report as ``POST /v1/batches?validate_only=true``),
refusals as pages, CSRF."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.signed_in import csrf_of, open_account, sign_in

pytestmark = pytest.mark.services
GOOD = "Tên bên bảo đảm,Mã tham chiếu\nNguyen Van Tu,HS-1\nNguyen Van Tu,HS-2\n***,HS-3\n"


@pytest.fixture()
def client(app_database: str) -> Iterator[TestClient]:
    from core.settings import Settings
    from server.app import create_app

    with TestClient(create_app(Settings(signin_attempts_per_minute=1000))) as test_client:
        yield test_client


@pytest.fixture()
def signed_in(client: TestClient, settings: Any) -> TestClient:
    person = open_account(settings, "batchpage")
    assert sign_in(client, person).status_code == 303
    return client


def _post(client: TestClient, data: str, action: str, name: str = "ho-so.csv") -> Any:
    token = csrf_of(client.get("/tai-khoan/lo").text)
    return client.post("/tai-khoan/lo", data={"csrf_token": token, "action": action},
                       files={"file": (name, data.encode(), "text/csv")})


def test_the_batch_pages_ask_for_sign_in_first(client: TestClient) -> None:
    for path in ("/tai-khoan/lo", "/tai-khoan/lo/00000000-0000-0000-0000-000000000000"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/dang-nhap?next=/tai-khoan/lo")


def test_checking_a_file_shows_the_same_report_as_the_api(signed_in: TestClient,
                                                          settings: Any) -> None:
    page = _post(signed_in, GOOD, "check")
    assert page.status_code == 200 and 'id="report"' in page.text
    report = page.text.split('id="report"')[1]
    for label, count in (("Số dòng", 3), ("Hợp lệ", 2), ("Không hợp lệ", 1),
                         ("Trùng lặp", 1), ("Sẽ tra cứu", 1)):
        assert f"{label} <span" in report and f"<dd>{count}</dd>" in report, label
    assert "Dòng không hợp lệ" in report and "Invalid rows" in report
    assert "batch-form" in page.text  # the form again, to submit it


def test_a_file_without_a_valid_row_is_refused_with_its_report(signed_in: TestClient) -> None:
    page = _post(signed_in, "Tên bên bảo đảm\n***\n", "submit")
    assert page.status_code == 422
    assert 'role="alert"' in page.text and 'id="report"' in page.text
    unreadable = _post(signed_in, "\x00\x01 not a table", "check", name="x.bin")
    assert unreadable.status_code == 422 and 'role="alert"' in unreadable.text
    assert "Traceback" not in unreadable.text


def test_an_upload_without_the_csrf_token_is_refused(signed_in: TestClient) -> None:
    answer = signed_in.post("/tai-khoan/lo", data={"action": "check"},
                            files={"file": ("a.csv", GOOD.encode(), "text/csv")})
    assert answer.status_code == 403


def test_another_accounts_batch_is_not_found(signed_in: TestClient) -> None:
    page = signed_in.get("/tai-khoan/lo/00000000-0000-0000-0000-000000000000")
    assert page.status_code == 404 and 'role="alert"' in page.text
