"""Batch callbacks without a worker (real PostgreSQL, the API in process): a cancelled
batch calls back too, signed, retried after a refusal; a receiver that never answers is
dead-lettered; bad callback URLs and client references are refused with nothing written.
(With a real worker and the delivery process: ``test_callback``.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from tests.batch.receiver import PORT, serve
from tests.conftest import wait_until

pytestmark = pytest.mark.services

REFERENCE = "Sổ vay Q4-2026 (CN Hà Nội)"


@pytest.fixture(scope="module")
def client(app_database: str, settings: Settings) -> Iterator[TestClient]:
    from server.app import create_app

    with TestClient(create_app(settings)) as found:
        yield found


def _key(settings: Settings) -> str:
    import accounts

    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        account = accounts.create_account(conn, "Ngân hàng TMCP Gọi Lại", "customer")
        return accounts.issue_key(conn, account)


def _submit(client: TestClient, key: str, data: bytes, **params: str) -> httpx.Response:
    return client.post("/v1/batches", headers={"x-api-key": key}, params=params,
                       files={"file": ("book.csv", data, "text/csv")})


def _csv(rows: int, reference: str = "HS") -> bytes:
    return ("Số giấy tờ,Mã hồ sơ\n" + "".join(f"0010850{i:05d},{reference}-{i}\n"
                                             for i in range(rows))).encode()


def _deliver_all(settings: Settings, outbox_settings: Settings, job: str,
                 until: str) -> tuple[Any, ...]:
    from batch import callback
    from core import webhooks

    outbox = callback.outbox(outbox_settings)

    def state() -> tuple[Any, ...] | None:
        with psycopg.connect(settings.app_dsn, autocommit=True) as conn, \
                httpx.Client(timeout=2.0) as http:
            while webhooks.deliver_one(conn, http, outbox):
                pass
            row = conn.execute("SELECT state, attempts, last_error, body FROM"
                               " batch_callbacks WHERE job_id = %s", (job,)).fetchone()
        return row if row is not None and row[0] == until else None

    found: tuple[Any, ...] = wait_until(state, deadline_s=60, interval_s=0.2,
                                        what=f"the callback {until}")
    return found


def test_a_cancelled_batch_calls_back_signed_and_retried(
        client: TestClient, settings: Settings) -> None:
    key = _key(settings)
    with serve() as receiver:
        answer = _submit(client, key, _csv(3), client_reference=REFERENCE,
                         callback_url=f"http://127.0.0.1:{PORT}/hooks/batch")
        assert answer.status_code == 202, answer.text
        submitted = answer.json()
        batch_id = submitted["batch"]["id"]
        assert submitted["callback"]["signature_header"] == "X-Regsearch-Signature"
        receiver.secrets[f"batch-{batch_id}"] = submitted["callback"]["secret"]
        cancelled = client.post(f"/v1/batches/{batch_id}/cancel", headers={"x-api-key": key})
        assert cancelled.json()["status"] == "cancelled"
        assert cancelled.json()["callback"]["state"] == "pending"
        fast = settings.model_copy(update={"batch_callback_backoff_s": 0.0})
        _, attempts, error, _ = _deliver_all(settings, fast, batch_id, "delivered")
    assert (attempts, error, receiver.bad_signatures) == (2, None, 0)
    batch = receiver.taken[f"batch-{batch_id}"]["batch"]
    assert (batch["status"], batch["client_reference"]) == ("cancelled", REFERENCE)
    assert batch["rows"]["total"] == 3
    shown = client.get(f"/v1/batches/{batch_id}", headers={"x-api-key": key}).json()
    assert shown["client_reference"] == REFERENCE
    assert shown["callback"]["state"] == "delivered" and "secret" not in json.dumps(shown)
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        ledger = conn.execute("SELECT kind, client_reference FROM usage_ledger"
                              " WHERE reference = %s", (batch_id,)).fetchall()
    assert ledger == [("batch", REFERENCE)]


def test_a_receiver_that_never_answers_is_dead_lettered(
        client: TestClient, settings: Settings) -> None:
    key = _key(settings)
    answer = _submit(client, key, _csv(2), callback_url="http://127.0.0.1:8262/nobody")
    assert answer.status_code == 202, answer.text
    batch_id = answer.json()["batch"]["id"]
    assert answer.json()["batch"]["client_reference"] is None
    client.post(f"/v1/batches/{batch_id}/cancel", headers={"x-api-key": key})
    few = settings.model_copy(update={"batch_callback_attempts": 3,
                                      "batch_callback_backoff_s": 0.0})
    _, attempts, error, body = _deliver_all(settings, few, batch_id, "dead")
    assert attempts == 3 and "Connect" in error
    assert json.loads(bytes(body))["batch"]["status"] == "cancelled"
    shown = client.get(f"/v1/batches/{batch_id}", headers={"x-api-key": key}).json()
    assert shown["callback"]["state"] == "dead" and shown["callback"]["attempts"] == 3


@pytest.mark.parametrize("params, field, rule", [
    ({"callback_url": "https://user:pw@bank.example/cb"}, "callback_url", "credentials_in_url"),
    ({"callback_url": "ftp://bank.example/cb"}, "callback_url", "invalid_url"),
    ({"callback_url": "javascript:alert(1)"}, "callback_url", "invalid_url"),
    ({"callback_url": "https://bank.example/" + "a" * 2000}, "callback_url", "too_long"),
    ({"client_reference": "=1+1"}, "client_reference", "client_reference_characters"),
    ({"client_reference": "R" * 65}, "client_reference", "max_length"),
])
def test_hostile_options_are_refused_and_nothing_is_written(
        client: TestClient, settings: Settings, params: dict[str, str], field: str,
        rule: str) -> None:
    _refused(client, settings, params, field, rule)


def test_a_plain_http_callback_is_refused_outside_development(settings: Settings) -> None:
    from server.app import create_app

    strict = settings.model_copy(update={"batch_callback_allow_http": False})
    with TestClient(create_app(strict)) as client:
        _refused(client, settings, {"callback_url": "http://bank.example/cb"},
                 "callback_url", "not_https")
        answer = _submit(client, _key(settings), _csv(1),
                         callback_url="https://bank.example/cb", validate_only="true")
        assert answer.status_code == 200, answer.text


def _refused(client: TestClient, settings: Settings, params: dict[str, str], field: str,
             rule: str) -> None:
    key = _key(settings)
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        before = conn.execute("SELECT count(*) FROM batch_jobs").fetchone()
    answer = _submit(client, key, _csv(2), **params)
    assert answer.status_code == 422, answer.text
    [found] = answer.json()["error"]["problems"]
    assert (found["field"], found["rule"]) == (field, rule)
    assert found["message_vi"] and found["message_en"] != found["message_vi"]
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM batch_jobs").fetchone() == before


def test_a_rows_bad_reference_is_a_problem_of_that_row(
        client: TestClient, settings: Settings) -> None:
    data = "Số giấy tờ,Mã hồ sơ\n001085012345,HS-1\n001085012346,=CMD()\n".encode()
    answer = _submit(client, _key(settings), data, validate_only="true")
    assert answer.status_code == 200, answer.text
    report = answer.json()["report"]
    [invalid] = report["invalid_rows"]
    assert invalid["row"] == 3
    [problem] = invalid["problems"]
    assert (problem["rule"], problem["field"]) == ("client_reference_characters", "Mã hồ sơ")
    assert problem["message_vi"] != problem["message_en"]


def test_the_command_sends_the_reference_and_callback_and_shows_the_secret(
        client: TestClient, settings: Settings, tmp_path: Any) -> None:
    import io

    from regsearch.batch_client import BatchClient, run_submit

    path = tmp_path / "book.csv"
    path.write_bytes(_csv(2))
    out = io.StringIO()
    code = run_submit(BatchClient(client, _key(settings)), path, False, False, False, None,
                      out, {"client_reference": REFERENCE,
                            "callback_url": f"http://127.0.0.1:{PORT}/cb"})
    assert code == 0, out.getvalue()
    assert "callback signing secret (shown only now): " in out.getvalue()
    batch_id = out.getvalue().split("batch id: ")[1].split()[0]
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        stored = conn.execute("SELECT client_reference, callback_url FROM batch_jobs"
                              " WHERE id = %s", (batch_id,)).fetchone()
    assert stored == (REFERENCE, f"http://127.0.0.1:{PORT}/cb")
