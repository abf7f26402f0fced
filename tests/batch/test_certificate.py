"""One certificate for a whole batch, against the real services and workers: signed and
verifiable like any certificate, its embedded results the batch's export byte for byte,
its counts the batch's, current as of the earliest watermark, issued once, charged once
(agencies free), refused for a batch not finished and for anyone but its owner."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.batch import files, stack
from tests.batch.conftest import BatchStack
from tests.batch.problems import error_of as _error

pytestmark = pytest.mark.services

#: 150 good rows (two chunks of 100), a row that matches nothing, a row that is invalid.
GOOD_ROWS = 150


def _upload(batch_stack: BatchStack) -> bytes:
    data = files.simple_csv(batch_stack.corpus, GOOD_ROWS, seed=11)
    return data + "Phạm Văn Không Có 97,Cá nhân,\n***,,\n".encode()


def _submit(batch_stack: BatchStack, key: str, data: bytes) -> str:
    response = batch_stack.client.post(
        "/v1/batches", headers={"x-api-key": key},
        files={"file": ("danh-sách vay.csv", data, "text/csv")})
    assert response.status_code == 202, response.text
    batch_id: str = response.json()["batch"]["id"]
    return batch_id


def _certificate(batch_stack: BatchStack, key: str | None, batch_id: str) -> Any:
    headers = {"x-api-key": key} if key else {}
    return batch_stack.client.post(f"/v1/batches/{batch_id}/certificate", headers=headers)


def _ledger(batch_stack: BatchStack, number: str) -> list[tuple[Any, ...]]:
    with batch_stack.connect() as conn:
        return conn.execute("SELECT kind, criterion, rows, fee_vnd, free_ground FROM usage_ledger"
                            " WHERE reference = %s", (number,)).fetchall()


@pytest.fixture(scope="module")
def finished(batch_stack: BatchStack) -> dict[str, Any]:
    """A customer's batch, run to the end by a real worker."""
    key, batch_id, final = batch_stack.run_to_end("danh-sách vay.csv", _upload(batch_stack),
                                                  "certificate")
    assert final["status"] == "done", final
    return {"key": key, "batch_id": batch_id, "final": final}


