"""Anonymous callers see individuals' ID numbers masked and no individual's address
(docs/privacy.md); account holders see everything."""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from api.privacy import anonymous_view, mask_id
from query.search import Match
from tests.api.test_search_end_to_end import REGISTRATION, commit, numbers
from tests.conftest import wait_until

ID = REGISTRATION["grantors"][0]["id_number"]
ADDRESS = REGISTRATION["grantors"][0]["address"]


@given(st.text(min_size=1, max_size=40))
def test_a_masked_number_shows_at_most_its_last_four_characters(value: str) -> None:
    masked = mask_id(value)
    assert len(masked) == len(value)
    shown = masked.lstrip("*")
    assert len(shown) <= 4 and value.endswith(shown)
    if len(value) < 8:
        assert shown == ""


def test_the_rule_example() -> None:
    assert mask_id("001190012345") == "********2345"


@pytest.mark.parametrize("text", ["1234.1234.1234.1234.1234", "123412341234123412341234",
                                  "0000 0000 0000 0000 00"])
def test_a_number_written_twice_overlapping_does_not_come_back(text: str) -> None:
    number = "000000000000" if text.startswith("0") else "123412341234"
    leaky = {**REGISTRATION, "grantors": [{**REGISTRATION["grantors"][0], "id_number": number}],
             "events": [{"type": "correction", "summary": text}]}
    view = anonymous_view(_match(leaky))
    shown = view.registration["events"][0]["summary"]
    assert number not in shown.replace(".", "").replace(" ", ""), shown


def test_an_address_found_in_its_own_replacement_is_replaced_once() -> None:
    """"l" is in "[đã ẩn / withheld]": replaced until gone, it never ended."""
    leaky = {**REGISTRATION, "grantors": [{**REGISTRATION["grantors"][0], "address": "l"}],
             "events": [{"type": "correction", "summary": "ll"}]}
    view = anonymous_view(_match(leaky))
    assert view.registration["events"][0]["summary"] == "[đã ẩn / withheld]" * 2


@given(st.text("0123456789", min_size=1, max_size=4), st.integers(2, 5),
       st.integers(3, 8), st.sampled_from(["", " ", ".", "-"]))
def test_repeated_blocks_never_give_the_number_back(
        block: str, copies: int, extra: int, separator: str) -> None:
    number = (block * 12)[:max(8, len(block) * copies)]
    text = separator.join(block * (len(number) // len(block) + extra))
    leaky = {**REGISTRATION, "grantors": [{**REGISTRATION["grantors"][0], "id_number": number}],
             "events": [{"type": "correction", "summary": text}]}
    shown = anonymous_view(_match(leaky)).registration["events"][0]["summary"]
    assert number not in (shown.replace(separator, "") if separator else shown), shown


def _match(registration: dict[str, Any], field: str = "id_number") -> Match:
    value = registration["grantors"][0][field]
    return Match("exact", 1.0, (), "grantor", 0, field, value, 7, registration)


def _with_summary(summary: str) -> dict[str, Any]:
    return {**REGISTRATION, "events": [
        {"type": "correction", "at": "2024-05-01T08:00:00+07:00", "summary": summary}]}


def test_nothing_in_the_anonymous_view_gives_the_number_or_address_back() -> None:
    leaky = _with_summary(f"Sửa số CCCD thành {ID} (trước: 001 190 012 345); {ADDRESS}")
    view = anonymous_view(_match(leaky))
    text = json.dumps([view.registration, view.value_as_registered], ensure_ascii=False)
    assert ID not in text and "001 190 012 345" not in text and ADDRESS not in text
    assert "8012345" not in text.replace(" ", "")  # no more than the last four digits
    grantor = view.registration["grantors"][0]
    assert grantor["id_number"] == "********2345" and "address" not in grantor
    assert view.value_as_registered == "********2345"
    bank = view.registration["secured_parties"][0]
    assert bank == REGISTRATION["secured_parties"][0]  # organisations stay whole
    assert REGISTRATION["grantors"][0]["id_number"] == ID  # the original is untouched


def test_a_name_match_keeps_the_name() -> None:
    view = anonymous_view(_match(REGISTRATION, "name"))
    assert view.value_as_registered == REGISTRATION["grantors"][0]["name"]


@pytest.mark.services
def test_anonymous_results_are_masked_and_customers_see_everything(
        api_client: TestClient, settings: Any) -> None:
    import accounts

    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        key = accounts.issue_key(conn, accounts.create_account(conn, "Ngân hàng", "customer"))
    commit(REGISTRATION)
    wait_until(lambda: numbers(api_client, {"id_number": ID}), what="searchable")
    for body in ({"id_number": ID}, {"debtor_name": "Nguyen Thi Nhu Quynh"}):
        anonymous = api_client.post("/v1/search", json=body).json()
        shown = json.dumps(anonymous["exact"], ensure_ascii=False)
        assert ID not in shown and ADDRESS not in shown, shown
        grantor = anonymous["exact"]["results"][0]["registration"]["grantors"][0]
        assert grantor["id_number"] == "********2345" and "address" not in grantor
        full = api_client.post("/v1/search", json=body, headers={"x-api-key": key}).json()
        grantor = full["exact"]["results"][0]["registration"]["grantors"][0]
        assert grantor["id_number"] == ID and grantor["address"] == ADDRESS
