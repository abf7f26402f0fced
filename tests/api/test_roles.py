"""Keys and roles on search: unknown and revoked keys refused, the public rate-limited,
every search in the usage ledger with its fee."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.services


@pytest.fixture()
def accounts_db(app_database: str, settings: Any) -> Iterator[psycopg.Connection[Any]]:

    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        yield conn


def _client(**overrides: Any) -> TestClient:
    from core.settings import Settings
    from server.app import create_app

    return TestClient(create_app(Settings(**overrides)))


def test_unknown_and_revoked_keys_are_refused(accounts_db: psycopg.Connection[Any]) -> None:
    import accounts

    bank = accounts.create_account(accounts_db, "Ngân hàng Thử nghiệm", "customer")
    key = accounts.issue_key(accounts_db, bank)
    body = {"debtor_name": "Nguyen Van An"}
    with _client() as client:
        unknown = client.post("/v1/search", json=body, headers={"x-api-key": "rs_nope"})
        assert unknown.status_code == 401 and unknown.json()["error"]["code"] == "key_unknown"
        assert accounts.revoke_key(accounts_db, key)
        revoked = client.post("/v1/search", json=body, headers={"x-api-key": key})
        assert revoked.status_code == 401
        error = revoked.json()["error"]
        assert error["code"] == "key_revoked" and "thu hồi" in error["message_vi"]


def test_the_public_is_rate_limited(accounts_db: psycopg.Connection[Any]) -> None:
    import redis

    from core.settings import get_settings

    redis.Redis.from_url(get_settings().redis_url).delete(
        *redis.Redis.from_url(get_settings().redis_url).keys("regsearch:ratelimit:*") or ["x"])
    with _client(public_searches_per_minute=3) as client:
        codes = [client.post("/v1/search", json={"debtor_name": "*"}).status_code
                 for _ in range(5)]
    assert codes[:3] == [422, 422, 422]  # counted, then rejected for the value
    assert codes[3:] == [429, 429]


def test_every_search_is_in_the_ledger_with_its_fee(
        api_client: TestClient, accounts_db: psycopg.Connection[Any]) -> None:
    import accounts

    court = accounts.create_account(accounts_db, "Tòa án nhân dân TP Hà Nội", "agency",
                                    agency_kind="court")
    key = accounts.issue_key(accounts_db, court)
    before = accounts_db.execute("SELECT count(*) FROM usage_ledger").fetchone()
    assert api_client.post("/v1/search", json={"id_number": "001190012345"},
                           headers={"x-api-key": key}).status_code == 200
    assert api_client.post("/v1/search", json={"id_number": "001190012345"}).status_code == 200
    rows = accounts_db.execute(
        "SELECT account_id, kind, criterion, fee_vnd, free_ground FROM usage_ledger"
        " ORDER BY id DESC LIMIT 2").fetchall()
    assert before is not None
    assert rows[1] == (court, "search", "id_number", 0, "Điều 59 khoản 2 Nghị định 102/2017/NĐ-CP")
    assert rows[0] == (None, "search", "id_number", 0, None)
    with pytest.raises(psycopg.errors.RaiseException):
        accounts_db.execute("DELETE FROM usage_ledger")
