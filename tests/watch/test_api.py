"""The watch API against the real service database: bad input refused in Vietnamese and
English with nothing written, limits, replace and remove in bulk, one account never sees
another's entries or alerts, read/unread, and a webhook that never answers goes dead."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import psycopg
import pytest

from tests.watch import book

pytestmark = pytest.mark.services


@pytest.fixture()
def api(app_database: str) -> Iterator[tuple[Any, dict[str, str], dict[str, str], str]]:
    """A test client and the keys of two fresh accounts."""
    import os

    from fastapi.testclient import TestClient

    import accounts
    from core.settings import Settings
    from server.app import create_app

    dsn = os.environ["REGSEARCH_APP_DSN"]
    with psycopg.connect(dsn, autocommit=True) as conn:
        first = accounts.create_account(conn, "Ngân hàng A", "customer")
        second = accounts.create_account(conn, "Ngân hàng B", "customer")
        keys = accounts.issue_key(conn, first), accounts.issue_key(conn, second)
    settings = Settings(watch_max_entries=5, watch_max_upload_bytes=4000)
    with TestClient(create_app(settings)) as client:
        yield client, {"X-API-Key": keys[0]}, {"X-API-Key": keys[1]}, dsn


def _error(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    error: dict[str, Any] = answer.json()["error"]
    assert error["message_vi"] and error["message_en"]
    return error


def _csv(*rows: str) -> dict[str, Any]:
    text = "Tên bên bảo đảm,Số khung,Mã hồ sơ\n" + "\n".join(rows) + "\n"
    return {"file": ("book.csv", text.encode(), "text/csv")}


def test_bad_input_is_refused_and_nothing_is_written(api: Any) -> None:
    client, first, _second, _dsn = api
    error = _error(client.post("/v1/watch/entries", headers=first,
                               json={"criterion": "id_number", "value": "--.--"}), 422)
    assert error["problems"][0]["field"] == "value"
    assert error["problems"][0]["rule"] == "no_watchable_characters"
    assert error["problems"][0]["message_vi"] and error["problems"][0]["message_en"]
    error = _error(client.post("/v1/watch/entries", headers=first,
                               json={"criterion": "registration_number", "value": "1"}), 422)
    assert error["problems"][0]["field"] == "criterion"
    error = _error(client.put("/v1/watch/webhook", headers=first,
                              json={"url": "http://bank.example/hook"}), 422)
    assert error["problems"][0]["rule"] == "not_https"
    assert client.put("/v1/watch/webhook", headers=first,
                      json={"url": "https://bank.example/hook"}).status_code == 200
    six = [f"Nguyen Van {g},," for g in ("Hung", "Tuan", "Long", "Lan", "Bao", "Quang")]
    error = _error(client.post("/v1/watch/entries/upload", headers=first,
                               files=_csv(*six)), 422)
    assert (error["code"], error["field"], error["rule"]) == ("watch_limit", "file",
                                                               "watch_limit")
    error = _error(client.post("/v1/watch/entries/upload", headers=first,
                               files=_csv("Nguyen Van Hung,,", "!!!,,")), 422)
    assert error["report"]["invalid_rows"][0]["row"] == 3
    assert error["field"] == "file"
    [bad] = error["report"]["invalid_rows"][0]["problems"]
    assert bad["rule"] in ("no_searchable_characters", "no_watchable_characters")
    assert bad["field"] and bad["message_vi"] and bad["message_en"]
    _error(client.post("/v1/watch/entries/upload", headers=first,
                       files=_csv(*["Nguyen Van Hung,," + "x" * 60] * 80)), 413)
    assert client.get("/v1/watch/entries", headers=first).json()["total"] == 0
    assert client.post("/v1/watch/entries", headers={"X-API-Key": "nope"},
                       json={"criterion": "id_number", "value": "1"}).status_code == 401


def test_bulk_add_replace_remove_and_isolation(api: Any) -> None:
    client, first, second, _dsn = api
    answer = client.post("/v1/watch/entries/upload", headers=first, files=_csv(
        "Nguyen Van Hung,,HS-1", f",*{book.CHASSIS[0]}*,HS-2"))
    assert answer.status_code == 200 and answer.json()["added"] == 2, answer.text
    listed = client.get("/v1/watch/entries", headers=first).json()["entries"]
    assert [(e["criterion"], e["client_reference"]) for e in listed] == [
        ("debtor_name", "HS-1"), ("chassis_number", "HS-2")]
    assert listed[1]["normalised"] == book.CHASSIS[0]
    assert client.get("/v1/watch/entries", headers=second).json()["total"] == 0
    assert client.delete(f"/v1/watch/entries/{listed[0]['id']}",
                         headers=second).status_code == 404
    answer = client.post("/v1/watch/entries/upload", headers=first, params={"mode": "replace"},
                         files=_csv("Tran Thi Lan,,HS-3", "Le Van Long,,HS-4"))
    assert answer.json()["added"] == 2
    answer = client.post("/v1/watch/entries/upload", headers=first, params={"mode": "remove"},
                         files=_csv("TRAN THI LAN,,"))
    assert answer.json()["removed"] == 1
    listed = client.get("/v1/watch/entries", headers=first).json()["entries"]
    assert [e["client_reference"] for e in listed] == ["HS-4"]
    assert client.delete(f"/v1/watch/entries/{listed[0]['id']}",
                         headers=first).status_code == 204


def _alert(conn: psycopg.Connection[Any], account_id: int, lsn: str) -> int:
    """An alert as the follower records it (the test database outlives one run: the
    account's id keeps it unique)."""
    row = conn.execute(
        "INSERT INTO watch_alerts (account_id, entry_id, registration_id, registration_number,"
        " change_lsn, committed_at, event, criterion, watched_value, field, registered_value,"
        " tier, reasons, score) VALUES (%s, %s, 1, '2026-1', %s::pg_lsn, %s, 'registration',"
        " 'id_number', '1', 'grantors[0].id_number', '1', 'exact', '{}', 1) RETURNING id",
        (account_id, account_id, lsn, datetime.now(UTC))).fetchone()
    assert row is not None
    return int(row[0])


def _account_of(conn: psycopg.Connection[Any], key: str) -> int:
    import accounts

    found = accounts.authenticate(conn, key).account_id
    assert found is not None
    return found


def test_alerts_read_unread_and_only_ones_own(api: Any) -> None:
    client, first, second, dsn = api
    with psycopg.connect(dsn, autocommit=True) as conn:
        mine = _account_of(conn, first["X-API-Key"])
        theirs = _account_of(conn, second["X-API-Key"])
        ids = [_alert(conn, mine, f"0/{n}") for n in (1, 2, 3)]
        _alert(conn, theirs, "0/4")
    listed = client.get("/v1/watch/alerts", headers=first).json()
    assert listed["unread"] == 3 and [a["id"] for a in listed["alerts"]] == ids
    assert client.post("/v1/watch/alerts/read", headers=first,
                       json={"ids": ids[:1]}).json() == {"marked": 1}
    unread = client.get("/v1/watch/alerts", headers=first, params={"unread": True}).json()
    assert [a["id"] for a in unread["alerts"]] == ids[1:]
    assert client.post("/v1/watch/alerts/read", headers=second,
                       json={"ids": ids}).json() == {"marked": 0}
    assert client.post("/v1/watch/alerts/read", headers=first, json={}).json() == {"marked": 2}
    assert len(client.get("/v1/watch/alerts", headers=second).json()["alerts"]) == 1


def test_a_webhook_that_never_answers_goes_dead(api: Any) -> None:
    from core.settings import Settings
    from watch import webhooks

    _client, first, _second, dsn = api
    settings = Settings(watch_webhook_attempts=3, watch_webhook_backoff_s=0.0,
                        watch_webhook_timeout_s=1.0)
    with psycopg.connect(dsn, autocommit=True) as conn:
        mine = _account_of(conn, first["X-API-Key"])
        webhooks.set_url(conn, mine, "http://127.0.0.1:8229/nobody")  # nothing listens
        alert_id = _alert(conn, mine, "0/9")
        conn.execute("INSERT INTO watch_deliveries (alert_id, account_id) VALUES (%s, %s)",
                     (alert_id, mine))
        with httpx.Client(timeout=1.0) as http:
            tries = 0
            while webhooks.deliver_one(conn, http, settings):
                tries += 1
        state = conn.execute("SELECT state, attempts, last_error FROM watch_deliveries"
                             " WHERE alert_id = %s", (alert_id,)).fetchone()
    assert tries >= 3
    assert state is not None and state[0] == "dead" and state[1] == 3 and state[2]


def test_control_characters_and_bad_references_are_refused_not_stored(api: Any) -> None:
    client, first, _second, dsn = api
    with psycopg.connect(dsn, autocommit=True) as conn:
        before = conn.execute("SELECT count(*) FROM watch_entries").fetchone()
    error = _error(client.post("/v1/watch/entries", headers=first, json={
        "criterion": "plate_number", "value": "30A\u0000123"}), 422)
    assert [(p["field"], p["rule"]) for p in error["problems"]] == [
        ("value", "no_control_characters")]
    error = _error(client.post("/v1/watch/entries", headers=first, json={
        "criterion": "plate_number", "value": "30A-123.45", "client_reference": "=cmd|x"}), 422)
    assert [(p["field"], p["rule"]) for p in error["problems"]] == [
        ("client_reference", "client_reference_characters")]
    with psycopg.connect(dsn, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM watch_entries").fetchone() == before
    added = client.post("/v1/watch/entries", headers=first, json={
        "criterion": "plate_number", "value": "30A-123.45", "client_reference": " HS-9 "})
    assert added.status_code == 201 and added.json()["client_reference"] == "HS-9"
