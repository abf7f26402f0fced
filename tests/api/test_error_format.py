"""One error format everywhere: ``{"error": {code, message_vi, message_en, field, rule}}``,
FastAPI's and Starlette's own refusals included, each message in one language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.services

#: Words that give English away in a Vietnamese message, and the other way round.
_ENGLISH = re.compile(r"\b(or|and|must|between|the|not)\b", re.IGNORECASE)
_VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]",
                         re.IGNORECASE)


@pytest.fixture(scope="module")
def client(app_database: str) -> Iterator[TestClient]:
    from server.app import create_app

    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        yield test_client


def error_of(response: Any, status: int) -> dict[str, Any]:
    """The error body, checked for the one format and for one language per message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert {"code", "message_vi", "message_en", "field", "rule"} <= set(error), error
    assert isinstance(error["rule"], str) and error["rule"]
    assert error["field"] is None or (isinstance(error["field"], str) and error["field"])
    messages = [(error["message_vi"], error["message_en"])] + [
        (p["message_vi"], p["message_en"]) for p in error.get("problems", [])]
    for vi, en in messages:
        assert vi and en and vi != en
        assert "?" not in vi and "?" not in en, (vi, en)
        assert not _ENGLISH.search(vi), vi
        assert not _VIETNAMESE.search(en), en
    return error


def test_an_unknown_path_is_404_in_the_format(client: TestClient) -> None:
    error = error_of(client.get("/v1/nothing-here"), 404)
    assert error["code"] == "not_found" and error["field"] == "path"


def test_a_wrong_method_is_405_in_the_format(client: TestClient) -> None:
    response = client.get("/v1/search")
    error = error_of(response, 405)
    assert error["code"] == "method_not_allowed" and error["field"] == "method"
    assert response.headers["allow"] == "POST"


def test_a_body_that_is_not_utf8_is_400_in_the_format(client: TestClient) -> None:
    response = client.post("/v1/search", content=b'{"debtor_name": "\xff"}',
                           headers={"content-type": "application/json"})
    error = error_of(response, 400)
    assert error["field"] == "body" and error["rule"] == "json_object"


def test_broken_multipart_is_400_in_the_format(client: TestClient) -> None:
    response = client.post("/v1/batches", content=b"garbage",
                           headers={"content-type": "multipart/form-data; boundary=zz"})
    error = error_of(response, 400)
    assert error["field"] == "body" and error["rule"] == "multipart"


@pytest.mark.parametrize("raw", [b"{not json", b'{"debtor_name": "An"', b"[1, 2"])
def test_invalid_json_names_the_body_not_an_offset(client: TestClient, raw: bytes) -> None:
    response = client.post("/v1/search", content=raw,
                           headers={"content-type": "application/json"})
    error = error_of(response, 422)
    assert error["field"] == "body" and error["rule"] == "json_object"
    assert [p["field"] for p in error["problems"]] == ["body"]


@pytest.mark.parametrize("raw", [b'{"debtor_name": "An\x00"}',
                                 b'{"include_deleted": false, "chassis_number": "RLH\x00JC5"}'])
def test_a_nul_byte_is_reported_against_its_field(client: TestClient, raw: bytes) -> None:
    response = client.post("/v1/search", content=raw,
                           headers={"content-type": "application/json"})
    error = error_of(response, 422)
    field = "debtor_name" if b"debtor" in raw else "chassis_number"
    assert (error["field"], error["rule"]) == (field, "no_control_characters")
    assert [(p["field"], p["rule"]) for p in error["problems"]] == [
        (field, "no_control_characters")]


@pytest.mark.parametrize(("option", "value", "low", "high"),
                         [("exact_limit", 0, "1", "1000"), ("exact_limit", 5000, "1", "1000"),
                          ("close_offset", -1, "0", "100000"),
                          ("close_limit", 0, "1", "1000")])
def test_a_range_error_gives_both_bounds(client: TestClient, option: str, value: int,
                                         low: str, high: str) -> None:
    response = client.post("/v1/search", json={"debtor_name": "An", option: value})
    error = error_of(response, 422)
    assert (error["field"], error["rule"]) == (option, "range")
    for text in (error["problems"][0]["message_vi"], error["problems"][0]["message_en"]):
        assert low in text.replace(",", "").replace(".", "")
        assert high in text.replace(",", "").replace(".", "")


def test_allowed_values_are_listed_in_each_language(client: TestClient) -> None:
    response = client.post("/v1/search", json={"debtor_name": "An", "party_type": "firm"})
    error = error_of(response, 422)
    assert (error["field"], error["rule"]) == ("party_type", "one_of")
    vi, en = error["problems"][0]["message_vi"], error["problems"][0]["message_en"]
    assert "individual" in vi and "organization" in vi and " or " not in vi
    assert "'" not in vi and "'" not in en
    assert en == "Must be one of: individual, organization."


def test_a_bad_query_or_path_parameter_names_the_parameter(client: TestClient) -> None:
    response = client.get("/v1/certificates/GDBD-1/verify", params={"sha256": ["a", "b"]})
    assert response.status_code in (404, 422)
    error = error_of(response, response.status_code)
    assert not error["field"] or not error["field"].startswith(("query.", "path."))


def test_refusals_of_the_service_carry_field_and_rule(client: TestClient) -> None:
    unknown_key = client.post("/v1/search", json={"debtor_name": "An"},
                              headers={"x-api-key": "rs_nope"})
    error = error_of(unknown_key, 401)
    assert (error["code"], error["field"], error["rule"]) == (
        "key_unknown", "X-API-Key", "key_unknown")
    anonymous = error_of(client.get("/v1/batches/00000000-0000-0000-0000-000000000000"), 401)
    assert (anonymous["field"], anonymous["rule"]) == ("X-API-Key", "account_required")
    missing = error_of(client.get("/v1/certificates/nothing/verify"), 404)
    assert (missing["field"], missing["rule"]) == ("number", "certificate_not_found")


def test_the_rate_limit_is_429_in_the_format(app_database: str) -> None:
    from core.settings import Settings
    from server.app import create_app

    with TestClient(create_app(Settings(public_searches_per_minute=0))) as limited:
        response = limited.post("/v1/search", json={"debtor_name": "An"})
    error = error_of(response, 429)
    assert error["rule"] == "rate_limited" and int(response.headers["retry-after"]) > 0
