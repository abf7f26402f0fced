"""Ranking: exact before close, higher score first, newest first, then as found."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from query.search import Match, epoch_ms, ranked

TIMES = [f"2024-0{m}-0{d}T09:00:00+07:00" for m in range(1, 4) for d in range(1, 4)] + [
    # one millisecond apart, within one millisecond, another offset, before 1970
    "2024-01-01T09:00:00.001+07:00", "2024-01-01T09:00:00.0015+07:00",
    "2024-01-01T02:00:00.0012+00:00", "1969-12-31T23:59:59.5+00:00"]


@given(st.lists(st.tuples(st.sampled_from(["exact", "close"]),
                          st.sampled_from([1.0, 0.9, 0.75]), st.sampled_from(TIMES)),
                max_size=40))
def test_ranked_orders_by_tier_score_then_newest(found: list[tuple[str, float, str]]) -> None:
    matches = [Match(tier, score, (), "grantor", 0, "name", "Nguyễn Văn Tú", i,
                     {"registered_at": at}) for i, (tier, score, at) in enumerate(found)]
    order = ranked(matches)
    keys = [({"exact": 0, "close": 1}[m.tier], -m.score) for m in order]
    assert keys == sorted(keys)
    for before, after in pairwise(order):
        if (before.tier, before.score) == (after.tier, after.score):
            newer = epoch_ms(before.registration["registered_at"]) > epoch_ms(
                after.registration["registered_at"])
            same = epoch_ms(before.registration["registered_at"]) == epoch_ms(
                after.registration["registered_at"])
            assert newer or (same and before.registration_id < after.registration_id)
    assert sorted(m.registration_id for m in order) == list(range(len(found)))


def test_times_compare_to_the_millisecond_and_across_offsets() -> None:
    assert epoch_ms("1970-01-01T07:00:00.0019+07:00") == 1
    assert epoch_ms("2024-01-01T09:00:00.001999+07:00") == epoch_ms(
        "2024-01-01T02:00:00.001+00:00")
    assert epoch_ms("1969-12-31T23:59:59.999+00:00") == -1
    assert epoch_ms("2024-01-01T00:00:00") == epoch_ms("2024-01-01T00:00:00+00:00")
    same_ms = [Match("exact", 1.0, (), "grantor", 0, "name", "A", reg_id, {"registered_at": at})
               for reg_id, at in ((1, "2024-01-01T09:00:00.0011+07:00"),
                                  (2, "2024-01-01T09:00:00.0019+07:00"),
                                  (3, "2024-01-01T03:00:00.000+01:00"))]
    # 1 and 2 share a millisecond, so keep their order; 3 is 1 ms older than both
    assert [m.registration_id for m in ranked(same_ms)] == [1, 2, 3]
