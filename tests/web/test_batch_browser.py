"""The batch page in real Chromium, with a real Celery worker: a bank's user signs in,
checks a file (the report as a page), submits it, watches the progress bar to the end
and downloads the results from the page."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests import browser
from tests.conftest import REPO, wait_until
from tests.service_env import TEST_REDIS_DB, named
from tests.web.signed_in import Person, open_account
from tests.web.site import PORT, SEIZURE_NUMBER, Site, keep, serious_violations, uvicorn

pytestmark = pytest.mark.services
QUEUE = named("test-web-batch", "-")
ROWS = 240  # several chunks of 100: the progress moves
BAD_ROWS = 3


def broker_env() -> dict[str, str]:
    base = os.environ.get("REGSEARCH_REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
    return {"REGSEARCH_BATCH_BROKER_URL": f"{base}/{TEST_REDIS_DB}",
            "REGSEARCH_BATCH_QUEUE": QUEUE, "REGSEARCH_BATCH_CHUNK_ROWS": "100"}


@pytest.fixture(scope="module")
def batch_site(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An API of the page tests' registry with the batch queue of this module, and one
    Celery worker on it (stopped with its pool at the end)."""
    import redis

    work = tmp_path_factory.mktemp("batch-site")
    env = broker_env()
    redis.Redis.from_url(env["REGSEARCH_BATCH_BROKER_URL"]).delete(QUEUE)
    log_path = work / "worker.log"
    with log_path.open("ab") as log:
        worker = subprocess.Popen(
            [str(Path(sys.executable).parent / "celery"), "-A", "batch.worker", "worker",
             "--concurrency", "1", "--loglevel", "INFO", "--hostname", f"{QUEUE}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-Q", QUEUE],
            stdout=log, stderr=subprocess.STDOUT, cwd=REPO, env={**os.environ, **env},
            start_new_session=True)
    try:
        wait_until(lambda: "ready." in log_path.read_text(errors="replace"), deadline_s=90,
                   what="celery worker ready: " + log_path.read_text(errors="replace")[-2000:])
        with uvicorn(work, PORT + 2, **env) as url:
            yield url
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)


@pytest.fixture(scope="module")
def banker(batch_site: str) -> Person:
    from core.settings import get_settings

    return open_account(get_settings(), "batch")


def batch_file(path: Path) -> Path:
    names = ["Nguyen Van Tu", "Văn Tú Nguyễn", "Tran Thi Binh", "Công ty TNHH Đông Á"]
    lines = ["Tên bên bảo đảm,Mã tham chiếu"]
    lines += [f"{names[i % len(names)]},HS-{i:04d}" for i in range(ROWS - BAD_ROWS)]
    lines += [f"***,HS-BAD-{i}" for i in range(BAD_ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def sign_in(driver: WebDriver, url: str, person: Person, check: bool = True) -> None:
    """Through the sign-in form (``check``: axe on it; needs JavaScript) to the batch page."""
    driver.get(f"{url}/dang-nhap?next=/tai-khoan/lo")
    if check:
        assert serious_violations(driver) == []  # the sign-in page
    driver.find_element(By.ID, "email").send_keys(person.email)
    driver.find_element(By.ID, "password").send_keys(person.password)
    driver.find_element(By.ID, "sign-in").click()
    wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, "form.batch-form"),
               deadline_s=60, what="the batch page after sign-in")


def state_of(driver: WebDriver) -> str | None:
    """The batch's state as the page shows it (None while a page loads)."""
    try:
        found = driver.find_elements(By.ID, "batch")
        return found[0].get_attribute("data-state") if found else None
    except WebDriverException:
        return None


def fetched(driver: WebDriver, href: str) -> dict[str, Any]:
    """``href`` fetched by the page itself (its session cookie): status, type, text."""
    found: dict[str, Any] = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then(r => r.text().then(t => done("
        "{status: r.status, type: r.headers.get('content-type'), text: t})));", href)
    return found


def test_a_batch_from_upload_to_download(batch_site: str, banker: Person,
                                         tmp_path: Path) -> None:
    upload = batch_file(tmp_path / "ho-so.csv")
    with browser.chromium(tmp_path) as driver:
        driver.set_script_timeout(60)
        sign_in(driver, batch_site, banker)
        assert serious_violations(driver) == []
        driver.find_element(By.ID, "file").send_keys(str(upload))
        driver.find_element(By.CSS_SELECTOR, "button[value=check]").click()
        report = wait_until(lambda: driver.find_elements(By.ID, "report"), deadline_s=60,
                            what="the file's report")[0].text
        assert f"{ROWS}" in report and "Không hợp lệ" in report and "Invalid rows" in report
        keep(browser.screenshot(driver, tmp_path / "report.png"), "batch-report.png")
        assert serious_violations(driver) == []

        driver.find_element(By.ID, "file").send_keys(str(upload))  # chosen again
        driver.find_element(By.CSS_SELECTOR, "button[value=submit]").click()
        bar = wait_until(lambda: driver.find_elements(By.ID, "progress"), deadline_s=60,
                         what="the progress bar")[0]
        assert bar.get_attribute("max") == "100"
        keep(browser.screenshot(driver, tmp_path / "progress.png"), "batch-progress.png")
        wait_until(lambda: state_of(driver) == "done", deadline_s=240, interval_s=0.5,
                   what="the page showing the batch done")  # batch.js reloads the page
        assert driver.find_element(By.ID, "progress").get_attribute("value") == "100"
        links = [a.get_attribute("href") for a in
                 driver.find_elements(By.CSS_SELECTOR, "#downloads a")]
        assert len(links) == 3 and driver.find_element(By.ID, "downloads").is_displayed()
        keep(browser.screenshot(driver, tmp_path / "done.png"), "batch-done.png")
        assert serious_violations(driver) == []
        as_csv = fetched(driver, next(h for h in links if h.endswith("format=csv")))
        assert as_csv["status"] == 200 and as_csv["type"].startswith("text/csv")
        assert SEIZURE_NUMBER in as_csv["text"], as_csv["text"][:3000]
        as_xlsx = fetched(driver, next(h for h in links if h.endswith("format=xlsx")))
        assert as_xlsx["status"] == 200 and "spreadsheetml" in as_xlsx["type"]
        as_jsonl = fetched(driver, next(h for h in links if h.endswith("format=jsonl")))
        assert as_jsonl["status"] == 200
        assert len(as_jsonl["text"].strip().splitlines()) == ROWS


def test_the_progress_page_without_javascript(batch_site: str, banker: Person,
                                              tmp_path: Path) -> None:
    """No script: the page refreshes itself until the batch has ended."""
    upload = batch_file(tmp_path / "ho-so.csv")
    with browser.chromium(tmp_path, window=(390, 844)) as driver:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
        sign_in(driver, batch_site, banker, check=False)
        driver.find_element(By.ID, "file").send_keys(str(upload))
        driver.find_element(By.CSS_SELECTOR, "button[value=submit]").click()
        wait_until(lambda: driver.find_elements(By.ID, "progress"), deadline_s=60,
                   what="the progress page")
        wait_until(lambda: state_of(driver) == "done", deadline_s=240, interval_s=0.5,
                   what="the page refreshed to the end")
        assert driver.find_element(By.ID, "downloads").is_displayed()
        keep(browser.screenshot(driver, tmp_path / "phone.png"), "batch-phone-no-js.png")
        screen = driver.find_element(By.TAG_NAME, "html").rect["width"]
        widest = max(e.rect["x"] + e.rect["width"]
                     for e in driver.find_elements(By.CSS_SELECTOR, "main section"))
    assert widest <= screen
