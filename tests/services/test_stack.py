"""The local stack started by ``services.stack.up()``: real services, no mocks.

``down()`` is not exercised here: other test modules share the running stack.
"""

from __future__ import annotations

import time

import httpx
import psycopg
import pytest
import redis

from core.settings import get_settings
from services import stack

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def started() -> dict[str, int | None]:
    stack.up()
    return stack.pids()


def test_status_is_true_after_up(started: dict[str, int | None]) -> None:
    assert stack.status() is True
    assert all(pid is not None for pid in started.values()), started


def test_elasticsearch_cluster_health_answers(started: dict[str, int | None]) -> None:
    settings = get_settings()
    response = httpx.get(f"{settings.es_url}/_cluster/health", timeout=10, trust_env=False)
    assert response.status_code == 200
    assert response.json()["status"] in ("green", "yellow")


def test_postgres_has_logical_wal_and_the_dsn_role(started: dict[str, int | None]) -> None:
    with psycopg.connect(get_settings().pg_dsn, connect_timeout=10) as conn:
        wal_level = conn.execute("SHOW wal_level").fetchone()
        role = conn.execute(
            "SELECT rolsuper, rolreplication FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        encoding = conn.execute("SHOW server_encoding").fetchone()
    assert wal_level == ("logical",)
    assert role == (True, True)
    assert encoding == ("UTF8",)


def test_redis_pings(started: dict[str, int | None]) -> None:
    client = redis.Redis.from_url(get_settings().redis_url, socket_timeout=5)
    try:
        assert client.ping() is True
    finally:
        client.close()


def test_second_up_is_quick_and_changes_nothing(started: dict[str, int | None]) -> None:
    began = time.monotonic()
    stack.up()
    elapsed = time.monotonic() - began
    assert stack.pids() == started
    assert elapsed < 5.0, f"a second up() took {elapsed:.1f} s"
