"""Certified search results against the real services: issued, signed, verifiable,
reproducible, current, and charged by role."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.api.test_search_end_to_end import REGISTRATION, commit, numbers
from tests.conftest import IndexerProcess, wait_until

pytestmark = pytest.mark.services


def _second(number: str, name: str = "Nguyễn Thị Như Quỳnh") -> dict[str, Any]:
    other = dict(REGISTRATION)
    other["registration_number"] = number
    other["grantors"] = [{**REGISTRATION["grantors"][0], "name": name}]
    other["assets"] = []
    return other


@pytest.fixture()
def keys(api_client: TestClient, settings: Any) -> Iterator[dict[str, str]]:
    import accounts

    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        bank = accounts.create_account(conn, "Ngân hàng TMCP Thử nghiệm", "customer")
        court = accounts.create_account(conn, "Tòa án nhân dân quận Ba Đình", "agency",
                                        agency_kind="court")
        yield {"bank": accounts.issue_key(conn, bank), "court": accounts.issue_key(conn, court)}


def _issue(client: TestClient, key: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/certificates", json=body, headers={"x-api-key": key})
    assert response.status_code == 201, response.text
    issued: dict[str, Any] = response.json()
    return issued


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_certificate_is_signed_verifiable_and_reproducible(
        api_client: TestClient, keys: dict[str, str], settings: Any, tmp_path: Path) -> None:
    from certify.render import render_pdf
    from certify.signer import load_signer
    from certify.snapshot import snapshot_from_json
    from certify.store import load, sha256
    from certify.verify import verify_pdf

    commit(REGISTRATION)
    commit(_second("2024-0000777777"))
    wait_until(lambda: len(numbers(api_client, {"debtor_name": "Nguyen Thi Nhu Quynh"})) == 2,
               what="both searchable")
    issued = _issue(api_client, keys["bank"], {"debtor_name": "Nguyen Thi Nhu Quynh"})
    assert issued["exact_count"] == 2 and issued["fee_vnd"] == settings.certificate_fee_vnd
    url = f"/v1/certificates/{issued['number']}.pdf"
    pdf = api_client.get(url, params={"sha256": issued["content_hash"]}).content
    assert pdf.startswith(b"%PDF")
    # the number alone, or another account's key, does not open someone's certificate, and
    # says no more than for a number never issued
    refused = api_client.get(url)
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "certificate_not_found"
    assert api_client.get(url, headers={"x-api-key": keys["court"]}).status_code == 404
    assert api_client.get(url, params={"sha256": "0" * 64}).status_code == 404
    assert api_client.get(url, headers={"x-api-key": keys["bank"]}).content == pdf
    assert issued["links"]["pdf"].endswith(f"{url}?sha256={issued['content_hash']}")

    text = _pdf_text(pdf, tmp_path)
    assert issued["number"] in text
    for number in ("2024-0000123456", "2024-0000777777"):
        assert number in text
    assert "VĂN BẢN CHỨNG NHẬN" in text and "Nguyễn Thị Như Quỳnh" in text

    roots = load_signer(settings).roots
    assert verify_pdf(pdf, roots).genuine
    verdict = api_client.get(f"/v1/certificates/{issued['number']}/verify",
                             params={"sha256": issued["content_hash"]}).json()
    assert verdict["genuine"] and verdict["intact"]
    assert verdict["content_hash"] == issued["content_hash"]
    by_number = api_client.get(f"/v1/certificates/{issued['number']}/verify").json()
    assert not by_number["genuine"] and by_number["verdict"] == "hash_required"
    assert by_number["content_hash"] is None and by_number["issued_at"] is None
    upload = api_client.post("/v1/certificates/verify",
                             files={"file": ("c.pdf", pdf, "application/pdf")}).json()
    assert upload["genuine"]

    tampered = bytearray(pdf)
    middle = len(tampered) // 3
    tampered[middle] = (tampered[middle] + 1) % 256
    bad = api_client.post("/v1/certificates/verify",
                          files={"file": ("c.pdf", bytes(tampered), "application/pdf")}).json()
    assert not bad["genuine"] and bad["reasons"]
    assert "KHÔNG hợp lệ" in bad["message_vi"]
    assert issued["links"]["verify_page"].endswith(
        f"/verify/{issued['number']}?sha256={issued['content_hash']}")
    page = api_client.get(f"/verify/{issued['number']}",
                          params={"sha256": issued["content_hash"]}).text
    assert "Văn bản chứng nhận hợp lệ" in page and issued["content_hash"] in page

    # The registry changes; the certificate still shows what was found, byte for byte.
    deleted = {**REGISTRATION, "status": "deleted",
               "events": [{"type": "deletion", "at": "2024-12-01T08:00:00+07:00"}]}
    commit(deleted)
    wait_until(lambda: len(numbers(api_client, {"debtor_name": "Nguyen Thi Nhu Quynh"})) == 1,
               what="deletion searchable")
    assert api_client.get(url, params={"sha256": issued["content_hash"]}).content == pdf
    with psycopg.connect(settings.app_dsn) as conn:
        stored = load(conn, issued["number"])
        assert stored is not None
        snapshot = snapshot_from_json(stored.snapshot)
        assert [m.registration.status for m in snapshot.exact] == ["in_force", "in_force"]
        assert sha256(render_pdf(snapshot, verify_base_url=settings.public_base_url)) == \
            stored.unsigned_pdf_sha256
        with pytest.raises(psycopg.errors.RaiseException):
            conn.execute("UPDATE certificates SET fee_vnd = 0")


def test_roles_and_fees(api_client: TestClient, keys: dict[str, str], settings: Any) -> None:
    import accounts

    body = {"id_number": "001190012345"}
    court = _issue(api_client, keys["court"], body)
    assert court["fee_vnd"] == 0 and court["free_ground"] == settings.agency_free_ground
    bank = _issue(api_client, keys["bank"], body)
    assert bank["fee_vnd"] == settings.certificate_fee_vnd and bank["free_ground"] is None
    anonymous = api_client.post("/v1/certificates", json=body)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "account_required"
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        assert accounts.revoke_key(conn, keys["bank"])
        rows = conn.execute("SELECT reference, fee_vnd FROM usage_ledger WHERE kind ="
                            " 'certificate' ORDER BY id").fetchall()
    assert rows == [(court["number"], 0), (bank["number"], settings.certificate_fee_vnd)]
    revoked = api_client.post("/v1/certificates", json=body, headers={"x-api-key": keys["bank"]})
    assert revoked.status_code == 401 and revoked.json()["error"]["code"] == "key_revoked"


def test_a_registration_committed_just_before_is_certified_with_a_slow_indexer(
        fresh_registry: Any, settings: Any, app_database: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import accounts
    from server.app import create_app

    monkeypatch.setenv("REGSEARCH_CDC_POLL_INTERVAL_S", "3")  # the indexer looks every 3 s
    slow = IndexerProcess(tmp_path / "slow-indexer.log")
    slow.start()
    try:
        with TestClient(create_app()) as client:
            wait_until(lambda: client.get("/readyz").status_code == 200, deadline_s=60,
                       what="ready")
            with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
                key = accounts.issue_key(conn, accounts.create_account(conn, "Bank", "customer"))
            commit(REGISTRATION)
            issued = _issue(client, key, {"chassis_number": "RLHJC5218HY012345"})
            assert issued["exact_count"] == 1
            assert numbers(client, {"chassis_number": "RLHJC5218HY012345"})
    finally:
        slow.stop()


def test_refuses_rather_than_certify_stale_data(
        fresh_registry: Any, settings: Any, app_database: str, tmp_path: Path) -> None:
    import accounts
    from core.settings import Settings
    from server.app import create_app

    indexer = IndexerProcess(tmp_path / "indexer.log")
    indexer.start()
    with TestClient(create_app(Settings(certificate_freshness_wait_s=1.0))) as client:
        wait_until(lambda: client.get("/readyz").status_code == 200, deadline_s=60,
                   what="ready")
        indexer.stop()  # the index stops following the registry
        with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
            key = accounts.issue_key(conn, accounts.create_account(conn, "Bank", "customer"))
        commit(REGISTRATION)
        refused = client.post("/v1/certificates", json={"debtor_name": "Nguyen Thi Nhu Quynh"},
                              headers={"x-api-key": key})
        assert refused.status_code == 503
        assert "chưa phản ánh đầy đủ" in refused.json()["error"]["message_vi"]
        with psycopg.connect(settings.app_dsn) as conn:
            charged = conn.execute("SELECT count(*) FROM usage_ledger WHERE kind ="
                                   " 'certificate'").fetchone()
        assert charged == (0,)


def test_refuses_to_certify_from_keys_other_normaliser_code_built(
        api_client: TestClient, keys: dict[str, str], indexer: IndexerProcess,
        settings: Any, es_client: Any) -> None:
    from indexer import built_by, state

    commit(REGISTRATION)
    wait_until(lambda: REGISTRATION["registration_number"] in numbers(
        api_client, {"debtor_name": "Nguyen Thi Nhu Quynh"}), deadline_s=30, what="indexed")
    indexer.stop()  # as if the index had been built before a normaliser change
    current = state.load(es_client, settings.replication_slot)
    assert current is not None
    current.documents_built_by = "0123456789abcdef"
    state.save(es_client, current)
    body = {"debtor_name": "Nguyen Thi Nhu Quynh"}
    refused = api_client.post("/v1/certificates", json=body, headers={"x-api-key": keys["bank"]})
    assert refused.status_code == 503
    assert "phiên bản chuẩn hóa" in refused.json()["error"]["message_vi"]
    assert "another version of the normalisers" in refused.json()["error"]["message_en"]
    with psycopg.connect(settings.app_dsn) as conn:
        charged = conn.execute("SELECT count(*) FROM usage_ledger WHERE kind = 'certificate'"
                               ).fetchone()
    assert charged == (0,)
    # plain searches go on (readiness says the index is stale)
    assert api_client.post("/v1/search", json=body).status_code == 200
    current.documents_built_by = built_by.this_code()
    state.save(es_client, current)
    indexer.start()
    assert _issue(api_client, keys["bank"], body)["number"]
