"""The page's pure helpers: choices, labels, notices, times and paging."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from certify.wording import Bilingual
from web import view


def test_every_choice_names_a_criterion_of_the_api() -> None:
    from query.problems import CRITERIA

    for key, criterion, party_type, words in view.CHOICES:
        assert view.choice(key) == (criterion, party_type)
        assert criterion in CRITERIA and words.vi and words.en
    assert {c[1] for c in view.CHOICES} == set(CRITERIA)


def test_a_seizure_notice_by_its_kind_or_by_what_the_result_says() -> None:
    notice = {"kind": "seizure_notice"}
    assert view.is_notice(notice)
    assert view.role_heading(notice, "secured_parties").vi == "Cơ quan thi hành án"
    assert view.role_heading(notice, "grantors").vi == "Người phải thi hành án"
    assert view.role_heading(notice, "assets").vi == "Tài sản kê biên"
    mortgage = {"kind": "mortgage"}
    assert not view.is_notice(mortgage)
    assert view.role_heading(mortgage, "secured_parties") == Bilingual(
        "Bên nhận bảo đảm", "Secured party")
    carried = {"kind": "mortgage", "is_seizure_notice": True,
               "labels": {"secured_parties": {"vi": "Cơ quan THA", "en": "Office"}}}
    assert view.is_notice(carried)
    assert view.role_heading(carried, "secured_parties") == Bilingual("Cơ quan THA", "Office")


def test_times_in_vietnam() -> None:
    assert view.local_time("2024-03-05T02:41:00+00:00") == "05/03/2024 09:41:00 (UTC+7)"
    assert view.local_time(None) == "—"
    assert view.local_time("not a time") == "not a time"


def test_unknown_codes_are_shown_as_they_are() -> None:
    assert view.worded("kind", "mortgage").vi == "Thế chấp tài sản"
    assert view.worded("kind", "something_new") == Bilingual("something_new", "something_new")


@given(total=st.integers(0, 10_000), current=st.integers(-5, 1_000))
def test_paging_covers_every_result_once(total: int, current: int) -> None:
    pages = view.pages(total, current)
    assert 1 <= pages.current <= pages.count
    assert view.offset_of(pages.count) < max(total, 1)
    assert (pages.previous is None) == (pages.current == 1)
    assert (pages.next is None) == (pages.current == pages.count)


def test_hints_follow_the_criterion() -> None:
    assert "không dấu" in view.hint("debtor_name_organization").vi
    assert view.hint("chassis_number") == view.NUMBER_HINT
    assert view.hint("unknown") == view.hint("debtor_name")
