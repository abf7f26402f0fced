"""Headless Chromium (Debian's ``chromium`` and ``chromium-driver``) driven by selenium.

``chromium(profile_dir)`` starts a browser with a fresh profile and no network of its own
(no updates, sync or QUIC); ``screenshot`` saves what it shows. Browser tests use it as::

    with browser.chromium(tmp_path) as driver:
        driver.get(url)
        browser.screenshot(driver, tmp_path / "page.png")

or through the ``chromium_driver`` fixture (import it into the test module).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

FLAGS = (
    "--headless",
    "--no-sandbox",  # root in a container has no user namespace for the sandbox
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",  # /dev/shm is small in containers
    "--lang=vi-VN",
)
WINDOW = (1280, 900)
PAGE_LOAD_TIMEOUT_S = 60


def executables() -> tuple[str, str]:
    """Chromium and chromedriver, as installed by ``regsearch services up``."""
    browser = shutil.which("chromium")
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        pytest.fail("chromium and chromium-driver are not installed; run `regsearch services up`")
    return browser, driver


@contextmanager
def chromium(work_dir: Path, window: tuple[int, int] = WINDOW) -> Iterator[webdriver.Chrome]:
    """A headless Chromium with a fresh profile in ``work_dir``; quit on leaving."""
    browser, driver_path = executables()
    options = Options()
    options.binary_location = browser
    for flag in FLAGS:
        options.add_argument(flag)
    profile = work_dir / "chromium-profile"
    profile.mkdir(parents=True, exist_ok=True)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={window[0]},{window[1]}")
    # a driver path given: selenium's manager downloads nothing
    service = Service(executable_path=driver_path,
                      log_output=str(work_dir / "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(PAGE_LOAD_TIMEOUT_S)
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(driver: webdriver.Chrome, path: Path) -> Path:
    """Save the page as PNG at ``path`` (fails if Chromium could not)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    assert driver.save_screenshot(str(path)), f"no screenshot saved to {path}"
    return path


@pytest.fixture()
def chromium_driver(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    with chromium(tmp_path) as driver:
        yield driver
