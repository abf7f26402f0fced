"""A big batch's certificate, issued by a worker (``batch_certificate_inline_rows``):
the request answers 202 at once; ``GET /v1/batches/{id}/certificate`` says 202 while it is
being issued, 500 with a reference when the worker could not issue it (asking again
retries), and 200 when it is there; it is the same signed certificate the request would
have issued, charged once. Against the real services and Celery workers."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.batch import files
from tests.batch.conftest import BatchStack
from tests.batch.problems import error_of
from tests.conftest import wait_until

pytestmark = pytest.mark.services

ROWS = 120
#: Below the batch's rows, so its certificate goes to a worker.
INLINE_ROWS = 20


@pytest.fixture(scope="module")
def big_batch_api(batch_stack: BatchStack) -> Iterator[TestClient]:
    """The API of the stack with a low inline limit."""
    from server.app import create_app

    settings = batch_stack.settings.model_copy(
        update={"batch_certificate_inline_rows": INLINE_ROWS})
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
def finished(batch_stack: BatchStack) -> dict[str, Any]:
    key, batch_id, final = batch_stack.run_to_end(
        "lo-lon.csv", files.simple_csv(batch_stack.corpus, ROWS, seed=23), "cert-chunks")
    assert final["status"] == "done" and final["rows"]["total"] > INLINE_ROWS, final
    return {"key": key, "batch_id": batch_id}


def _ledger(batch_stack: BatchStack, batch_id: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(batch_stack.settings.app_dsn) as conn:
        return conn.execute(
            "SELECT l.kind, l.fee_vnd, l.reference FROM usage_ledger l"
            " JOIN batch_certificates c ON c.number = l.reference WHERE c.job_id = %s",
            (batch_id,)).fetchall()


def _requests(batch_stack: BatchStack, batch_id: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(batch_stack.settings.app_dsn) as conn:
        return conn.execute("SELECT failure FROM batch_certificate_requests WHERE job_id = %s",
                            (batch_id,)).fetchall()


def test_a_big_batch_is_certified_by_a_worker_after_a_failed_attempt(
        batch_stack: BatchStack, big_batch_api: TestClient, finished: dict[str, Any],
        tmp_path: Path) -> None:
    from certify.attachment import read_attachments
    from certify.signer import load_signer
    from certify.verify import verify_pdf
    from regsearch.batch_client import BatchClient, run_certificate

    key, batch_id = finished["key"], finished["batch_id"]
    headers = {"x-api-key": key}
    path = f"/v1/batches/{batch_id}/certificate"

    # nothing asked yet: GET says so; another account does not see the batch
    error_of(big_batch_api.get(path, headers=headers), 404, "batch_certificate_not_requested")
    error_of(big_batch_api.get(path, headers={"x-api-key": batch_stack.account()}), 404,
             "batch_not_found")

    # asked, no worker running: 202 at once, and again; nothing charged yet
    first = big_batch_api.post(path, headers=headers)
    assert first.status_code == 202, first.text
    assert first.headers["location"] == path and int(first.headers["retry-after"]) > 0
    assert first.json()["state"] == "issuing" and first.json()["batch_id"] == batch_id
    assert big_batch_api.get(path, headers=headers).status_code == 202
    assert big_batch_api.post(path, headers=headers).status_code == 202
    assert _ledger(batch_stack, batch_id) == [] and _requests(batch_stack, batch_id) == [(None,)]

    # a worker that cannot sign: the attempt is recorded as failed, with a reference
    broken = tmp_path / "missing.pem"
    batch_stack.start_workers("cert-broken", env={
        "REGSEARCH_SIGNING_KEY_PATH": str(broken), "REGSEARCH_SIGNING_CERT_PATH": str(broken)})
    failed = wait_until(
        lambda: (lambda r: r if r.status_code != 202 else None)(
            big_batch_api.get(path, headers=headers)),
        deadline_s=120, interval_s=0.5, what="the broken worker's attempt")
    batch_stack.stop_workers()
    problem = error_of(failed, 500, "batch_certificate_failed")
    reference = _requests(batch_stack, batch_id)[0][0]
    assert reference and reference in problem["message_en"] and reference in problem["message_vi"]
    assert _ledger(batch_stack, batch_id) == []

    # asked again (the CLI client), a working worker issues it; the client waits for it
    batch_stack.start_workers("cert-good")
    out = tmp_path / "lo.pdf"
    stream = io.StringIO()
    assert run_certificate(BatchClient(big_batch_api, key, poll_s=0.3), batch_id, out,
                           stream) == 0, stream.getvalue()
    batch_stack.stop_workers()
    fee = batch_stack.settings.batch_certificate_fee_vnd
    assert f"phí / fee: {fee} VND" in stream.getvalue()

    issued = big_batch_api.get(path, headers=headers)
    assert issued.status_code == 200, issued.text
    body = issued.json()
    assert body["batch_id"] == batch_id and body["existing"] is True
    assert body["number"] in stream.getvalue()
    assert _requests(batch_stack, batch_id) == []
    assert _ledger(batch_stack, batch_id) == [
        ("certificate", fee, body["number"])]

    # the same kind of certificate the request issues for a small batch: signed, with the
    # batch's export attached byte for byte
    pdf = out.read_bytes()
    verdict = verify_pdf(pdf, load_signer(batch_stack.settings).roots,
                         expected_hash=body["content_hash"])
    assert verdict.genuine, verdict.reasons
    export = big_batch_api.get(f"/v1/batches/{batch_id}/results", params={"format": "jsonl"},
                               headers=headers).content
    assert read_attachments(pdf) == {f"batch-{batch_id}.jsonl": export}

    # asking again returns it at once, not charged again
    again = big_batch_api.post(path, headers=headers)
    assert again.status_code == 200 and again.json()["number"] == body["number"]
    assert len(_ledger(batch_stack, batch_id)) == 1


def test_the_sweep_publishes_again_only_lost_requests(
        batch_stack: BatchStack, finished: dict[str, Any]) -> None:
    """A request published long ago is published again, unless a worker is issuing it
    (it holds the job row) or its last attempt failed (asking again retries it)."""
    from batch import certificate_requests as store

    batch_id = finished["batch_id"]
    with psycopg.connect(batch_stack.settings.app_dsn, autocommit=True) as conn, \
            psycopg.connect(batch_stack.settings.app_dsn, autocommit=True) as worker:
        account = conn.execute("SELECT account_id FROM batch_jobs WHERE id = %s",
                               (batch_id,)).fetchone()
        assert account is not None
        conn.execute("DELETE FROM batch_certificate_requests WHERE job_id = %s", (batch_id,))
        conn.execute("INSERT INTO batch_certificate_requests (job_id, account_id, published_at)"
                     " VALUES (%s, %s, now() - interval '1 hour')", (batch_id, account[0]))
        try:
            assert store.stale_certificate_requests(conn, 60) != []
            assert store.stale_certificate_requests(conn, 60) == []  # published again now
            conn.execute("UPDATE batch_certificate_requests SET published_at = now() -"
                         " interval '1 hour' WHERE job_id = %s", (batch_id,))
            with worker.transaction():  # a worker issuing it holds the job row
                worker.execute("SELECT 1 FROM batch_jobs WHERE id = %s FOR UPDATE", (batch_id,))
                assert str(batch_id) not in map(str, store.stale_certificate_requests(conn, 60))
            store.certificate_failed(conn, batch_id, "abc123")
            assert store.stale_certificate_requests(conn, 60) == []
            # asking again clears the failure and says to publish; a pending one does not
            assert store.request_certificate(conn, batch_id, account[0], None)
            assert not store.request_certificate(conn, batch_id, account[0], None)
        finally:
            conn.execute("DELETE FROM batch_certificate_requests WHERE job_id = %s",
                         (batch_id,))
