"""A batch's client reference and completion callback, with a real batch worker, the real
webhook delivery process (``regsearch watch deliver``) and a receiver on localhost that
checks the HMAC: the callback is written when the job closes, delivered after the worker
has gone, retried after a refusal, dead-lettered when nobody answers; bad URLs and
references are refused with nothing written."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.api.batch import stack
from tests.api.batch.conftest import BatchStack
from tests.conftest import wait_until

pytestmark = pytest.mark.services

PORT = 8261
REFERENCE = "Sổ vay Q4-2026 (CN Hà Nội)"


class Receiver(ThreadingHTTPServer):
    """Takes callbacks: refuses the first try of each delivery (500), then checks the
    signature with the secret the submission showed and keeps the body."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", PORT), _Handler)
        self.secrets: dict[str, str] = {}  # delivery id -> secret
        self.tries: dict[str, int] = {}
        self.taken: dict[str, dict[str, Any]] = {}
        self.bad_signatures = 0


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        from core import webhooks

        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        delivery = self.headers.get(webhooks.DELIVERY_HEADER, "")
        server = self.server
        server.tries[delivery] = server.tries.get(delivery, 0) + 1
        secret = server.secrets.get(delivery, "")
        if not webhooks.verify(secret, body, self.headers.get(webhooks.SIGNATURE_HEADER, "")):
            server.bad_signatures += 1
            self.send_response(401)
        elif server.tries[delivery] == 1:
            self.send_response(500)  # the first try fails: retried with back-off
        else:
            server.taken[delivery] = json.loads(body)
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _csv(rows: int) -> bytes:
    return ("Số giấy tờ,Mã hồ sơ\n" + "".join(f"0010850{i:05d},HS-{i}\n"
                                             for i in range(rows))).encode()


def _submit(client: TestClient, key: str, data: bytes, **params: str) -> httpx.Response:
    return client.post("/v1/batches", headers={"x-api-key": key}, params=params,
                       files={"file": ("book.csv", data, "text/csv")})


def _deliverer(batch_stack: BatchStack) -> stack.Child:
    return stack.Child([sys.executable, "-m", "regsearch.cli", "watch", "deliver"],
                       batch_stack.log_dir / "deliver.log",
                       {"REGSEARCH_BATCH_CALLBACK_BACKOFF_S": "0.2"}).start()


def test_a_finished_batch_calls_back_signed_after_its_worker_has_gone(
        batch_stack: BatchStack, receiver: Receiver) -> None:
    key = batch_stack.account()
    client = batch_stack.client
    batch_stack.start_workers("callback")
    answer = _submit(client, key, _csv(250), client_reference=REFERENCE,
                     callback_url=f"http://127.0.0.1:{PORT}/hooks/batch")
    assert answer.status_code == 202, answer.text
    submitted = answer.json()
    batch_id = submitted["batch"]["id"]
    receiver.secrets[f"batch-{batch_id}"] = submitted["callback"]["secret"]
    assert submitted["batch"]["client_reference"] == REFERENCE
    assert submitted["batch"]["callback"]["state"] == "waiting"
    final = batch_stack.wait_finished(key, batch_id)
    assert final["status"] == "done"
    assert final["callback"]["state"] == "pending"  # written with the job's closing
    batch_stack.stop_workers()  # the worker is gone; the callback is in PostgreSQL
    deliverer = _deliverer(batch_stack)
    try:
        wait_until(lambda: receiver.taken.get(f"batch-{batch_id}"), deadline_s=60,
                   what="the callback delivered: " + deliverer.log_text()[-2000:])
    finally:
        deliverer.stop()
    body = receiver.taken[f"batch-{batch_id}"]
    assert receiver.bad_signatures == 0 and receiver.tries[f"batch-{batch_id}"] == 2
    batch = body["batch"]
    assert body["type"] == "batch.finished"
    assert (batch["id"], batch["status"], batch["client_reference"]) == (
        batch_id, "done", REFERENCE)
    assert batch["rows"]["total"] == 250 and batch["rows"]["done"] == 250
    assert batch["fee"]["rows_charged"] == 250
    assert batch["links"]["results_jsonl"].startswith("http")
    assert batch["links"]["self"].endswith(f"/v1/batches/{batch_id}")
    shown = client.get(f"/v1/batches/{batch_id}", headers={"x-api-key": key}).json()
    assert shown["callback"]["state"] == "delivered" and shown["callback"]["attempts"] == 2
    assert "secret" not in json.dumps(shown)
    with batch_stack.connect() as conn:
        ledger = conn.execute("SELECT kind, rows, client_reference FROM usage_ledger"
                              " WHERE reference = %s", (batch_id,)).fetchall()
    assert ledger == [("batch", 250, REFERENCE)]


