"""Elasticsearch stopped (for real) → 503 with a plain message; the service recovers
by itself when it comes back, and the indexer carries on where it was."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_search_end_to_end import REGISTRATION, commit, numbers
from tests.conftest import IndexerProcess, wait_until

pytestmark = pytest.mark.services


def test_elasticsearch_down_gives_503_and_recovers(
        api_client: TestClient, indexer: IndexerProcess) -> None:
    from services import stack

    client = api_client
    by_id = {"id_number": REGISTRATION["grantors"][0]["id_number"]}
    stack.stop_service("elasticsearch")
    try:
        response = client.post("/v1/search", json=by_id)
        assert response.status_code == 503
        error: dict[str, Any] = response.json()["error"]
        assert error["code"] == "service_unavailable"
        assert "tạm thời không sẵn sàng" in error["message_vi"]
        assert "temporarily unavailable" in error["message_en"]
        assert "Traceback" not in response.text
        assert client.get("/readyz").status_code == 503
        commit(REGISTRATION)  # the registry goes on while the index is down
    finally:
        stack.up()
    wait_until(lambda: REGISTRATION["registration_number"] in numbers(client, by_id),
               deadline_s=90, what="recovery: " + indexer.log_text()[-1500:])
    assert client.get("/readyz").status_code == 200
