"""Every reason code of the matching contract, end to end: registry → CDC → Elasticsearch
candidate retrieval → classifier → ranked API response."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import IndexerProcess, _reset_index, _reset_registry, wait_until

pytestmark = pytest.mark.services


def _reg(number: str, grantor: str, party_type: str = "individual", id_number: str | None = None,
         chassis: str | None = None, engine: str | None = None, plate: str | None = None,
         status: str = "in_force", registered_at: str = "2024-03-05T09:41:00+07:00",
         ) -> dict[str, Any]:
    party: dict[str, Any] = {"party_type": party_type, "name": grantor}
    if id_number:
        party["id_type"] = "tax_code" if party_type == "organization" else "cccd"
        party["id_number"] = id_number
    asset: dict[str, Any] = {"asset_type": "motor_vehicle"}
    for key, value in (("chassis_number", chassis), ("engine_number", engine),
                       ("plate_number", plate)):
        if value:
            asset[key] = value
    deleted = status == "deleted"
    events = [{"type": "deletion", "at": "2025-01-01T08:00:00+07:00"}] if deleted else []
    return {"registration_number": number, "kind": "mortgage", "registered_at": registered_at,
            "status": status, "grantors": [party], "events": events,
            "assets": [asset] if len(asset) > 1 else []}


CORPUS = [
    _reg("2024-0000000001", "Nguyễn Văn Tú", id_number="001190012345",
         chassis="RLHJC5218HY012345", engine="JC52E1234567", plate="30A-123.45"),
    _reg("2024-0000000002", "Nguyễn Văn Tư", id_number="079085001234"),
    _reg("2024-0000000003", "Nguyễn Thị Như Quỳnh", id_number="012345678"),
    _reg("2024-0000000004", "Trần Quốc Hoàng", chassis="*RL4B29F3K5O12345*"),
    _reg("2024-0000000005", "Lý Văn Hùng", plate="59-X1 234.56"),
    _reg("2024-0000000006", "Hoàng Ngọc Anh"),
    _reg("2024-0000000007", "Công ty TNHH Thương mại Đông Á", "organization",
         id_number="0101234567-001"),
    _reg("2024-0000000008", "Công ty TNHH Thương mại và Dịch vụ Ánh Dương", "organization"),
    _reg("2024-0000000009", "Nguyễn Văn Tú", status="deleted",
         registered_at="2023-01-01T09:00:00+07:00"),
    _reg("2024-0000000010", "Nguyễn Văn Tú", registered_at="2025-06-01T09:00:00+07:00"),
]

# (criterion body, registration expected, tier, reasons that must be reported)
CASES: list[tuple[dict[str, Any], str, str, set[str]]] = [
    ({"debtor_name": "NGUYEN VAN TU"}, "2024-0000000002", "exact", set()),
    ({"debtor_name": "Nguyễn Văn Tú"}, "2024-0000000002", "close", {"diacritics_differ"}),
    ({"debtor_name": "Văn Tú Nguyễn"}, "2024-0000000001", "close", {"token_order"}),
    ({"debtor_name": "Nguyễn Như Quỳnh"}, "2024-0000000003", "close", {"missing_token"}),
    ({"debtor_name": "Nguyễn Văn Thị Như Quỳnh"}, "2024-0000000003", "close",
     {"extra_token"}),
    ({"debtor_name": "Tran Quoc Hoagn"}, "2024-0000000004", "close", {"edit_distance"}),
    ({"debtor_name": "Lí Văn Hùng"}, "2024-0000000005", "close", {"y_i_variant"}),
    ({"debtor_name": "hoang ngocanh"}, "2024-0000000006", "close", {"joined_syllables"}),
    ({"debtor_name": "Thương mại Đông Á", "party_type": "organization"}, "2024-0000000007",
     "exact", {"legal_form_ignored"}),
    ({"debtor_name": "Công ty Cổ phần Thương mại Đông Á"}, "2024-0000000007", "close",
     {"legal_form_differs"}),
    ({"debtor_name": "Công ty TNHH TM & DV Ánh Dương"}, "2024-0000000008", "close",
     {"abbreviation"}),
    ({"id_number": "0101234567"}, "2024-0000000007", "exact", {"branch_of"}),
    ({"id_number": "1190012345"}, "2024-0000000001", "close", {"leading_zeros"}),
    ({"id_number": "001190013245"}, "2024-0000000001", "close", {"edit_distance"}),
    ({"id_number": "001.190.012.345"}, "2024-0000000001", "exact", {"separators_ignored"}),
    ({"chassis_number": "RL4B29F3K5012345"}, "2024-0000000004", "exact",
     {"confusable_chars"}),
    ({"chassis_number": "RLHJC-5218-HY-012345"}, "2024-0000000001", "exact",
     {"separators_ignored"}),
    ({"chassis_number": "RLHJC5218YH012345"}, "2024-0000000001", "close", {"edit_distance"}),
    ({"chassis_number": "HY012345"}, "2024-0000000001", "close", {"suffix_match"}),
    ({"chassis_number": "XXRLHJC5218HY012345"}, "2024-0000000001", "close", {"suffix_match"}),
    ({"engine_number": "JC52E-1234567"}, "2024-0000000001", "exact", {"separators_ignored"}),
    ({"plate_number": "59X123456"}, "2024-0000000005", "exact", {"separators_ignored"}),
    ({"registration_number": "20240000000006"}, "2024-0000000006", "exact", set()),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, app_database: str) -> Iterator[TestClient]:
    from elasticsearch import Elasticsearch

    from core.settings import get_settings
    from registry.db import connect
    from registry.format import parse_registration
    from registry.loader import write_registrations
    from server.app import create_app

    settings = get_settings()
    es = Elasticsearch(settings.es_url)
    _reset_registry(settings)
    _reset_index(es, settings)
    with connect() as conn, conn.transaction(), conn.cursor() as cur:
        write_registrations(cur, [parse_registration(r) for r in CORPUS])
    indexer = IndexerProcess(Path(tmp_path_factory.mktemp("indexer")) / "indexer.log")
    indexer.start()
    try:
        with TestClient(create_app()) as test_client:
            wait_until(lambda: test_client.post(
                "/v1/search", json={"registration_number": "2024-0000000010"}).status_code == 200
                and test_client.post("/v1/search", json={
                    "registration_number": "2024-0000000010"}).json()["exact"]["count"] == 1,
                deadline_s=60, what="corpus indexed: " + indexer.log_text()[-1500:])
            yield test_client
    finally:
        indexer.stop()


@pytest.mark.parametrize(("body", "number", "tier", "reasons"), CASES,
                         ids=[f"{next(iter(c[0]))}:{c[0][next(iter(c[0]))]}" for c in CASES])
def test_reason_end_to_end(client: TestClient, body: dict[str, Any], number: str, tier: str,
                           reasons: set[str]) -> None:
    response = client.post("/v1/search", json=body)
    assert response.status_code == 200, response.text
    results = response.json()[tier]["results"]
    hits = [r for r in results if r["registration"]["registration_number"] == number]
    found = [r["registration"]["registration_number"] for r in results]
    assert hits, f"{number} not in the {tier} tier: {found}"
    assert reasons <= set(hits[0]["reasons"]), hits[0]["reasons"]
    assert hits[0]["tier"] == tier


def test_ranking_exact_first_then_score_then_newest(client: TestClient) -> None:
    body = client.post("/v1/search", json={"debtor_name": "Nguyễn Văn Tú"}).json()
    exact = [r["registration"]["registration_number"] for r in body["exact"]["results"]]
    assert exact == ["2024-0000000010", "2024-0000000001"]  # newest first; deleted left out
    assert body["exact"]["count"] == 2
    close = body["close"]["results"]
    assert [r["tier"] for r in close] == ["close"] * len(close)
    scores = [r["score"] for r in close]
    assert scores == sorted(scores, reverse=True)
    assert all(r["score"] < 1.0 for r in close) and all(r["score"] == 1.0 for r in
                                                        body["exact"]["results"])


def test_deleted_only_on_request_and_marked(client: TestClient) -> None:
    body = client.post("/v1/search", json={"debtor_name": "Nguyễn Văn Tú",
                                            "include_deleted": True}).json()
    by_number = {r["registration"]["registration_number"]: r for r in body["exact"]["results"]}
    assert by_number["2024-0000000009"]["registration"]["status"] == "deleted"
    assert body["exact"]["count"] == 3


def test_exact_paging_keeps_the_true_count(client: TestClient) -> None:
    first = client.post("/v1/search", json={"debtor_name": "nguyen van tu",
                                             "exact_limit": 1}).json()
    second = client.post("/v1/search", json={"debtor_name": "nguyen van tu",
                                              "exact_limit": 1, "exact_offset": 1}).json()
    assert first["exact"]["count"] == second["exact"]["count"] == 3
    assert len(first["exact"]["results"]) == len(second["exact"]["results"]) == 1
    assert first["exact"]["results"][0] != second["exact"]["results"][0]


def test_no_match_for_a_different_given_name(client: TestClient) -> None:
    body = client.post("/v1/search", json={"debtor_name": "Nguyễn Văn Tuấn"}).json()
    assert body["exact"]["count"] == 0
    assert "2024-0000000001" not in [r["registration"]["registration_number"]
                                     for r in body["close"]["results"]]


def test_close_tier_pages_and_says_whether_it_is_complete(client: TestClient) -> None:
    everything = client.post("/v1/search", json={"debtor_name": "Văn Tú Nguyễn",
                                                  "close_limit": 1000}).json()["close"]
    assert everything["complete"] and everything["left_out"] == 0
    first = client.post("/v1/search", json={"debtor_name": "Văn Tú Nguyễn",
                                             "close_limit": 1}).json()["close"]
    second = client.post("/v1/search", json={"debtor_name": "Văn Tú Nguyễn", "close_limit": 1,
                                              "close_offset": 1}).json()["close"]
    assert first["count"] == second["count"] == everything["count"] >= 2
    assert first["left_out"] == everything["count"] - 1
    assert first["results"] != second["results"]
    assert [*first["results"], *second["results"]] == everything["results"][:2]


def test_tabs_and_line_breaks_are_white_space(client: TestClient) -> None:
    body = client.post("/v1/search", json={"debtor_name": "  Nguyễn \tVăn\nTú "}).json()
    assert body["exact"]["count"] == 2