def test_a_finished_batch_gets_one_verifiable_certificate(
        batch_stack: BatchStack, finished: dict[str, Any], tmp_path: Path) -> None:
    from certify.attachment import read_attachments
    from certify.batch_render import render_batch_pdf
    from certify.batch_snapshot import batch_snapshot_from_json
    from certify.signer import load_signer
    from certify.store import load, sha256
    from certify.verify import verify_pdf

    client, key, batch_id = batch_stack.client, finished["key"], finished["batch_id"]
    response = _certificate(batch_stack, key, batch_id)
    assert response.status_code == 201, response.text
    issued = response.json()
    number = issued["number"]
    assert issued["existing"] is False and issued["batch_id"] == batch_id
    assert issued["fee_vnd"] == batch_stack.settings.batch_certificate_fee_vnd
    assert issued["free_ground"] is None

    # the embedded results are the batch's JSONL export, byte for byte
    export = client.get(f"/v1/batches/{batch_id}/results", params={"format": "jsonl"},
                        headers={"x-api-key": key}).content
    pdf = client.get(f"/v1/certificates/{number}.pdf", headers={"x-api-key": key}).content
    assert read_attachments(pdf) == {f"batch-{batch_id}.jsonl": export}
    assert issued["results_file"]["sha256"] == hashlib.sha256(export).hexdigest()

    # signed, genuine, on record, like any certificate
    roots = load_signer(batch_stack.settings).roots
    verdict = verify_pdf(pdf, roots, expected_hash=issued["content_hash"])
    assert verdict.genuine, verdict.reasons
    assert verdict.certificate_number == number
    assert client.get(f"/v1/certificates/{number}/verify",
                      params={"sha256": issued["content_hash"]}).json()["genuine"]
    upload = client.post("/v1/certificates/verify",
                         files={"file": ("c.pdf", pdf, "application/pdf")}).json()
    assert upload["genuine"] and upload["number"] == number

    # its counts are the batch's results
    rows = [json.loads(line) for line in export.decode("utf-8").splitlines()]
    searched = [r for r in rows if r["status"] == "done"]
    found = [r for r in searched
             if any(c["exact"]["count"] or c["close"]["count"] for c in r["criteria"])]
    exact = [r for r in searched if any(c["exact"]["count"] for c in r["criteria"])]
    status = finished["final"]["rows"]
    assert issued["rows"] == {
        "total": status["total"], "valid": status["valid"], "invalid": status["invalid"],
        "duplicate": status["duplicate"], "searched": status["valid"] - status["duplicate"],
        "with_exact": len(exact), "close_only": len(found) - len(exact),
        "no_match": len(searched) - len(found), "errors": status["errors"]}
    assert issued["rows"]["total"] == GOOD_ROWS + 2 and issued["rows"]["invalid"] == 1
    # (rows naming a deleted registration's grantor match nothing: in-force only)
    assert issued["rows"]["no_match"] >= 1 and issued["rows"]["with_exact"] >= GOOD_ROWS / 2
    assert issued["rows_listed"] == len(found)

    # current as of the earliest watermark the rows were searched at; the range is stated
    marks = sorted({r["registry_current_as_of"] for r in searched})
    earliest = finished["final"]["registry_current_as_of"]["earliest"]
    assert issued["registry_current_as_of"] == issued["registry_searched_at"]["earliest"][
        "commit_time"]
    from datetime import datetime

    assert datetime.fromisoformat(issued["registry_current_as_of"]) == \
        datetime.fromisoformat(earliest) == datetime.fromisoformat(marks[0])
    assert issued["registry_searched_at"]["chunks"] == 2
    assert issued["registry_searched_at"]["earliest"]["lsn"]

    # the text: number, batch, file hash, every matched row's registration numbers
    path = tmp_path / "lo.pdf"
    path.write_bytes(pdf)
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], check=True,
                                   capture_output=True, text=True).stdout.split())
    assert number in text and batch_id in text and "(TRA CỨU THEO LÔ)" in text
    assert issued["results_file"]["sha256"] in text
    for row in exact[:20]:
        first = row["criteria"][0]
        if first["exact"]["count"]:
            assert first["exact"]["results"][0]["registration"]["registration_number"] in text

    # stored once, reproducible from its snapshot and the results file
    with psycopg.connect(batch_stack.settings.app_dsn) as conn:
        stored = load(conn, number)
        assert stored is not None and stored.criterion == "batch"
        snapshot = batch_snapshot_from_json(stored.snapshot)
        assert sha256(render_batch_pdf(
            snapshot, export, verify_base_url=batch_stack.settings.public_base_url)) == \
            stored.unsigned_pdf_sha256
    assert snapshot.counts.model_dump() == issued["rows"]

    # charged once, reference = the certificate number
    assert _ledger(batch_stack, number) == [
        ("certificate", "batch", issued["rows"]["searched"],
         batch_stack.settings.batch_certificate_fee_vnd, None)]
    # and in the audit trail: the batch, and its rows with exact and with close-only matches
    with psycopg.connect(batch_stack.settings.app_dsn) as conn:
        audited = conn.execute("SELECT kind, criterion, value, exact_count, close_count"
                               " FROM audit_log WHERE reference = %s", (number,)).fetchall()
    assert len(audited) == 1 and audited[0][:2] == ("certificate", "batch")
    assert batch_id in audited[0][2]
    assert audited[0][3:] == (issued["rows"]["with_exact"], issued["rows"]["close_only"])


def test_asking_again_returns_the_same_certificate_and_charges_nothing(
        batch_stack: BatchStack, finished: dict[str, Any]) -> None:
    first = _certificate(batch_stack, finished["key"], finished["batch_id"])
    again = _certificate(batch_stack, finished["key"], finished["batch_id"])
    assert again.status_code == 200, again.text
    assert first.json()["number"] == again.json()["number"]
    assert again.json()["existing"] is True
    assert again.json()["content_hash"] == first.json()["content_hash"]
    assert len(_ledger(batch_stack, again.json()["number"])) == 1


def test_another_account_gets_404_and_the_public_401(
        batch_stack: BatchStack, finished: dict[str, Any]) -> None:
    _error(_certificate(batch_stack, batch_stack.account(), finished["batch_id"]), 404,
           "batch_not_found")
    _error(_certificate(batch_stack, None, finished["batch_id"]), 401, "account_required")
    _error(_certificate(batch_stack, finished["key"], "4b8b0f0e-0000-4000-8000-000000000000"),
           404, "batch_not_found")


