"""The audit trail (issue 19, item 15), against the real services: a search and a
certificate each leave a row with who asked, the value as entered and what was found,
and the database refuses to change or remove one."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.api.test_search_end_to_end import REGISTRATION, commit, numbers
from tests.conftest import wait_until

pytestmark = pytest.mark.services
COLUMNS = ("kind, client, account_id, key_hash, criterion, value, party_type, exact_count,"
           " close_count, reference")


def _rows(settings: Any, value: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(settings.app_dsn) as conn:
        return conn.execute(f"SELECT {COLUMNS} FROM audit_log WHERE value = %s ORDER BY id",
                            (value,)).fetchall()


def test_a_search_and_a_certificate_leave_their_audit_rows(
        api_client: TestClient, settings: Any) -> None:
    import accounts

    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        bank = accounts.create_account(conn, "Ngân hàng kiểm toán / audit bank", "customer")
        key = accounts.issue_key(conn, bank)
        key_hash = accounts.authenticate(conn, key).key_hash
    commit(REGISTRATION)
    typed = "Nguyen thi NHU quynh"
    wait_until(lambda: numbers(api_client, {"debtor_name": typed}), what="searchable")
    searched = api_client.post("/v1/search", json={"debtor_name": typed,
                                                   "party_type": "individual"},
                               headers={"x-api-key": key})
    assert searched.status_code == 200
    issued = api_client.post("/v1/certificates", json={"debtor_name": typed},
                             headers={"x-api-key": key})
    assert issued.status_code == 201, issued.text
    rows = _rows(settings, typed)
    # the public searches that waited for the index, then the bank's search and certificate
    public = [row for row in rows if row[2] is None]
    assert public and all(row[0] == "search" and row[3] is None for row in public)
    ours = [row for row in rows if row[2] == bank]
    assert ours == [
        ("search", "testclient", bank, key_hash, "debtor_name", typed, "individual",
         searched.json()["exact"]["count"], searched.json()["close"]["count"], None),
        ("certificate", "testclient", bank, key_hash, "debtor_name", typed, None,
         issued.json()["exact_count"], issued.json()["close_count"], issued.json()["number"]),
    ]
    assert ours[0][7] == 1


def test_the_audit_trail_cannot_be_changed_or_removed(
        app_database: str, settings: Any) -> None:
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        conn.execute("INSERT INTO audit_log (kind, criterion, value, exact_count, close_count)"
                     " VALUES ('search', 'id_number', 'audit-refusal-test', 0, 0)")
        for statement in ("UPDATE audit_log SET value = 'changed'",
                          "DELETE FROM audit_log WHERE value = 'audit-refusal-test'",
                          "TRUNCATE audit_log"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute(statement)
    assert _rows(settings, "audit-refusal-test")
