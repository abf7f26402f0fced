"""The pages that refuse, in real Chromium: the search service down (503), the public
search limit (429), the verification limit (429); each a page in both languages, with no
serious or critical accessibility violation, on a desktop and on a phone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests import browser
from tests.web.site import PORT, keep, serious_violations, uvicorn

pytestmark = pytest.mark.services
PHONE = (390, 844)
NOBODY = "http://127.0.0.1:9"  # the discard port: Elasticsearch "down"


@pytest.fixture(scope="module")
def strict_site(tmp_path_factory: pytest.TempPathFactory, app_database: str) -> Iterator[str]:
    """The API with Elasticsearch unreachable and a limit of one search and one
    verification a minute per client."""
    with uvicorn(tmp_path_factory.mktemp("strict"), PORT + 1, REGSEARCH_ES_URL=NOBODY,
                 REGSEARCH_PUBLIC_SEARCHES_PER_MINUTE="1",
                 REGSEARCH_PUBLIC_VERIFICATIONS_PER_MINUTE="1") as url:
        yield url


def no_counts() -> None:
    """Nothing counted this minute for this client (the other page tests search a lot
    from the same address, against the same Redis)."""
    import redis

    from core.settings import get_settings

    client = redis.Redis.from_url(get_settings().redis_url)
    for key in client.scan_iter("regsearch:ratelimit:*"):
        client.delete(key)


def fits_the_screen(driver: WebDriver) -> None:
    screen = driver.find_element(By.TAG_NAME, "html").rect["width"]
    widest = max(e.rect["x"] + e.rect["width"]
                 for e in driver.find_elements(By.CSS_SELECTOR, "main *"))
    assert widest <= screen


def test_the_refusal_pages_are_accessible_pages(strict_site: str, tmp_path: Path) -> None:
    search = f"{strict_site}/tra-cuu?criterion=debtor_name&value=nguyen+van+tu"
    no_counts()
    with browser.chromium(tmp_path) as driver:
        driver.get(search)  # the one search allowed: Elasticsearch is down
        assert "Chưa tra cứu được" in driver.find_element(By.TAG_NAME, "h1").text
        alert = driver.find_element(By.CSS_SELECTOR, "[role=alert]").text
        assert "tạm thời không sẵn sàng" in alert and "temporarily unavailable" in alert
        keep(browser.screenshot(driver, tmp_path / "unavailable.png"), "unavailable.png")
        assert serious_violations(driver) == []

        driver.get(search)  # past the limit
        assert "Vui lòng chờ một chút" in driver.find_element(By.TAG_NAME, "h1").text
        assert "Please wait a moment" in driver.page_source
        keep(browser.screenshot(driver, tmp_path / "limited.png"), "rate-limited.png")
        assert serious_violations(driver) == []

        for _ in range(2):  # the one verification allowed, then the limit
            driver.get(f"{strict_site}/verify/CN-2026-00000001-4?sha256=00")
        assert "lượt xác minh" in driver.find_element(By.CSS_SELECTOR, "[role=alert]").text
        assert driver.find_elements(By.ID, "number")  # the form is still there
        keep(browser.screenshot(driver, tmp_path / "verify-limited.png"),
             "verify-rate-limited.png")
        assert serious_violations(driver) == []


def test_the_refusal_pages_on_a_phone(strict_site: str, tmp_path: Path) -> None:
    with browser.chromium(tmp_path, window=PHONE) as driver:
        driver.get(f"{strict_site}/tra-cuu?criterion=plate_number&value=30A")
        assert driver.find_element(By.CSS_SELECTOR, "h1").text
        fits_the_screen(driver)
        keep(browser.screenshot(driver, tmp_path / "phone.png"), "refused-phone.png")
