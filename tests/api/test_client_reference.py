"""The client reference on searches and certificates, against the real services: echoed,
in the usage ledger, stored with the certificate and printed on it; refused (422, both
languages, field and rule) when it breaks the rule, with nothing written."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.api.test_search_end_to_end import REGISTRATION, commit, numbers
from tests.conftest import wait_until

pytestmark = pytest.mark.services

REFERENCE = "HĐTD-2026/00123 (CN Hà Nội)"


def _bank(settings: Any) -> str:
    import accounts

    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        bank = accounts.create_account(conn, "Ngân hàng TMCP Tham Chiếu", "customer")
        return accounts.issue_key(conn, bank)


def _ledger(settings: Any, key_reference: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        return conn.execute("SELECT kind, reference, client_reference FROM usage_ledger"
                            " WHERE client_reference = %s ORDER BY id",
                            (key_reference,)).fetchall()


def test_a_search_echoes_its_reference_and_the_ledger_keeps_it(
        api_client: TestClient, settings: Any) -> None:
    key = _bank(settings)
    answer = api_client.post("/v1/search", headers={"x-api-key": key}, json={
        "id_number": "001085012345", "client_reference": f"  {REFERENCE} "})
    assert answer.status_code == 200, answer.text
    assert answer.json()["client_reference"] == REFERENCE  # as stored: trimmed
    assert _ledger(settings, REFERENCE) == [("search", None, REFERENCE)]
    plain = api_client.post("/v1/search", json={"id_number": "001085012345"})
    assert plain.status_code == 200 and plain.json()["client_reference"] is None


@pytest.mark.parametrize("reference, rule", [
    ("=HYPERLINK(\"http://evil\")", "client_reference_characters"),
    ("-2+3", "client_reference_characters"),
    ("HS<script>", "client_reference_characters"),
    ("x" * 65, "max_length"),
])
def test_a_bad_reference_is_refused_in_both_languages(
        api_client: TestClient, settings: Any, reference: str, rule: str) -> None:
    key = _bank(settings)
    for path in ("/v1/search", "/v1/certificates"):
        answer = api_client.post(path, headers={"x-api-key": key}, json={
            "debtor_name": "Nguyen Van An", "client_reference": reference})
        assert answer.status_code == 422, answer.text
        [found] = answer.json()["error"]["problems"]
        assert (found["field"], found["rule"]) == ("client_reference", rule)
        assert found["message_vi"] and found["message_en"]
        assert found["message_vi"] != found["message_en"]
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        written = conn.execute("SELECT count(*) FROM usage_ledger WHERE client_reference = %s",
                               (reference,)).fetchone()
    assert written == (0,)


def test_a_certificate_prints_and_stores_its_reference(
        api_client: TestClient, settings: Any, tmp_path: Path) -> None:
    from certify.snapshot import canonical_json, snapshot_from_json

    key = _bank(settings)
    commit(REGISTRATION)
    wait_until(lambda: numbers(api_client, {"debtor_name": "Nguyen Thi Nhu Quynh"}),
               what="searchable")
    answer = api_client.post("/v1/certificates", headers={"x-api-key": key}, json={
        "debtor_name": "Nguyen Thi Nhu Quynh", "client_reference": REFERENCE})
    assert answer.status_code == 201, answer.text
    issued = answer.json()
    assert issued["client_reference"] == REFERENCE
    assert _ledger(settings, REFERENCE) == [("certificate", issued["number"], REFERENCE)]
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        stored = conn.execute("SELECT client_reference, snapshot FROM certificates"
                              " WHERE number = %s", (issued["number"],)).fetchone()
    assert stored is not None and stored[0] == REFERENCE
    snapshot = snapshot_from_json(bytes(stored[1]))
    assert snapshot.client_reference == REFERENCE  # covered by the content hash
    assert canonical_json(snapshot) == bytes(stored[1])
    pdf = api_client.get(f"/v1/certificates/{issued['number']}.pdf",
                         headers={"x-api-key": key}).content
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True, timeout=60).stdout
    assert "Số tham chiếu của khách" in text and "Client's own reference" in text
    assert "HĐTD-2026/00123" in text
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(path),
                    str(tmp_path / "certificate")], check=True, timeout=60)
    assert any(tmp_path.glob("certificate-*.png"))
