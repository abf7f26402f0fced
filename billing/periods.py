"""Billing periods and dates, in Viet Nam time (pure).

A statement covers one calendar month in Asia/Ho_Chi_Minh time; it is dated the day it is
made (the first of the next month when the scheduler runs on time) and due
``due_days`` later. The clock is always passed in (``as_of``), never read here.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class Period:
    """One calendar month in Viet Nam time: ``[start, end)`` as instants."""

    year: int
    month: int

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def start(self) -> datetime:
        return local_midnight(self.first_day)

    @property
    def end(self) -> datetime:
        return local_midnight(self.last_day + timedelta(days=1))

    @property
    def label(self) -> str:
        """``11/2026``, as Vietnamese documents write a month."""
        return f"{self.month:02d}/{self.year}"


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=VN_TZ)


def local_date(instant: datetime) -> date:
    return instant.astimezone(VN_TZ).date()


def period_containing(instant: datetime) -> Period:
    local = instant.astimezone(VN_TZ)
    return Period(local.year, local.month)


def period_before(as_of: datetime) -> Period:
    """The last whole month before ``as_of`` (the month a statement made then covers)."""
    current = period_containing(as_of)
    if current.month == 1:
        return Period(current.year - 1, 12)
    return Period(current.year, current.month - 1)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, the month's last day when it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_on(statement_date: date, due_days: int) -> date:
    """The last day to pay a statement dated ``statement_date``."""
    return statement_date + timedelta(days=due_days)


def is_overdue(due: date, as_of: datetime) -> bool:
    """Unpaid at the end of its due day: overdue from the next day on (Viet Nam time)."""
    return local_date(as_of) > due


def parse_as_of(text: str) -> datetime:
    """An operator's ``--as-of``: a date (its midnight in Viet Nam time), or a date and
    time (Viet Nam time unless it names its offset)."""
    text = text.strip()
    try:
        if len(text) == 10:
            return local_midnight(date.fromisoformat(text))
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(
            f"'{text}': ngày giờ không hợp lệ, cần dạng 2026-12-01 hoặc 2026-12-01T08:00 / "
            "not a valid date or time, expected 2026-12-01 or 2026-12-01T08:00") from exc
    return value if value.tzinfo is not None else value.replace(tzinfo=VN_TZ)


def statement_number(period: Period, seq: int) -> str:
    """``TBP-2026-11-000123``: thông báo phí, the period, a sequence number."""
    return f"TBP-{period.year:04d}-{period.month:02d}-{seq:06d}"
