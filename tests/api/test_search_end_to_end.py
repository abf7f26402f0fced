"""The walking skeleton end to end, on the real services:
registry commit → logical replication → indexer → Elasticsearch → POST /v1/search."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import wait_until

pytestmark = pytest.mark.services

REGISTRATION: dict[str, Any] = {
    "registration_number": "2024-0000123456",
    "kind": "mortgage",
    "registered_at": "2024-03-05T09:41:00+07:00",
    "status": "in_force",
    "grantors": [{"party_type": "individual", "name": "Nguyễn Thị Như Quỳnh",
                  "id_type": "cccd", "id_number": "001190012345",
                  "address": "Số 12 ngõ 34 phố Huế, Hà Nội"}],
    "secured_parties": [{"party_type": "organization",
                         "name": "Ngân hàng TMCP Ngoại thương Việt Nam",
                         "id_type": "tax_code", "id_number": "0100112437"}],
    "assets": [{"asset_type": "motor_vehicle", "description": "Xe ô tô con Toyota Vios",
                "chassis_number": "RLHJC5218HY012345", "engine_number": "2NRX123456",
                "plate_number": "30A-123.45"}],
    "events": [],
}


def commit(registration: dict[str, Any]) -> None:
    """What the registration system does: one transaction in PostgreSQL."""
    from registry.db import connect
    from registry.format import parse_registration
    from registry.loader import write_registration

    with connect() as conn, conn.transaction(), conn.cursor() as cur:
        write_registration(cur, parse_registration(registration))


def numbers(client: TestClient, body: dict[str, Any], tier: str = "exact") -> list[str]:
    response = client.post("/v1/search", json=body)
    if response.status_code != 200:
        return []
    return [r["registration"]["registration_number"] for r in response.json()[tier]["results"]]


def test_commit_amend_delete_is_followed_by_search(api_client: TestClient) -> None:
    client = api_client
    number = REGISTRATION["registration_number"]
    commit(REGISTRATION)

    by_name = {"debtor_name": "nguyen thi nhu quynh"}
    wait_until(lambda: number in numbers(client, by_name), what="registration searchable")
    body = client.post("/v1/search", json=by_name).json()
    assert body["exact"]["count"] == 1
    hit = body["exact"]["results"][0]
    assert hit["tier"] == "exact"
    assert hit["matched"] == {"role": "grantor", "position": 0, "field": "name",
                              "value_as_registered": "Nguyễn Thị Như Quỳnh"}
    assert hit["registration"]["status"] == "in_force"
    assert hit["registration"]["secured_parties"][0]["name"].startswith("Ngân hàng")
    assert body["watermark"]["registry_current_as_of"] is not None

    assert numbers(client, {"id_number": "001 190 012 345"}) == [number]
    assert numbers(client, {"id_number": "001.190.012.345"}) == [number]
    assert numbers(client, {"chassis_number": "*RLHJC52*18-HY-012345*"}) == [number]

    amended = dict(REGISTRATION)
    amended["assets"] = [*REGISTRATION["assets"], {
        "asset_type": "motor_vehicle", "description": "Xe mô tô Honda",
        "chassis_number": "RLHJF1234KZ567890", "plate_number": "29-X1 234.56"}]
    amended["events"] = [{"type": "amendment", "at": "2024-06-01T14:02:00+07:00",
                          "summary": "Bổ sung tài sản bảo đảm"}]
    commit(amended)
    wait_until(lambda: number in numbers(client, {"chassis_number": "RLHJF-1234-KZ567890"}),
               what="amendment searchable")
    assert numbers(client, {"plate_number": "29X123456"}) == [number]

    deleted = dict(amended)
    deleted["status"] = "deleted"
    deleted["events"] = [*amended["events"], {"type": "deletion",
                                              "at": "2024-09-01T08:00:00+07:00"}]
    commit(deleted)
    wait_until(lambda: numbers(client, by_name) == [], what="deletion applied")
    with_deleted = client.post("/v1/search", json={**by_name, "include_deleted": True}).json()
    assert [r["registration"]["status"] for r in with_deleted["exact"]["results"]] == ["deleted"]
