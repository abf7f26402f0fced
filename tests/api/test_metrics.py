"""/metrics reports the indexer's lag (seconds and bytes), events and dead letters."""

from __future__ import annotations

import re
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from indexer import state as indexer_state
from tests.api.test_search_end_to_end import REGISTRATION, commit, numbers
from tests.conftest import wait_until

pytestmark = pytest.mark.services


def _value(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} ([0-9.e+-]+)$", text, re.MULTILINE)
    assert match, f"{name} missing from /metrics"
    return float(match.group(1))


def test_metrics_show_lag_events_and_dead_letters(api_client: TestClient) -> None:
    client = api_client
    commit(REGISTRATION)
    wait_until(lambda: numbers(client, {"registration_number": "2024-0000123456"}),
               what="searchable")
    client.post("/v1/search", json={"debtor_name": "Nguyễn Thị Như Quỳnh"})

    def caught_up() -> str | None:
        text = client.get("/metrics").text
        return text if _value(text, "regsearch_indexer_lag_bytes") == 0 else None

    text = wait_until(caught_up, what="lag_bytes 0")
    assert _value(text, "regsearch_indexer_state_readable") == 1
    assert 0 <= _value(text, "regsearch_indexer_lag_seconds") < 5
    assert _value(text, "regsearch_indexer_events_applied_total") >= 1
    assert _value(text, "regsearch_indexer_dead_letters") == 0
    assert 'regsearch_search_requests_total{criterion="debtor_name",status="200"}' in text


def test_metrics_show_a_replication_slot_nobody_reads(api_client: TestClient,
                                                      settings: Any, es_client: Any) -> None:
    """A slot left behind keeps the registry's WAL: /metrics names it with what it holds."""
    stale = "regsearch_left_behind"
    with psycopg.connect(settings.pg_dsn, autocommit=True) as conn:
        conn.execute("SELECT pg_create_logical_replication_slot(%s, 'pgoutput')", (stale,))
        try:
            commit(REGISTRATION)  # WAL written after the slot's restart position
            text = api_client.get("/metrics").text
        finally:
            conn.execute("SELECT pg_drop_replication_slot(%s)", (stale,))
        text_after = api_client.get("/metrics").text
    label = f'{{slot="{stale}"}}'
    assert _value(text, f"regsearch_replication_slot_followed{label}") == 0
    assert _value(text, f"regsearch_replication_slot_retained_bytes{label}") > 0
    assert _value(text, "regsearch_replication_slots_unfollowed") == 1
    # the slot the indexer follows is not counted
    current = indexer_state.load(es_client, settings.replication_slot)
    assert current is not None
    own = f'{{slot="{current.stream_slot}"}}'
    assert _value(text, f"regsearch_replication_slot_followed{own}") == 1
    assert stale not in text_after
    assert _value(text_after, "regsearch_replication_slots_unfollowed") == 0
