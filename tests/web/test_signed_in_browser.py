"""Signed-in pages in real Chromium against a real API, indexer, registry and database: a
court clerk searches and issues a free certificate; a bank's administrator adds a user
who then signs in; refusals (wrong password, forged form) and a password change."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from tests import browser
from tests.conftest import wait_until
from tests.web.signed_in import RUN, Person, charge_and_state, open_account
from tests.web.site import NAME_TYPED, Site, keep
from tests.web.test_pages_browser import PHONE, search, serious_violations

pytestmark = pytest.mark.services
FULL_ID = "001190012345"  # as registered; the public sees ********2345
# the site is the package's (tests/web/conftest.py): a site of this module's own would
# recreate the test databases under the package's running API


def shot(driver: WebDriver, tmp_path: Path, name: str) -> None:
    keep(browser.screenshot(driver, tmp_path / name), name, prefix="hb-")


def sign_in(driver: WebDriver, site: Site, email: str, password: str,
            next_path: str = "") -> None:
    driver.get(f"{site.url}/dang-nhap" + (f"?next={next_path}" if next_path else ""))
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "sign-in").click()
    wait_until(lambda: driver.find_elements(By.ID, "who") or driver.find_elements(
        By.CSS_SELECTOR, "[role=alert]"), deadline_s=30, what="signed in or refused")


def accessible(driver: WebDriver) -> None:
    """No serious or critical violation by axe (the nodes at fault named if any)."""
    found = serious_violations(driver)
    assert found == [], [(v["id"], [n["html"] for n in v["nodes"]]) for v in found]


def cookies_of(driver: WebDriver) -> dict[str, str]:
    return {c["name"]: c["value"] for c in driver.get_cookies()}


def test_a_court_clerk_searches_and_issues_a_free_certificate(
        site: Site, settings: Any, tmp_path: Path) -> None:
    clerk = open_account(settings, "clerk", "agency", "court",
                         name="Tòa án nhân dân quận Ba Đình")
    with browser.chromium(tmp_path) as driver:
        sign_in(driver, site, clerk.email, clerk.password, next_path="/tra-cuu")
        assert driver.current_url.endswith("/tra-cuu")
        who = driver.find_element(By.ID, "who").text
        assert "Nguyễn Văn An" in who and "Tòa án nhân dân quận Ba Đình" in who
        search(driver, "debtor_name_individual", NAME_TYPED)
        assert FULL_ID in driver.page_source  # the account sees what its key sees
        fee = driver.find_element(By.ID, "certify-fee").text
        assert "miễn phí" in fee and "Điều 59 khoản 2" in fee
        shot(driver, tmp_path, "clerk-search.png")
        accessible(driver)
        driver.find_element(By.ID, "issue-certificate").click()
        wait_until(lambda: driver.find_elements(By.ID, "certificate-number"), deadline_s=60,
                   what="the certificate issued: " + driver.page_source[-1500:])
        number = driver.find_element(By.ID, "certificate-number").text.strip()
        assert "Miễn phí" in driver.find_element(By.ID, "certificate-fee").text
        shot(driver, tmp_path, "clerk-certificate.png")
        accessible(driver)
        link = driver.find_element(By.ID, "download-pdf").get_attribute("href") or ""
        jar = cookies_of(driver)
    pdf = httpx.get(link, cookies=jar, timeout=30)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and number in link
    (tmp_path / f"{number}.pdf").write_bytes(pdf.content)
    verdict = httpx.post(f"{site.url}/v1/certificates/verify", timeout=60,
                         files={"file": (f"{number}.pdf", pdf.content, "application/pdf")})
    assert verdict.status_code == 200 and verdict.json()["genuine"] is True, verdict.text
    assert httpx.get(link, timeout=30, follow_redirects=False).status_code == 303  # not signed in


def test_a_bank_administrator_adds_a_user_who_then_signs_in(
        site: Site, settings: Any, tmp_path: Path) -> None:
    bank = open_account(settings, "bank", name="Ngân hàng TMCP Thử Nghiệm")
    new_email, new_password = f"binh.{RUN}.{uuid.uuid4().hex[:6]}@example.vn", "Bình mật khẩu 99"
    number = charge_and_state(settings, bank, "CN-2026-TEST")
    with browser.chromium(tmp_path) as driver:
        sign_in(driver, site, bank.email, bank.password)
        assert driver.current_url.endswith("/tai-khoan")
        assert "30.000 ₫" in driver.find_element(By.ID, "balance").text
        shot(driver, tmp_path, "bank-account.png")
        accessible(driver)
        driver.get(site.url + "/tai-khoan/giao-dich")
        assert "CN-2026-TEST" in driver.find_element(By.ID, "transactions").text
        shot(driver, tmp_path, "bank-transactions.png")
        accessible(driver)
        driver.get(site.url + "/tai-khoan/thong-bao-phi")
        link = driver.find_element(By.CSS_SELECTOR, f"a[href$='{number}.pdf']")
        statement = httpx.get(link.get_attribute("href") or "", cookies=cookies_of(driver),
                              timeout=30)
        assert statement.content.startswith(b"%PDF")
        shot(driver, tmp_path, "bank-statements.png")
        accessible(driver)
        driver.get(site.url + "/tai-khoan/nguoi-dung")
        driver.find_element(By.ID, "name").send_keys("Lê Thị Bình")
        driver.find_element(By.ID, "email").send_keys(new_email)
        Select(driver.find_element(By.ID, "role")).select_by_value("user")
        driver.find_element(By.ID, "password").send_keys(new_password)
        driver.find_element(By.ID, "add-user").click()
        wait_until(lambda: driver.find_elements(By.ID, "user-added"), deadline_s=30,
                   what="the user added: " + driver.page_source[-1500:])
        assert driver.find_element(By.ID, "added-key").text.startswith("rs_")
        assert new_email in driver.find_element(By.ID, "users").text
        shot(driver, tmp_path, "bank-users.png")
        accessible(driver)
        driver.find_element(By.ID, "sign-out").click()
        wait_until(lambda: driver.find_elements(By.ID, "sign-in-link"), deadline_s=30,
                   what="signed out")
        sign_in(driver, site, new_email, new_password)
        assert "Lê Thị Bình" in driver.find_element(By.ID, "who").text
        driver.get(site.url + "/tai-khoan/nguoi-dung")
        assert not driver.find_elements(By.ID, "add-user")  # a user, not an administrator
        driver.get(site.url + "/tai-khoan/khoa-api")
        driver.find_element(By.ID, "new-key-button").click()
        wait_until(lambda: driver.find_elements(By.ID, "new-key"), deadline_s=30,
                   what="a key made")
        shot(driver, tmp_path, "bank-keys.png")
        accessible(driver)


def test_refusals_and_a_password_change_in_the_browser(
        site: Site, settings: Any, tmp_path: Path) -> None:
    person: Person = open_account(settings, "refusals")
    with browser.chromium(tmp_path) as driver:
        sign_in(driver, site, person.email, "Không phải mật khẩu 1")
        error = driver.find_element(By.ID, "signin-error").text
        assert "không đúng" in error and "not right" in error
        shot(driver, tmp_path, "wrong-password.png")
        accessible(driver)
        driver.get(site.url + "/dang-nhap")
        driver.execute_script(
            "document.querySelector('input[name=csrf_token]').value = 'forged';")
        driver.find_element(By.ID, "email").send_keys(person.email)
        driver.find_element(By.ID, "password").send_keys(person.password)
        driver.find_element(By.ID, "sign-in").click()
        wait_until(lambda: driver.find_elements(By.ID, "forbidden"), deadline_s=30,
                   what="the 403 page")
        assert "The form has expired" in driver.find_element(By.ID, "forbidden").text
        shot(driver, tmp_path, "forbidden.png")
        sign_in(driver, site, person.email, person.password, next_path="/tai-khoan/mat-khau")
        new = "Mật khẩu đổi 2027"
        for field, value in (("current_password", person.password), ("new_password", new),
                             ("new_password_again", new)):
            driver.find_element(By.ID, field).send_keys(value)
        driver.find_element(By.ID, "change-password").click()
        wait_until(lambda: driver.find_elements(By.ID, "password-changed"), deadline_s=30,
                   what="the password changed")
        shot(driver, tmp_path, "password-changed.png")
        accessible(driver)
        driver.find_element(By.ID, "sign-out").click()
        wait_until(lambda: driver.find_elements(By.ID, "sign-in-link"), deadline_s=30,
                   what="signed out")
        sign_in(driver, site, person.email, person.password)
        assert driver.find_elements(By.ID, "signin-error")  # the old one stopped working
        sign_in(driver, site, person.email, new)
        assert driver.find_elements(By.ID, "who")
        driver.set_window_size(*PHONE)
        driver.get(site.url + "/tai-khoan")
        shot(driver, tmp_path, "phone-account.png")
        widest = max(e.rect["x"] + e.rect["width"] for e in driver.find_elements(
            By.CSS_SELECTOR, "header.site .wrap > *, nav.tabs, dl.facts"))
        assert widest <= driver.find_element(By.TAG_NAME, "html").rect["width"]
