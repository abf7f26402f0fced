"""The OpenAPI document describes the service: schemathesis sends every operation 25
generated requests, with and without a customer's key, to the API served by uvicorn on
the real services, and fails on any 5xx, any status or content type the document does not
declare for the operation, and any body that does not match its declared schema.

With the key, about half the requests to an operation on one batch or certificate name
the customer's own (a batch submitted and a certificate issued before), so that the
answers about real ones (status, results files, the PDF, the verdict) are held to their
schemas too, not only the 404s for numbers nobody issued.

Bounded: 25 examples an operation and key, no shrinking, derandomised (the same requests
every run), no deadline. About 700 requests in all.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.test_search_end_to_end import REGISTRATION, commit
from tests.conftest import REPO, IndexerProcess, _reset_index, _reset_registry, wait_until

pytestmark = pytest.mark.services

#: Ports the API may listen on here: the first free one (a namespace picks its own range).
PORTS = range(int(os.environ.get("REGSEARCH_TEST_API_PORT", "8141")),
              int(os.environ.get("REGSEARCH_TEST_API_PORT", "8141")) + 8)
EXAMPLES = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def _document() -> dict[str, Any]:
    from server.app import create_app

    document: dict[str, Any] = create_app().openapi()
    return document


DOCUMENT = _document()
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)
OPERATIONS = sorted((method.upper(), path) for path, item in DOCUMENT["paths"].items()
                    for method in item)


class ServedApi:
    def __init__(self, base_url: str, key: str, log: Path) -> None:
        self.base_url, self.key, self.log = base_url, key, log
        #: path and query parameters naming the customer's own batch and certificate
        self.own: dict[str, str] = {}

    def make_own(self) -> None:
        headers = {"X-API-Key": self.key}
        batch = httpx.post(f"{self.base_url}/v1/batches", headers=headers, timeout=60,
                           files={"file": ("rows.csv", b"debtor_name\nNguyen Thi Nhu Quynh\n",
                                           "text/csv")})
        assert batch.status_code == 202, batch.text
        issued = httpx.post(f"{self.base_url}/v1/certificates", headers=headers, timeout=60,
                            json={"debtor_name": "Nguyen Thi Nhu Quynh"})
        assert issued.status_code == 201, issued.text
        self.own = {"batch_id": batch.json()["batch"]["id"], "number": issued.json()["number"],
                    "sha256": issued.json()["content_hash"]}

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


@pytest.fixture(scope="module")
def served(settings: Any, es_client: Any, app_database: str,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApi]:
    """A registry with one registration, its indexer, a customer's key, and the API as
    people run it: uvicorn in a process of its own."""
    import accounts

    logs = tmp_path_factory.mktemp("conformance")
    _reset_registry(settings)
    _reset_index(es_client, settings)
    indexer = IndexerProcess(logs / "indexer.log")
    indexer.start()
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        key = accounts.issue_key(conn, accounts.create_account(
            conn, "Ngân hàng TMCP Kiểm thử Hợp đồng", "customer"))
    log = logs / "api.log"
    port = _free_port()
    with log.open("ab") as out:
        api = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "server.app:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            stdout=out, stderr=subprocess.STDOUT, cwd=REPO, env=dict(os.environ))
    served_api = ServedApi(f"http://127.0.0.1:{port}", key, log)
    try:
        commit(REGISTRATION)
        wait_until(lambda: _searchable(served_api.base_url), deadline_s=90,
                   what="the API serving an index with the registration: "
                   + served_api.log_tail() + indexer.log_text()[-2000:])
        served_api.make_own()
        yield served_api
    finally:
        api.terminate()
        api.wait(timeout=20)
        indexer.stop()


def _free_port() -> int:
    from server.serve import ListenError, claim

    for port in PORTS:
        try:
            return claim("127.0.0.1", port)
        except ListenError:
            continue
    raise AssertionError(f"no free port in {PORTS}")


def _searchable(base_url: str) -> bool:
    try:
        found = httpx.post(f"{base_url}/v1/search", json={"debtor_name": "Nguyen Thi Nhu Quynh"},
                           timeout=5)
    except httpx.HTTPError:
        return False
    return found.status_code == 200 and found.json()["exact"]["count"] == 1


@pytest.mark.parametrize("key", ["anonymous", "customer"])
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_the_operation_answers_as_documented(served: ServedApi, method: str, path: str,
                                             key: str) -> None:
    operation = SCHEMA[path][method]
    headers = {"X-API-Key": served.key} if key == "customer" else {}

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(), own=st.booleans())
    def answers_as_documented(case: Any, own: bool) -> None:
        if key == "anonymous" and case.headers:
            case.headers.pop("X-API-Key", None)
        if own:
            _name_own(case, served.own)
        try:
            case.call_and_validate(base_url=served.base_url, headers=headers, checks=CHECKS)
        except Exception as exc:
            exc.add_note("API log:\n" + served.log_tail())
            raise

    answers_as_documented()


def _name_own(case: Any, own: dict[str, str]) -> None:
    """The case, about the customer's own batch or certificate (with its hash)."""
    path = case.path_parameters or {}
    for name in path:
        if name in own:
            path[name] = own[name]
    if "number" in path and case.query is not None and "sha256" in case.query:
        case.query["sha256"] = own["sha256"]
