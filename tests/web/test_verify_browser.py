"""The verification page in real Chromium: a certificate issued through the API reads
genuine from its QR link, a tampered copy uploaded reads not genuine, and so does its
number with a wrong hash; a number alone asks for the hash."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests import browser
from tests.conftest import wait_until
from tests.web.site import NAME_TYPED, Site, keep, serious_violations

pytestmark = pytest.mark.services
GENUINE_VI = "Văn bản chứng nhận hợp lệ, chưa bị thay đổi."
NOT_GENUINE_EN = "The certificate is NOT genuine"


@pytest.fixture(scope="module")
def issued(site: Site) -> dict[str, Any]:
    """A certificate of a public search, issued through the API for a bank's key."""
    import accounts

    with psycopg.connect(os.environ["REGSEARCH_APP_DSN"], autocommit=True) as conn:
        bank = accounts.create_account(conn, "Ngân hàng TMCP Thử nghiệm", "customer")
        key = accounts.issue_key(conn, bank)
    answer = httpx.post(f"{site.url}/v1/certificates", json={"debtor_name": NAME_TYPED},
                        headers={"x-api-key": key}, timeout=120)
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    body["pdf"] = httpx.get(f"{site.url}/v1/certificates/{body['number']}.pdf",
                            headers={"x-api-key": key}, timeout=60).content
    assert body["pdf"].startswith(b"%PDF")
    return body


def verdict_of(driver: WebDriver) -> tuple[str, str]:
    """The verdict shown (its class) and its words."""
    shown = wait_until(lambda: driver.find_elements(By.ID, "verdict"), deadline_s=30,
                       what="a verdict shown")[0]
    classes = (shown.get_attribute("class") or "").split()
    return next(c for c in classes if c != "verdict"), shown.text


def shown_now(driver: WebDriver) -> str | None:
    """The verdict's class now (None while the next page loads)."""
    try:
        return verdict_of(driver)[0]
    except StaleElementReferenceException:
        return None


def tampered(pdf: bytes) -> bytes:
    """The PDF with one byte changed, in the middle of the signed content."""
    at = len(pdf) // 3
    return pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1:]


def test_the_qr_link_reads_genuine_and_the_verdict_comes_first(
        site: Site, issued: dict[str, Any], tmp_path: Path) -> None:
    path = issued["links"]["verify"].split("://", 1)[-1].split("/", 1)[1]
    with browser.chromium(tmp_path) as driver:
        driver.get(f"{site.url}/{path}")
        verdict, words = verdict_of(driver)
        assert verdict == "genuine" and GENUINE_VI in words
        assert "The certificate is genuine and unchanged." in words
        main = driver.find_element(By.ID, "main")
        first = main.find_elements(By.CSS_SELECTOR, "h1 ~ *")[0]
        assert first.get_attribute("id") == "verdict"  # before the details and the forms
        details = driver.find_element(By.ID, "details").text
        assert issued["number"] in details and issued["content_hash"] in details
        assert "(UTC+7)" in details
        keep(browser.screenshot(driver, tmp_path / "genuine.png"), "verify-genuine.png")
        assert serious_violations(driver) == []


def test_a_tampered_pdf_uploaded_reads_not_genuine(
        site: Site, issued: dict[str, Any], tmp_path: Path) -> None:
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(tampered(issued["pdf"]))
    original = tmp_path / "original.pdf"
    original.write_bytes(issued["pdf"])
    with browser.chromium(tmp_path) as driver:
        driver.get(f"{site.url}/xac-minh")
        assert serious_violations(driver) == []
        keep(browser.screenshot(driver, tmp_path / "form.png"), "verify-form.png")
        driver.find_element(By.ID, "file").send_keys(str(changed))
        driver.find_element(By.CSS_SELECTOR, "form[enctype] button").click()
        verdict, words = verdict_of(driver)
        assert verdict == "not_genuine" and NOT_GENUINE_EN in words, words
        assert GENUINE_VI not in words
        keep(browser.screenshot(driver, tmp_path / "tampered.png"), "verify-tampered.png")
        assert serious_violations(driver) == []
        driver.find_element(By.ID, "file").send_keys(str(original))  # the untouched file
        driver.find_element(By.CSS_SELECTOR, "form[enctype] button").click()
        wait_until(lambda: shown_now(driver) == "genuine", deadline_s=30,
                   what="the original reads genuine")
        assert issued["number"] in driver.find_element(By.ID, "details").text


def test_a_number_with_a_wrong_hash_reads_not_genuine(
        site: Site, issued: dict[str, Any], tmp_path: Path) -> None:
    with browser.chromium(tmp_path) as driver:
        driver.get(f"{site.url}/xac-minh")
        driver.find_element(By.ID, "number").send_keys(issued["number"])
        driver.find_element(By.ID, "sha256").send_keys("0" * 64)
        driver.find_element(By.CSS_SELECTOR, "form[method=get] button").click()
        verdict, words = verdict_of(driver)
        assert verdict == "not_genuine" and NOT_GENUINE_EN in words
        assert issued["content_hash"] not in driver.page_source  # nothing revealed
        keep(browser.screenshot(driver, tmp_path / "wrong-hash.png"), "verify-wrong-hash.png")
        driver.get(f"{site.url}/verify/{issued['number']}")  # the number alone
        verdict, words = verdict_of(driver)
        assert verdict == "hash_required" and "sha256" in words
        assert serious_violations(driver) == []
    as_json = httpx.get(f"{site.url}/verify/{issued['number']}", timeout=30,
                        params={"sha256": issued["content_hash"]},
                        headers={"accept": "application/json"})
    assert as_json.json()["verdict"] == "genuine"  # the JSON answer as before
    to_page = httpx.get(f"{site.url}/v1/certificates/{issued['number']}/verify",
                        params={"sha256": "00"}, headers={"accept": "text/html"}, timeout=30)
    assert to_page.status_code == 303
    assert to_page.headers["location"] == f"/verify/{issued['number']}?sha256=00"


def test_the_verification_page_on_a_phone(
        site: Site, issued: dict[str, Any], tmp_path: Path) -> None:
    with browser.chromium(tmp_path, window=(390, 844)) as driver:
        driver.get(f"{site.url}/verify/{issued['number']}?sha256={issued['content_hash']}")
        assert verdict_of(driver)[0] == "genuine"
        keep(browser.screenshot(driver, tmp_path / "phone.png"), "verify-phone.png")
        screen = driver.find_element(By.TAG_NAME, "html").rect["width"]
        widest = max(e.rect["x"] + e.rect["width"] for e in driver.find_elements(
            By.CSS_SELECTOR, "#verdict, #details, form.panel"))
    assert widest <= screen
