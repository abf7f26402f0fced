"""What the OpenAPI document declares (the conformance test holds the answers to it):
the key's security scheme, every refusal with the one error body, the PDF as a PDF, and
the one-criterion rule in the search request's schema."""

from __future__ import annotations

import re
from typing import Any

import pytest

ERROR_REF = "#/components/schemas/ErrorBody"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    from server.app import create_app

    found: dict[str, Any] = create_app().openapi()
    return found


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, operation)
            for path, item in document["paths"].items() for method, operation in item.items()]


def test_the_api_key_is_a_security_scheme(document: dict[str, Any]) -> None:
    assert document["components"]["securitySchemes"]["ApiKey"] == {
        **document["components"]["securitySchemes"]["ApiKey"],
        "type": "apiKey", "in": "header", "name": "X-API-Key"}
    security = {(method, path): operation.get("security")
                for method, path, operation in _operations(document)}
    assert security[("POST", "/v1/certificates")] == [{"ApiKey": []}]
    assert security[("GET", "/v1/batches/{batch_id}")] == [{"ApiKey": []}]
    # the key is optional for searches (the public searches without one)
    assert security[("POST", "/v1/search")] == [{"ApiKey": []}, {}]
    assert security[("GET", "/healthz")] is None


def test_every_refusal_has_the_error_body(document: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for method, path, operation in _operations(document):
        statuses = operation["responses"]
        assert "500" in statuses, (method, path)
        for status, response in statuses.items():
            if int(status) < 400 or (path, status) == ("/readyz", "503"):
                continue
            # the error body as JSON; a page a browser opens (``/verify/{number}``) may also
            # answer its refusal as HTML
            assert response["content"]["application/json"] == {"schema": {
                "$ref": ERROR_REF}}, (method, path, status)
            assert set(response["content"]) <= {"application/json", "text/html"}, (
                method, path, status)
        if operation.get("security") == [{"ApiKey": []}]:
            assert "401" in statuses, (method, path)
        if operation.get("parameters") or operation.get("requestBody"):
            assert "422" in statuses, (method, path)
        if "multipart/form-data" in operation.get("requestBody", {}).get("content", {}):
            # an upload can be unreadable or too large (429 where a per-client limit applies)
            assert {"400", "413"} <= set(statuses), (method, path)


def test_the_error_body_names_field_and_rule(document: dict[str, Any]) -> None:
    detail = document["components"]["schemas"]["ErrorDetail"]
    assert set(detail["required"]) == {"code", "message_vi", "message_en", "field", "rule"}


def test_files_are_declared_with_their_media_types(document: dict[str, Any]) -> None:
    pdf = document["paths"]["/v1/certificates/{number}.pdf"]["get"]["responses"]["200"]
    assert list(pdf["content"]) == ["application/pdf"]
    results = document["paths"]["/v1/batches/{batch_id}/results"]["get"]["responses"]["200"]
    assert set(results["content"]) == {
        "text/csv", "application/x-ndjson",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def test_the_search_request_says_one_criterion_not_empty(document: dict[str, Any]) -> None:
    from query.problems import CRITERIA

    schema = document["components"]["schemas"]["SearchRequest"]
    assert schema["oneOf"] == [{"required": [name]} for name in CRITERIA]
    assert schema["dependentRequired"] == {"party_type": ["debtor_name"],
                                           "id_type": ["id_number"]}
    for name in CRITERIA:
        value = schema["properties"][name]
        assert value["type"] == "string" and value["minLength"] == 1
        pattern = re.compile(value["pattern"])
        assert pattern.search("Nguyễn Văn An") and pattern.search(" 30A-123.45 ")
        for refused in ("", "   ", "\t\n", "An\x00", "An\x1b", "An\x85"):
            assert not pattern.search(refused), (name, refused)


def test_the_schema_pattern_refuses_what_the_server_refuses() -> None:
    """The pattern and the server's own check agree, value by value."""
    from hypothesis import given
    from hypothesis import strategies as st
    from pydantic import ValidationError

    from query.request import VALUE_PATTERN, SearchRequest

    pattern = re.compile(VALUE_PATTERN)

    @given(st.text(max_size=12))
    def agree(value: str) -> None:
        try:
            SearchRequest(plate_number=value)
            accepted = True
        except ValidationError:
            accepted = False
        assert accepted == bool(pattern.search(value)), repr(value)

    agree()
