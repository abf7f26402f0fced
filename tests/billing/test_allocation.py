"""Payments onto statements, oldest first (the pure rule)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from billing.allocation import fifo

amounts = st.lists(st.integers(min_value=0, max_value=10**9), max_size=8)


def test_the_oldest_statement_is_paid_first() -> None:
    assert fifo([(1, 50_000)], [(10, 30_000), (11, 30_000)]) == [(1, 10, 30_000),
                                                                 (1, 11, 20_000)]
    assert fifo([(1, 10_000), (2, 40_000)], [(10, 30_000)]) == [(1, 10, 10_000),
                                                                (2, 10, 20_000)]
    assert fifo([], [(10, 30_000)]) == [] and fifo([(1, 5)], []) == []


@given(amounts, amounts)
def test_allocations_never_exceed_a_payment_or_a_debt(credit: list[int],
                                                      debt: list[int]) -> None:
    credits = list(enumerate(credit))
    debts = [(100 + i, owed) for i, owed in enumerate(debt)]
    moves = fifo(credits, debts)
    assert sum(m[2] for m in moves) == min(sum(credit), sum(debt))
    assert all(m[2] > 0 for m in moves)
    for pid, left in credits:
        assert sum(m[2] for m in moves if m[0] == pid) <= left
    for sid, owed in debts:
        assert sum(m[2] for m in moves if m[1] == sid) <= owed
    # oldest first: a statement gets money only when every older one is paid in full
    paid = {sid: sum(m[2] for m in moves if m[1] == sid) for sid, _ in debts}
    for i, (sid, _) in enumerate(debts):
        if paid[sid]:
            assert all(paid[s] == o for s, o in debts[:i])
    assert len({(m[0], m[1]) for m in moves}) == len(moves)