def test_a_batch_not_finished_or_cancelled_is_refused_without_charge(
        batch_stack: BatchStack, fresh_broker: Callable[..., Any]) -> None:
    key = batch_stack.account()
    batch_id = _submit(batch_stack, key, files.simple_csv(batch_stack.corpus, 20))
    # no worker runs: the batch stays queued
    error = _error(_certificate(batch_stack, key, batch_id), 409, "batch_not_finished")
    assert "queued" in error["message_vi"] and "queued" in error["message_en"]
    cancelled = batch_stack.client.post(f"/v1/batches/{batch_id}/cancel",
                                        headers={"x-api-key": key})
    assert cancelled.json()["status"] == "cancelled"
    error = _error(_certificate(batch_stack, key, batch_id), 409,
                   "batch_cancelled_no_certificate")
    assert "hủy" in error["message_vi"] and "cancelled" in error["message_en"]
    with batch_stack.connect() as conn:
        assert conn.execute("SELECT count(*) FROM batch_certificates WHERE job_id = %s",
                            (batch_id,)).fetchone() == (0,)


def test_an_agency_certificate_is_free_and_the_cli_saves_it(
        batch_stack: BatchStack, fresh_broker: Callable[..., Any], tmp_path: Path) -> None:
    from regsearch.batch_client import BatchClient, run_certificate

    fresh_broker("agency")
    key = batch_stack.account(role="agency")
    batch_id = _submit(batch_stack, key, files.simple_csv(batch_stack.corpus, 30, seed=5))
    assert batch_stack.wait_finished(key, batch_id, deadline_s=120)["status"] == "done"
    client = BatchClient(batch_stack.client, key)
    out = io.StringIO()
    saved = tmp_path / "chung-nhan.pdf"
    assert run_certificate(client, batch_id, saved, out) == 0, out.getvalue()
    printed = out.getvalue()
    number = printed.split("Văn bản chứng nhận / certificate: ")[1].split()[0]
    assert "miễn phí / free" in printed and str(saved) in printed
    assert saved.read_bytes() == batch_stack.client.get(f"/v1/certificates/{number}.pdf",
                                                        headers={"x-api-key": key}).content
    assert _ledger(batch_stack, number) == [
        ("certificate", "batch", 30 - _duplicates(batch_stack, key, batch_id), 0,
         batch_stack.settings.agency_free_ground)]
    again = io.StringIO()
    assert run_certificate(client, batch_id, tmp_path / "lan-hai.pdf", again) == 0
    assert f"certificate: {number} (đã cấp trước đó" in again.getvalue()
    assert len(_ledger(batch_stack, number)) == 1
    refused = io.StringIO()
    assert run_certificate(BatchClient(batch_stack.client, batch_stack.account()), batch_id,
                           None, refused) == 2
    assert "No such batch" in refused.getvalue()
    assert stack.ROW_FEE_VND  # the rows themselves are charged by the batch, not here


def _duplicates(batch_stack: BatchStack, key: str, batch_id: str) -> int:
    status = batch_stack.client.get(f"/v1/batches/{batch_id}", headers={"x-api-key": key})
    duplicate: int = status.json()["rows"]["duplicate"]
    return duplicate


def test_a_database_made_before_batch_certificates_gets_their_table_and_column() -> None:
    import os

    from migrations import runner
    from tests.service_env import named

    # api/schema.sql and api/batch/schema.sql as they were before batch certificates (commit
    # 3d282d3), made the old way (their ensure_schema): `db upgrade` brings it up in place
    old_schema = (Path(__file__).parent / "data" / "schema_before_batch_certificates.sql"
                  ).read_text(encoding="utf-8")
    name = named("regsearch_batch_upgrade_test")
    admin = os.environ["REGSEARCH_ADMIN_DSN"]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    dsn = f"{stack.settings().app_dsn.rsplit('/', 1)[0]}/{name}"
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute((Path(__file__).parents[1] / "migrations" / "data" / "api_schema.sql"
                          ).read_text(encoding="utf-8"))
            conn.execute(old_schema)
        runner.upgrade(dsn)
        with psycopg.connect(dsn, autocommit=True) as conn:
            runner.check(conn)
            columns = {row[0] for row in conn.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_name = 'batch_chunks'").fetchall()}
            assert "registry_lsn" in columns
            assert conn.execute("SELECT to_regclass('batch_certificates')").fetchone() != (None,)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