def test_a_cancelled_batch_calls_back_too_and_a_dead_receiver_is_dead_lettered(
        batch_stack: BatchStack) -> None:
    from api.batch import callback
    from core import webhooks

    batch_stack.stop_workers()  # nobody searches: the batch stays queued until cancelled
    key = batch_stack.account()
    client = batch_stack.client
    answer = _submit(client, key, _csv(3), callback_url="http://127.0.0.1:8262/nobody")
    assert answer.status_code == 202, answer.text
    batch_id = answer.json()["batch"]["id"]
    assert answer.json()["batch"]["client_reference"] is None
    cancelled = client.post(f"/v1/batches/{batch_id}/cancel", headers={"x-api-key": key})
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["callback"]["state"] == "pending"
    settings = batch_stack.settings.model_copy(update={
        "batch_callback_attempts": 3, "batch_callback_backoff_s": 0.0})
    outbox = callback.outbox(settings)
    with batch_stack.connect() as conn, httpx.Client(timeout=2.0) as http:
        wait_until(lambda: not webhooks.deliver_one(conn, http, outbox)
                   and _state(conn, batch_id) == "dead", deadline_s=30,
                   what="the callback dead after 3 tries")
        row = conn.execute("SELECT attempts, last_error, body FROM batch_callbacks"
                           " WHERE job_id = %s", (batch_id,)).fetchone()
    assert row is not None and row[0] == 3 and "Connect" in row[1]
    assert json.loads(bytes(row[2]))["batch"]["status"] == "cancelled"
    shown = client.get(f"/v1/batches/{batch_id}", headers={"x-api-key": key}).json()
    assert shown["callback"]["state"] == "dead"


def _state(conn: Any, batch_id: str) -> str | None:
    row = conn.execute("SELECT state FROM batch_callbacks WHERE job_id = %s",
                       (batch_id,)).fetchone()
    return None if row is None else str(row[0])


@pytest.mark.parametrize("params, field, rule", [
    ({"callback_url": "https://user:pw@bank.example/cb"}, "callback_url", "credentials_in_url"),
    ({"callback_url": "ftp://bank.example/cb"}, "callback_url", "invalid_url"),
    ({"callback_url": "https://bank.example/" + "a" * 2000}, "callback_url", "too_long"),
    ({"client_reference": "=1+1"}, "client_reference", "client_reference_characters"),
    ({"client_reference": "R" * 65}, "client_reference", "max_length"),
])
def test_hostile_options_are_refused_and_nothing_is_written(
        batch_stack: BatchStack, params: dict[str, str], field: str, rule: str) -> None:
    _refused(batch_stack, batch_stack.client, params, field, rule)


def test_a_plain_http_callback_is_refused_outside_development(batch_stack: BatchStack) -> None:
    from server.app import create_app

    strict = batch_stack.settings.model_copy(update={"batch_callback_allow_http": False})
    with TestClient(create_app(strict)) as client:
        _refused(batch_stack, client, {"callback_url": "http://bank.example/cb"},
                 "callback_url", "not_https")


def _refused(batch_stack: BatchStack, client: TestClient, params: dict[str, str],
             field: str, rule: str) -> None:
    key = batch_stack.account()
    with batch_stack.connect() as conn:
        before = conn.execute("SELECT count(*) FROM batch_jobs").fetchone()
    answer = _submit(client, key, _csv(2), **params)
    assert answer.status_code == 422, answer.text
    [found] = answer.json()["error"]["problems"]
    assert (found["field"], found["rule"]) == (field, rule)
    assert found["message_vi"] and found["message_en"] != found["message_vi"]
    with batch_stack.connect() as conn:
        assert conn.execute("SELECT count(*) FROM batch_jobs").fetchone() == before
