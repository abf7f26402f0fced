"""A real API (uvicorn, its own process) on the test registry with the real indexer, and
the registrations the page tests search: many exact matches of one name, a seizure
notice, and names that are close to it for different reasons."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from axe_selenium_python import Axe
from selenium.webdriver.remote.webdriver import WebDriver

from tests.conftest import REPO, IndexerProcess, wait_until

#: The page tests' API; another port in a namespace of its own (REGSEARCH_TEST_WEB_PORT).
PORT = int(os.environ.get("REGSEARCH_TEST_WEB_PORT", "8191"))
SCREENS = Path("/work/wt/screens")
NAME_TYPED = "nguyen van tu"  # as a clerk types it: no diacritics
EXACT_MORTGAGES = 23
SEIZURE_NUMBER = "2024-0000009001"
CLOSE_NAMES = {"2024-0000008001": "Văn Tú Nguyễn", "2024-0000008002": "Nguyễn Thị Văn Tú"}


def _registration(number: str, grantor: str, kind: str = "mortgage",
                  secured: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "registration_number": number, "kind": kind,
        "registered_at": "2024-03-05T09:41:00+07:00", "status": "in_force",
        "grantors": [{"party_type": "individual", "name": grantor, "id_type": "cccd",
                      "id_number": "001190012345", "address": "Số 12 phố Huế, Hà Nội"}],
        "secured_parties": [secured or {
            "party_type": "organization", "name": "Ngân hàng TMCP Ngoại thương Việt Nam",
            "id_type": "tax_code", "id_number": "0100112437"}],
        "assets": [{"asset_type": "motor_vehicle", "description": "Xe ô tô con Toyota Vios",
                    "chassis_number": "RLHJC5218HY012345", "plate_number": "30A-123.45"}],
        "events": []}


def corpus() -> list[dict[str, Any]]:
    found = [_registration(f"2024-{1000001 + i:010d}", "Nguyễn Văn Tú")
             for i in range(EXACT_MORTGAGES)]
    found.append(_registration(SEIZURE_NUMBER, "Nguyễn Văn Tú", kind="seizure_notice", secured={
        "party_type": "organization", "name": "Chi cục Thi hành án dân sự quận Ba Đình",
        "id_type": "decision", "id_number": "125/QĐ-CCTHADS"}))
    found += [_registration(number, name) for number, name in CLOSE_NAMES.items()]
    return found


def commit_all(registrations: list[dict[str, Any]]) -> None:
    from registry.db import connect
    from registry.format import parse_registration
    from registry.loader import write_registration

    with connect() as conn, conn.transaction(), conn.cursor() as cur:
        for registration in registrations:
            write_registration(cur, parse_registration(registration))


def serious_violations(driver: WebDriver) -> list[dict[str, Any]]:
    """axe-core's violations of impact serious or critical on the page shown (axe.min.js
    from the axe-selenium-python package: nothing fetched)."""
    axe = Axe(driver)
    axe.inject()
    found: list[dict[str, Any]] = axe.run()["violations"]
    return [v for v in found if v.get("impact") in ("serious", "critical")]


@dataclass(frozen=True)
class Site:
    url: str
    work: Path


def exact_count(url: str) -> int:
    try:
        response = httpx.post(f"{url}/v1/search", json={"debtor_name": NAME_TYPED}, timeout=30)
    except httpx.TransportError:  # not listening yet
        return -1
    return int(response.json()["exact"]["count"]) if response.status_code == 200 else -1


@contextmanager
def uvicorn(work: Path, port: int, **env: str) -> Iterator[str]:
    """The API in a uvicorn process of its own on ``port`` (``env``: settings to override);
    its URL, once it answers ``/healthz``."""
    log = (work / f"api-{port}.log").open("ab")
    api = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "server.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, cwd=REPO, env={**os.environ, **env})
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(url), deadline_s=60, interval_s=0.2,
                   what=f"the API on {port}: " + (work / f"api-{port}.log").read_text(
                       errors="replace")[-2000:])
        yield url
    finally:
        api.terminate()
        api.wait(timeout=20)
        log.close()


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def running_site(work: Path, port: int = PORT) -> Iterator[Site]:
    """The API on ``port`` once the indexer has made every registration searchable."""
    from elasticsearch import Elasticsearch

    from core.settings import get_settings
    from tests.conftest import _reset_index, _reset_registry

    settings = get_settings()
    es = Elasticsearch(settings.es_url, request_timeout=30)
    try:
        _reset_registry(settings)
        _reset_index(es, settings)
    finally:
        es.close()
    commit_all(corpus())
    indexer = IndexerProcess(work / "indexer.log")
    indexer.start()
    try:
        with uvicorn(work, port) as url:
            wait_until(lambda: exact_count(url) == EXACT_MORTGAGES + 1, deadline_s=120,
                       interval_s=0.3, what="registrations searchable: "
                       + indexer.log_text()[-2000:])
            yield Site(url, work)
    finally:
        indexer.stop()


def keep(path: Path, name: str, prefix: str = "h9-") -> None:
    """A copy of a screenshot where the lead looks at them."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, SCREENS / f"{prefix}{name}")
