"""Headless Chromium from Debian, driven by selenium (``tests/browser.py``), opens a page
served on localhost and saves a screenshot."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from tests import browser

pytestmark = pytest.mark.services

PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Tra cứu giao dịch bảo đảm</title></head>
<body><h1 id="title">Tra cứu giao dịch bảo đảm</h1>
<p id="watermark">Dữ liệu cập nhật đến 23:59 ngày 30/11/2026</p>
<script>document.getElementById("title").dataset.js = "ran";</script></body></html>
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[str]:
    """A static page on 127.0.0.1 (an ephemeral port), the way the web pages will be."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(PAGE, encoding="utf-8")
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


def test_headless_chromium_shows_a_local_page_and_saves_a_screenshot(
        served: str, tmp_path: Path) -> None:
    with browser.chromium(tmp_path) as driver:
        driver.get(served)
        assert driver.title == "Tra cứu giao dịch bảo đảm"
        title = driver.find_element(By.ID, "title")
        assert title.get_attribute("data-js") == "ran"
        assert "Dữ liệu cập nhật đến" in driver.find_element(By.ID, "watermark").text
        shot = browser.screenshot(driver, tmp_path / "smoke.png")
    png = shot.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
    width = int.from_bytes(png[16:20], "big")
    assert width == browser.WINDOW[0]
