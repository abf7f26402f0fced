"""When registrations happen: dates, registration numbers, and later events.

Registrations come out in time order, as a registry export would: registration i of n sits
at position (i + jitter) / n of a cumulative distribution over working days and office
hours, 1 January 2017 to ``END``. Registration numbers run from 1 within each year
("2024-0000123456"). Everything is a closed-form function of i, so any slice of the stream
can be produced on its own.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from datetime import date, datetime, timedelta, timezone
from itertools import accumulate
from typing import Final

TZ: Final = timezone(timedelta(hours=7))
START: Final = date(2017, 1, 1)
END: Final = date(2026, 11, 1)  # fixed, so output does not depend on the day it is made
# Registrations per year, relative (the registry has grown with consumer credit).
YEAR_WEIGHTS: Final = {
    2017: 7.0, 2018: 8.5, 2019: 9.5, 2020: 9.0, 2021: 9.0,
    2022: 10.5, 2023: 10.0, 2024: 11.0, 2025: 12.5, 2026: 13.0,
}
WEEKDAY_WEIGHTS: Final = (1.0, 1.0, 1.0, 1.0, 1.0, 0.25, 0.06)  # online filing at weekends
HOUR_WEIGHTS: Final = (
    0.02, 0.01, 0.01, 0.01, 0.01, 0.02, 0.05, 0.4, 1.2, 1.5, 1.5, 1.1,
    0.3, 0.9, 1.4, 1.4, 1.2, 0.5, 0.15, 0.12, 0.1, 0.08, 0.05, 0.03,
)
_GOLDEN: Final = (math.sqrt(5) - 1) / 2


def _cumulative(weights: list[float]) -> list[float]:
    total = sum(weights)
    return [c / total for c in accumulate(weights)]


_DAYS: Final = [START + timedelta(days=k) for k in range((END - START).days)]
_DAY_CUM: Final = _cumulative([
    YEAR_WEIGHTS[d.year] / 365 * WEEKDAY_WEIGHTS[d.weekday()] for d in _DAYS
])
_HOUR_CUM: Final = _cumulative(list(HOUR_WEIGHTS))


def _inverse(cumulative: list[float], x: float) -> tuple[int, float]:
    """Index of the bucket holding x, and x's fraction of the way through it."""
    k = min(bisect_right(cumulative, x), len(cumulative) - 1)
    low = cumulative[k - 1] if k else 0.0
    width = cumulative[k] - low
    return k, (x - low) / width if width > 0 else 0.0


class Timeline:
    """Time and number of registration i of ``count`` for one seed."""

    def __init__(self, count: int, seed: int) -> None:
        self.count = count
        self._offset = (seed * _GOLDEN) % 1.0
        self._first_of_year = {year: self._first_index_in(year) for year in YEAR_WEIGHTS}
        self._years = sorted(self._first_of_year)
        self._starts = [self._first_of_year[year] for year in self._years]

    def at(self, i: int) -> datetime:
        x = (i + (self._offset + i * _GOLDEN) % 1.0) / self.count
        day_index, into_day = _inverse(_DAY_CUM, x)
        hour, into_hour = _inverse(_HOUR_CUM, into_day)
        second = min(int(into_hour * 3600), 3599)
        day = _DAYS[day_index]
        return datetime(day.year, day.month, day.day, hour, second // 60, second % 60, tzinfo=TZ)

    def year_of(self, i: int) -> int:
        """The year of registration i, without computing its time."""
        return self._years[bisect_right(self._starts, i) - 1]

    def registration_number(self, i: int, year: int) -> str:
        return f"{year}-{i - self._first_of_year[year] + 1:010d}"

    def _first_index_in(self, year: int) -> int:
        low, high = 0, self.count  # first i whose year >= year (monotone in i)
        while low < high:
            middle = (low + high) // 2
            if self.at(middle).year >= year:
                high = middle
            else:
                low = middle + 1
        return low


def end_of_data() -> datetime:
    return datetime(END.year, END.month, END.day, tzinfo=TZ) - timedelta(seconds=1)
