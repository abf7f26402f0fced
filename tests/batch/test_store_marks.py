"""A chunk that reuses lookups searched earlier is as current as the earliest of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from batch.store import Mark, earliest
from batch.stored_rows import _LookupCache

TIMES = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1),
                     timezones=st.just(UTC))


@given(st.lists(st.tuples(TIMES, st.text(max_size=5)), min_size=1, max_size=6),
       st.sampled_from([timedelta(0), timedelta(hours=7)]))
def test_the_earliest_mark_is_the_earliest_time_with_its_position(
        marks: list[tuple[datetime, str]], offset: timedelta) -> None:
    # the same instants written in another time zone compare as instants
    written: list[Mark] = [(t.astimezone(timezone(offset)).isoformat(),
                            lsn) for t, lsn in marks]
    chosen = earliest(written)
    assert chosen in written
    assert chosen[0] is not None
    assert datetime.fromisoformat(chosen[0]) == min(t for t, _ in marks)


def test_an_unknown_mark_makes_the_chunk_unknown() -> None:
    assert earliest([("2026-11-23T07:00:00+00:00", "0/1"), (None, None)]) == (None, None)
    assert earliest([]) == (None, None)


def test_the_lookup_cache_keeps_the_most_recently_used_within_its_matches() -> None:
    cache = _LookupCache(max_matches=10)
    big: dict[str, Any] = {"exact": {"results": [{}] * 6}, "close": {"results": []}}
    small: dict[str, Any] = {"exact": {"results": [{}]}, "close": {"results": [{}]}}
    cache.put("big", big, 7)
    cache.put("small", small, 3)
    assert cache.get("big") is big  # now the most recent
    cache.put("other", dict(small), 3)
    assert cache.get("small") is None and cache.get("big") is big
    assert cache.held <= 10
