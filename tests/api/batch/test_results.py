"""A batch row's match is the single search's result, with the registration summarised."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from api.batch.results import match_dict
from api.search_routes import result_model
from query.search import REGISTRATION_SUMMARY, Match

REGISTRATION = {"registration_number": "2024-0000000001", "kind": "mortgage",
                "status": "in_force", "registered_at": "2024-03-01T09:00:00+07:00",
                "grantors": [{"party_type": "individual", "name": "Nguyễn Văn Tú"}]}


@given(tier=st.sampled_from(["exact", "close"]),
       score=st.floats(min_value=0, max_value=1, allow_nan=False),
       reasons=st.lists(st.sampled_from(["exact", "diacritics", "one_edit", "token_order"]),
                        max_size=3, unique=True),
       position=st.integers(min_value=0, max_value=40))
def test_match_dict_is_the_search_result_with_the_summary(
        tier: str, score: float, reasons: list[str], position: int) -> None:
    match = Match(tier, score, tuple(reasons), "grantor", position, "name", "Nguyễn Văn Tú",
                  7, REGISTRATION)
    expected = result_model(match).model_dump()
    expected["registration"] = {key: REGISTRATION[key] for key in REGISTRATION_SUMMARY}
    assert match_dict(match) == expected
