"""A batch's client reference and completion callback, with a real batch worker, the real
webhook delivery process (``regsearch watch deliver``) and a receiver on localhost that
checks the HMAC: the callback is written when the job closes, delivered after the worker
has gone, retried after a refusal (``test_callback_delivery``: cancelled batches,
dead letters and refusals, without a worker)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.batch import stack
from tests.batch.conftest import BatchStack
from tests.batch.receiver import PORT, Receiver, serve
from tests.conftest import wait_until

pytestmark = pytest.mark.services

REFERENCE = "Sổ vay Q4-2026 (CN Hà Nội)"


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    with serve() as server:
        yield server


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
