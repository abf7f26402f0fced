"""Ranking: exact before close, higher score first, newest first, then as found."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from query.search import Match, ranked

TIMES = [f"2024-0{m}-0{d}T09:00:00+07:00" for m in range(1, 4) for d in range(1, 4)]


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
            newer = before.registration["registered_at"] > after.registration["registered_at"]
            same = before.registration["registered_at"] == after.registration["registered_at"]
            assert newer or (same and before.registration_id < after.registration_id)
    assert sorted(m.registration_id for m in order) == list(range(len(found)))
