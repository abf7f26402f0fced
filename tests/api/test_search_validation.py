"""Bad input → 422 naming the field and the rule, in Vietnamese and English."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def client(app_database: str) -> Iterator[TestClient]:
    from server.app import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


def _problems(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["message_vi"] and error["message_en"]
    for item in error["problems"]:
        assert item["message_vi"] and item["message_en"]
    problems: list[dict[str, str]] = error["problems"]
    return problems


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({}, "criteria", "exactly_one_criterion"),
        ({"include_deleted": True}, "criteria", "exactly_one_criterion"),
        ({"debtor_name": "Nguyễn Văn Tú", "id_number": "001190012345"}, "criteria",
         "exactly_one_criterion"),
        ({"debtor_name": ""}, "debtor_name", "not_empty"),
        ({"id_number": "   "}, "id_number", "not_empty"),
        ({"debtor_name": "x" * 10_000}, "debtor_name", "max_length"),
        ({"chassis_number": "RLH\x00JC5218"}, "chassis_number", "no_control_characters"),
        ({"debtor_name": "Nguyễn\x1bVăn"}, "debtor_name", "no_control_characters"),
        ({"debtor_name": "Nguyễn\x85Văn"}, "debtor_name", "no_control_characters"),
        ({"debtor_name": "An", "close_limit": 5000}, "close_limit", "range"),
        ({"debtor_name": 12345}, "debtor_name", "must_be_string"),
        ({"debtor_name": "An", "party_type": "company"}, "party_type", "one_of"),
        ({"id_number": "0101234567", "party_type": "individual"}, "party_type",
         "only_with_debtor_name"),
        ({"debtor_name": "An", "colour": "red"}, "colour", "unknown_field"),
        ({"debtor_name": "An", "include_deleted": "maybe"}, "include_deleted",
         "must_be_boolean"),
    ],
)
def test_bad_search_requests_name_field_and_rule(
    client: TestClient, body: dict[str, Any], field: str, rule: str
) -> None:
    problems = _problems(client.post("/v1/search", json=body))
    assert {"field": field, "rule": rule} in [
        {"field": p["field"], "rule": p["rule"]} for p in problems]


@pytest.mark.parametrize("raw", ["[1, 2]", "\"Nguyen\"", "{not json", "null"])
def test_a_body_of_the_wrong_shape_is_422(client: TestClient, raw: str) -> None:
    response = client.post("/v1/search", content=raw,
                           headers={"content-type": "application/json"})
    problems = _problems(response)
    assert problems[0]["rule"] in ("json_object", "exactly_one_criterion")


@pytest.mark.parametrize("criterion", ["debtor_name", "id_number", "chassis_number",
                                       "registration_number"])
def test_a_value_that_normalises_to_nothing_is_422(client: TestClient, criterion: str) -> None:
    problems = _problems(client.post("/v1/search", json={criterion: "*** -- ..."}))
    assert problems == [{**problems[0], "field": criterion, "rule": "no_searchable_characters"}]
