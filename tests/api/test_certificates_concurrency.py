"""Certificates asked for at once (issue 19, item 1): 32 clients, each its own connection,
against a real uvicorn server and the real services. Every request answers 201, every
number is different, and every PDF verifies."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import psycopg
import pytest
import uvicorn

from tests.api.test_search_end_to_end import REGISTRATION, commit
from tests.conftest import IndexerProcess, wait_until

pytestmark = pytest.mark.services
CLIENTS = 32


@pytest.fixture()
def api_url(indexer: IndexerProcess, app_database: str) -> Iterator[str]:
    """A real uvicorn server (one worker, in this process) on a free port."""
    from server.app import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            return httpx.get(f"{url}/readyz", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(ready, deadline_s=60, what="API ready: " + indexer.log_text()[-2000:])
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def test_32_certificates_at_once_are_all_issued_numbered_apart_and_verify(
        api_url: str, settings: Any) -> None:
    import accounts
    from certify.signer import load_signer
    from certify.verify import verify_pdf

    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        keys = [accounts.issue_key(conn, accounts.create_account(
            conn, f"Ngân hàng {i} / bank {i}", "customer")) for i in range(CLIENTS)]
    commit(REGISTRATION)
    body = {"chassis_number": "RLHJC5218HY012345"}

    def found() -> bool:
        answer = httpx.post(f"{api_url}/v1/search", json=body, timeout=30)
        return answer.status_code == 200 and answer.json()["exact"]["count"] == 1

    wait_until(found, deadline_s=60, what="the registration searchable")
    start = threading.Barrier(CLIENTS)

    def one(key: str) -> tuple[int, dict[str, Any] | str, bytes]:
        with httpx.Client(base_url=api_url, timeout=120,
                          headers={"x-api-key": key}) as client:
            start.wait(timeout=60)
            answer = client.post("/v1/certificates", json=body)
            if answer.status_code != 201:
                return answer.status_code, answer.text, b""
            issued: dict[str, Any] = answer.json()
            pdf = client.get(f"/v1/certificates/{issued['number']}.pdf").content
            return answer.status_code, issued, pdf

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(one, keys))
    failed = [(status, text) for status, text, _ in results if status != 201]
    assert not failed, f"{len(failed)} of {CLIENTS} not issued: {failed[:3]}"
    issued = [answer for _, answer, _ in results if isinstance(answer, dict)]
    assert len({answer["number"] for answer in issued}) == CLIENTS
    assert all(answer["exact_count"] == 1 for answer in issued)
    roots = load_signer(settings).roots
    for answer, (_, _, pdf) in zip(issued, results, strict=True):
        verdict = verify_pdf(pdf, roots, expected_hash=answer["content_hash"])
        assert verdict.genuine, verdict.reasons
        assert verdict.certificate_number == answer["number"]
