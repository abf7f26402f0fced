"""The search response written from plain values is the SearchResponse model's JSON."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from api.models import (
    CloseTier,
    CriterionEcho,
    ExactTier,
    SearchResponse,
)
from api.search_routes import response_body, result_model
from freshness.watermark import Watermark
from query.grouped import Page
from query.request import SearchRequest
from query.search import Match

_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**53, 2**53) | _TEXT
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=12)
_MATCHES = st.builds(
    Match, tier=st.sampled_from(["exact", "close"]),
    score=st.floats(0, 1), reasons=st.lists(st.sampled_from(
        ["token_order", "edit_distance", "missing_token"]), max_size=2).map(tuple),
    role=st.sampled_from(["grantor", "asset", "registration"]),
    position=st.integers(0, 20), field=st.sampled_from(["name", "id_number"]),
    value_as_registered=_TEXT, registration_id=st.integers(1, 10**9),
    registration=st.dictionaries(_TEXT, _JSON, max_size=4))


def _model_json(request: SearchRequest, page: Page, mark: Watermark) -> bytes:
    criterion, value = request.criterion
    return SearchResponse(
        criterion=CriterionEcho(name=criterion, value=value, normalised=page.normalised,
                                party_type=request.party_type),
        include_deleted=request.include_deleted, watermark=mark,
        exact=ExactTier(count=page.exact_count, offset=request.exact_offset,
                        results=[result_model(m) for m in page.exact]),
        close=CloseTier(count=page.close_count, offset=request.close_offset,
                        shown=len(page.close), left_out=page.close_left_out,
                        complete=page.close_complete,
                        results=[result_model(m) for m in page.close]),
    ).model_dump_json().encode()


@settings(max_examples=200)
@given(exact=st.lists(_MATCHES, max_size=4), close=st.lists(_MATCHES, max_size=4),
       counts=st.tuples(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 10**6)),
       complete=st.booleans(), deleted=st.booleans(), normalised=_TEXT,
       party_type=st.sampled_from([None, "individual", "organization"]),
       as_of=st.none() | st.just("2026-11-23T12:00:00+00:00"))
def test_the_body_is_the_models_json(exact: list[Match], close: list[Match],
                                     counts: tuple[int, int, int], complete: bool,
                                     deleted: bool, normalised: str, party_type: str | None,
                                     as_of: str | None) -> None:
    request = SearchRequest.model_validate(
        {"debtor_name": "Nguyễn Văn An", "party_type": party_type, "include_deleted": deleted,
         "exact_offset": 3, "close_offset": 1})
    page = Page(normalised=normalised, exact_count=counts[0], exact=exact,
                close_count=counts[1], close=close, close_before=1, close_left_out=counts[2],
                close_complete=complete)
    mark = Watermark(registry_current_as_of=as_of, applied_lsn="0/16B3748",
                     checked_upto_lsn="0/16B3750", verified_current_at=as_of)
    assert response_body(request, page, mark) == _model_json(request, page, mark)


def test_vietnamese_text_is_written_as_utf8_not_escaped() -> None:
    request = SearchRequest.model_validate({"debtor_name": "Nguyễn Văn Ân"})
    mark = Watermark(registry_current_as_of=None, applied_lsn="0/1", checked_upto_lsn="0/1")
    body: Any = response_body(request, Page(normalised="nguyễn văn ân"), mark)
    assert "Nguyễn Văn Ân".encode() in body
