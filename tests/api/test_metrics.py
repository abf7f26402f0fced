"""/metrics reports the indexer's lag (seconds and bytes), events and dead letters."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.api.test_search_end_to_end import REGISTRATION, commit, numbers
from tests.conftest import wait_until

pytestmark = pytest.mark.services


def _value(text: str, name: str) -> float:
    match = re.search(rf"^{name} ([0-9.e+-]+)$", text, re.MULTILINE)
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
