"""Where an account's alert digests go, over HTTP against the real service database: its
contact e-mails by default, a list of its own (checked: 422 naming the address and the
rule, nothing written), none, and back to the contacts; only its own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

pytestmark = pytest.mark.services


@pytest.fixture()
def client(app_database: str) -> Iterator[tuple[Any, dict[str, str], dict[str, str]]]:
    import os

    from fastapi.testclient import TestClient

    import accounts
    from core.settings import Settings
    from server.app import create_app

    with psycopg.connect(os.environ["REGSEARCH_APP_DSN"], autocommit=True) as conn:
        bank = accounts.create_account(conn, "Ngân hàng Bản tin", "customer",
                                       contact_emails=["ketoan@bank.example"])
        other = accounts.create_account(conn, "Ngân hàng Khác", "customer")
        keys = accounts.issue_key(conn, bank), accounts.issue_key(conn, other)
    with TestClient(create_app(Settings())) as found:
        yield found, {"X-API-Key": keys[0]}, {"X-API-Key": keys[1]}


def test_digest_recipients_default_set_checked_and_reset(client: Any) -> None:
    http, bank, other = client
    shown = http.get("/v1/watch/digest", headers=bank).json()
    assert shown == {"emails": ["ketoan@bank.example"], "own_list": False,
                     "interval_minutes": 60}
    bad = http.put("/v1/watch/digest", headers=bank,
                   json={"emails": ["canhbao@bank.example", "not an address"]})
    assert bad.status_code == 422, bad.text
    error = bad.json()["error"]
    assert (error["field"], error["rule"]) == ("emails.1", "email")
    assert error["message_vi"] and error["message_en"]
    assert http.get("/v1/watch/digest", headers=bank).json()["own_list"] is False
    put = http.put("/v1/watch/digest", headers=bank,
                   json={"emails": ["canhbao@Bank.Example", "canhbao@bank.example"]})
    assert put.status_code == 200 and put.json()["emails"] == ["canhbao@bank.example"]
    assert http.get("/v1/watch/digest", headers=other).json()["emails"] == []
    assert http.put("/v1/watch/digest", headers=bank, json={"emails": []}).json() == {
        "emails": [], "own_list": True, "interval_minutes": 60}
    reset = http.delete("/v1/watch/digest", headers=bank).json()
    assert reset["emails"] == ["ketoan@bank.example"] and reset["own_list"] is False
    assert http.get("/v1/watch/digest").status_code == 401
