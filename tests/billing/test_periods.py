"""Billing periods and dates in Viet Nam time (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.periods import (
    VN_TZ,
    Period,
    add_months,
    due_on,
    is_overdue,
    local_midnight,
    parse_as_of,
    period_before,
    period_containing,
    statement_number,
)

instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                        timezones=st.just(UTC))


def test_the_month_is_viet_nam_time_not_utc() -> None:
    # 30 Nov 2026 17:30 UTC is 1 Dec 00:30 in Ha Noi: December there
    assert period_containing(datetime(2026, 11, 30, 17, 30, tzinfo=UTC)) == Period(2026, 12)
    assert period_before(parse_as_of("2026-12-01")) == Period(2026, 11)
    november = Period(2026, 11)
    assert november.start == datetime(2026, 10, 31, 17, 0, tzinfo=UTC)
    assert november.end == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    assert (november.label, november.last_day) == ("11/2026", date(2026, 11, 30))


def test_january_statements_cover_december() -> None:
    assert period_before(parse_as_of("2027-01-01T00:30")) == Period(2026, 12)


@given(instants)
def test_an_instant_is_in_its_period_and_after_the_one_before(instant: datetime) -> None:
    period = period_containing(instant)
    assert period.start <= instant < period.end
    before = period_before(instant)
    assert before.end == period.start
    assert before.start < before.end


def test_due_and_overdue() -> None:
    due = due_on(date(2026, 12, 1), 30)
    assert due == date(2026, 12, 31)
    assert not is_overdue(due, local_midnight(date(2026, 12, 31)) + timedelta(hours=23))
    assert is_overdue(due, parse_as_of("2027-01-01"))


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
       st.integers(min_value=0, max_value=36))
def test_add_months_keeps_the_day_or_the_months_end(day: date, months: int) -> None:
    later = add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day == day.day or (later.day < day.day and
                                    (later + timedelta(days=1)).day == 1)


def test_add_months_at_the_end_of_a_month() -> None:
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)


def test_as_of_forms() -> None:
    assert parse_as_of("2026-12-01") == datetime(2026, 12, 1, tzinfo=VN_TZ)
    assert parse_as_of("2026-12-01T08:00") == datetime(2026, 12, 1, 8, tzinfo=VN_TZ)
    assert parse_as_of("2026-12-01T01:00+00:00") == datetime(2026, 12, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match=r"không hợp lệ.*not a valid"):
        parse_as_of("01/12/2026")


def test_statement_numbers() -> None:
    assert statement_number(Period(2026, 11), 123) == "TBP-2026-11-000123"
