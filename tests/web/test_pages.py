"""The pages in process (real services): refusals in both languages, the font, the docs."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.conftest import wait_until

pytestmark = pytest.mark.services


@pytest.fixture()
def strict_client(app_database: str) -> Iterator[TestClient]:
    """The app with a public limit of one search a minute."""
    from core.settings import Settings
    from server.app import create_app

    with TestClient(create_app(Settings(public_searches_per_minute=1))) as client:
        yield client


def test_the_rate_limit_is_explained_politely_in_both_languages(
        strict_client: TestClient) -> None:
    page = wait_until(lambda: (lambda r: r if r.status_code == 429 else None)(
        strict_client.get("/tra-cuu", params={"criterion": "plate_number", "value": "30A"})),
        deadline_s=20, what="the limit reached")
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["retry-after"].isdigit()
    assert "Vui lòng chờ một chút" in page.text and "Please wait a moment" in page.text
    assert "Traceback" not in page.text


def test_empty_and_overlong_values_are_answered_beside_the_field(
        strict_client: TestClient) -> None:
    for value in ("   ", "x" * 300):
        page = strict_client.get("/tra-cuu", params={"criterion": "debtor_name",
                                                     "value": value})
        assert page.status_code == 422
        error = re.search(r'<div id="value-error".*?</div>', page.text, re.S)
        assert error is not None, page.text
        assert 'lang="en"' in error.group(0)
    assert "Không được để trống." in strict_client.get(
        "/tra-cuu", params={"value": ""}).text
    form = strict_client.get("/")  # no value: the form alone, nothing searched
    assert form.status_code == 200 and 'id="exact"' not in form.text


def test_an_unknown_criterion_falls_back_to_the_name(strict_client: TestClient) -> None:
    page = strict_client.get("/tra-cuu", params={"criterion": "<script>", "page": "x"})
    assert page.status_code == 200
    assert "<script>" not in page.text.split("<select")[1].split("</select>")[0]


def test_the_font_is_debians_dejavu(strict_client: TestClient) -> None:
    from certify.fonts import DEFAULT_REGULAR

    font = strict_client.get("/fonts/DejaVuSans.ttf")
    assert font.status_code == 200 and font.content == DEFAULT_REGULAR.read_bytes()
    assert strict_client.get("/fonts/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert "/fonts/DejaVuSans.ttf" in strict_client.get("/static/site.css").text


def test_docs_name_only_files_of_this_server(strict_client: TestClient) -> None:
    page = strict_client.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", page.text)
    assert urls and all(u.startswith("/") for u in urls), urls
    for url in urls:
        assert strict_client.get(url).status_code == 200, url
    assert strict_client.get("/docs/assets/../../etc/passwd").status_code == 404
    assert strict_client.get("/redoc").status_code == 404
