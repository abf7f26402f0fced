"""The public pages in real Chromium against a real API, indexer and registry."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from tests import browser
from tests.conftest import wait_until
from tests.web.site import (
    CLOSE_NAMES,
    EXACT_MORTGAGES,
    NAME_TYPED,
    SEIZURE_NUMBER,
    Site,
    keep,
    serious_violations,
)

pytestmark = pytest.mark.services
PHONE = (390, 844)


def search(driver: WebDriver, criterion: str, value: str) -> None:
    Select(driver.find_element(By.ID, "criterion")).select_by_value(criterion)
    box = driver.find_element(By.ID, "value")
    box.clear()
    box.send_keys(value, Keys.ENTER)
    wait_until(lambda: driver.find_elements(By.ID, "exact") or driver.find_elements(
        By.ID, "value-error"), deadline_s=30, what="results shown")


def close_results(site: Site) -> list[dict[str, Any]]:
    answer = httpx.post(f"{site.url}/v1/search", timeout=30,
                        json={"debtor_name": NAME_TYPED, "party_type": "individual"})
    results: list[dict[str, Any]] = answer.json()["close"]["results"]
    return results


def numbers_in(driver: WebDriver, section: str) -> list[str]:
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, f"#{section} .regno")]


def test_a_name_typed_without_diacritics_shows_exact_and_close_with_reasons(
        site: Site, tmp_path: Path) -> None:
    with browser.chromium(tmp_path) as driver:
        driver.get(site.url + "/")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi"
        Select(driver.find_element(By.ID, "criterion")).select_by_value("chassis_number")
        hint = driver.find_element(By.ID, "value-hint").text  # site.js follows the choice
        assert "dấu *" in hint and "hyphens and *" in hint
        assert "RLHJC" in (driver.find_element(By.ID, "value").get_attribute("placeholder") or "")
        search(driver, "debtor_name_individual", NAME_TYPED)
        shot = browser.screenshot(driver, tmp_path / "search-results.png")
        keep(shot, "search-results.png")

        exact = driver.find_element(By.ID, "exact-title").text
        assert f"Khớp chính xác ({EXACT_MORTGAGES + 1})" in exact
        assert f"Exact matches ({EXACT_MORTGAGES + 1})" in exact
        assert len(numbers_in(driver, "exact")) == 20  # the first page
        close = driver.find_element(By.ID, "close")
        assert set(CLOSE_NAMES) <= set(numbers_in(driver, "close"))
        assert "Lý do gần đúng" in close.text and "Why it is close" in close.text
        for result in close_results(site):  # the JSON's reasons, in words, on the page
            card = close.find_element(By.XPATH, f".//li[contains(@class,'result')][.//span["
                                      f"text()='{result['registration']['registration_number']}']]")
            reasons = card.find_element(By.CSS_SELECTOR, ".reasons").text
            assert result["reasons_text"], result
            for worded in result["reasons_text"]:
                assert worded["vi"] in reasons and worded["en"] in reasons
        assert "Dữ liệu cập nhật đến" in driver.find_element(By.ID, "watermark").text
        driver.find_element(By.ID, "close-title").location_once_scrolled_into_view  # noqa: B018
        keep(browser.screenshot(driver, tmp_path / "close.png"), "close-results.png")
        assert serious_violations(driver) == []


def test_a_seizure_notice_is_labelled_and_paging_reaches_it(site: Site, tmp_path: Path) -> None:
    with browser.chromium(tmp_path) as driver:
        driver.get(f"{site.url}/tra-cuu?criterion=debtor_name&value={quote(NAME_TYPED)}")
        first_page = numbers_in(driver, "exact")
        driver.find_element(By.CSS_SELECTOR, "nav.paging a[rel=next]").click()
        wait_until(lambda: "page=2" in driver.current_url, deadline_s=30, what="page 2")
        second_page = numbers_in(driver, "exact")
        assert len(first_page) == 20 and len(second_page) == EXACT_MORTGAGES + 1 - 20
        assert not set(first_page) & set(second_page)
        assert "Trang 2/2" in driver.find_element(By.CSS_SELECTOR, "nav.paging").text
        notice = driver.find_element(
            By.XPATH, f"//li[contains(@class,'notice')][.//span[@class='regno' and "
                      f"text()='{SEIZURE_NUMBER}']]")
        assert "Thông báo kê biên" in notice.text and "Seizure notice" in notice.text
        assert "Cơ quan thi hành án" in notice.text
        assert "Người phải thi hành án" in notice.text
        assert "Bên nhận bảo đảm" not in notice.text
        notice.location_once_scrolled_into_view  # noqa: B018 (scrolls for the screenshot)
        keep(browser.screenshot(driver, tmp_path / "seizure-notice.png"), "seizure-notice.png")
        assert serious_violations(driver) == []


def test_the_page_on_a_phone_without_javascript(site: Site, tmp_path: Path) -> None:
    with browser.chromium(tmp_path, window=PHONE) as driver:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
        driver.get(site.url + "/tra-cuu")
        box = driver.find_element(By.ID, "value")
        assert box.get_attribute("placeholder") in ("", None)  # site.js did not run
        search(driver, "debtor_name", NAME_TYPED)
        assert f"({EXACT_MORTGAGES + 1})" in driver.find_element(By.ID, "exact-title").text
        keep(browser.screenshot(driver, tmp_path / "phone.png"), "phone-no-js.png")
        widest = max(e.rect["x"] + e.rect["width"]
                     for e in driver.find_elements(By.CSS_SELECTOR, "form.search, li.result"))
        screen = driver.find_element(By.TAG_NAME, "html").rect["width"]
    # headless Chromium keeps its window at least 500 px wide: still the phone layout
    assert screen < 640 and widest <= screen  # nothing wider than the screen


def test_bad_input_is_answered_beside_the_field(site: Site, tmp_path: Path) -> None:
    with browser.chromium(tmp_path) as driver:
        driver.get(site.url + "/tra-cuu?criterion=chassis_number&value=" + quote("***"))
        error = driver.find_element(By.ID, "value-error")
        assert "Traceback" not in driver.page_source
        assert error.text.strip() and error.find_element(By.CSS_SELECTOR, "[lang=en]").text
        assert driver.find_element(By.ID, "value").get_attribute("aria-invalid") == "true"
        keep(browser.screenshot(driver, tmp_path / "bad-input.png"), "bad-input.png")
        assert serious_violations(driver) == []


def test_the_form_by_keyboard_alone(site: Site, tmp_path: Path) -> None:
    with browser.chromium(tmp_path) as driver:
        driver.get(site.url + "/")
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        assert driver.switch_to.active_element.get_attribute("class") == "skip"
        stops = []
        for _ in range(8):
            driver.switch_to.active_element.send_keys(Keys.TAB)
            active = driver.switch_to.active_element
            stops.append(active.get_attribute("id") or active.tag_name)
        assert stops.index("criterion") < stops.index("value") < stops.index("button"), stops
        box = driver.find_element(By.ID, "value")
        box.send_keys(NAME_TYPED, Keys.ENTER)  # Enter in the box submits the form
        wait_until(lambda: driver.find_elements(By.ID, "exact"), deadline_s=30,
                   what="results after Enter")
        browser.screenshot(driver, tmp_path / "keyboard.png")


def test_docs_load_with_no_request_off_the_machine(site: Site, tmp_path: Path) -> None:
    with browser.chromium(tmp_path) as driver:
        driver.get(site.url + "/docs")
        wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, ".swagger-ui .info .title"),
                   deadline_s=30, what="Swagger UI rendered")
        wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, ".opblock"),
                   deadline_s=30, what="operations listed")
        resources = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)")
        keep(browser.screenshot(driver, tmp_path / "docs.png"), "docs.png")
    assert resources, "Swagger UI loaded nothing"
    off_site = [url for url in resources if not url.startswith(site.url + "/")]
    assert off_site == []


def test_the_search_is_plain_html(site: Site) -> None:
    """What a browser without JavaScript (or a screen reader's fetch) receives."""
    pages = []
    for number in (1, 2):
        page = httpx.get(f"{site.url}/tra-cuu", timeout=30, params={
            "criterion": "debtor_name", "value": NAME_TYPED, "page": str(number)})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        parsed = Parsed()
        parsed.feed(page.text)
        assert set(CLOSE_NAMES) <= set(parsed.regnos)  # the close tier on every page
        assert parsed.forms == [("get", "/tra-cuu")]
        assert all(not src.startswith("http") for src in parsed.sources), parsed.sources
        pages.append([n for n in parsed.regnos if n not in CLOSE_NAMES])
    assert len(pages[0]) == 20 and len(pages[0] + pages[1]) == EXACT_MORTGAGES + 1
    beyond = httpx.get(f"{site.url}/tra-cuu", timeout=30, params={
        "criterion": "debtor_name", "value": NAME_TYPED, "page": "99"})
    assert beyond.status_code == 200 and "về trang đầu" in beyond.text
    assert SEIZURE_NUMBER in pages[0] + pages[1]


class Parsed(HTMLParser):
    """Registration numbers, forms and resource URLs of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.regnos: list[str] = []
        self.forms: list[tuple[str, str]] = []
        self.sources: list[str] = []
        self._in_regno = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self._in_regno = found.get("class") == "regno"
        if tag == "form":
            self.forms.append((found.get("method") or "", found.get("action") or ""))
        for key in ("src", "href"):
            if tag in ("script", "link", "img") and found.get(key):
                self.sources.append(str(found[key]))

    def handle_data(self, data: str) -> None:
        if self._in_regno:
            self.regnos.append(data.strip())
            self._in_regno = False
