"""Payments allocated to statements, the oldest statement first (and the oldest payment's
money first). ``fifo`` is the pure rule; ``allocate`` applies it to an account's rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg

#: pg_advisory_xact_lock(class, account id) taken by everything that changes an account's
#: fees (statements, payments, dunning): one at a time per account ("bill").
ACCOUNT_LOCK_CLASS = 0x62696C6C


def lock_account(conn: psycopg.Connection[Any], account_id: int) -> None:
    """Until the transaction ends, no other billing change of this account."""
    conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (ACCOUNT_LOCK_CLASS, account_id))


def fifo(credits: list[tuple[int, int]], debts: list[tuple[int, int]]
         ) -> list[tuple[int, int, int]]:
    """(payment, statement, amount) moving ``credits`` (payment, amount left) onto ``debts``
    (statement, amount owed), both oldest first, until one runs out."""
    moves: list[tuple[int, int, int]] = []
    credit_left = [[pid, left] for pid, left in credits if left > 0]
    debt_left = [[sid, owed] for sid, owed in debts if owed > 0]
    c = d = 0
    while c < len(credit_left) and d < len(debt_left):
        amount = min(credit_left[c][1], debt_left[d][1])
        moves.append((credit_left[c][0], debt_left[d][0], amount))
        credit_left[c][1] -= amount
        debt_left[d][1] -= amount
        if credit_left[c][1] == 0:
            c += 1
        if debt_left[d][1] == 0:
            d += 1
    return moves


def allocate(conn: psycopg.Connection[Any], account_id: int, at: datetime) -> int:
    """Allocate the account's unallocated payments to its unpaid statements; the amount
    moved. The caller holds ``lock_account``."""
    credits = conn.execute(
        "SELECT p.id, p.amount_vnd - coalesce(sum(a.amount_vnd), 0) FROM payments p"
        " LEFT JOIN payment_allocations a ON a.payment_id = p.id WHERE p.account_id = %s"
        " GROUP BY p.id HAVING p.amount_vnd > coalesce(sum(a.amount_vnd), 0)"
        " ORDER BY p.received_at, p.id", (account_id,)).fetchall()
    if not credits:
        return 0
    debts = conn.execute(
        "SELECT s.id, s.charges_vnd - coalesce(sum(a.amount_vnd), 0) FROM statements s"
        " LEFT JOIN payment_allocations a ON a.statement_id = s.id WHERE s.account_id = %s"
        " GROUP BY s.id HAVING s.charges_vnd > coalesce(sum(a.amount_vnd), 0)"
        " ORDER BY s.period_start, s.id", (account_id,)).fetchall()
    moves = fifo([(int(p), int(left)) for p, left in credits],
                 [(int(s), int(owed)) for s, owed in debts])
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO payment_allocations (payment_id, statement_id, amount_vnd,"
                        " at) VALUES (%s, %s, %s, %s)", [(*m, at) for m in moves])
    return sum(m[2] for m in moves)


def outstanding(conn: psycopg.Connection[Any], account_id: int) -> int:
    """The account's stated fees not yet paid (the whole debt)."""
    row = conn.execute(
        "SELECT coalesce(sum(s.charges_vnd), 0) - coalesce((SELECT sum(a.amount_vnd)"
        " FROM payment_allocations a JOIN statements t ON t.id = a.statement_id"
        " WHERE t.account_id = %s), 0) FROM statements s WHERE s.account_id = %s",
        (account_id, account_id)).fetchone()
    return int(row[0]) if row else 0


def oldest_overdue(conn: psycopg.Connection[Any], account_id: int, as_of: datetime
                   ) -> tuple[str, Any] | None:
    """(number, due date) of the oldest statement not paid by its due date as of ``as_of``
    (Viet Nam time), or None."""
    row = conn.execute(
        "SELECT s.number, s.due_on FROM statements s LEFT JOIN payment_allocations a"
        " ON a.statement_id = s.id WHERE s.account_id = %s"
        " AND s.due_on < (%s::timestamptz AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"
        " GROUP BY s.id HAVING s.charges_vnd > coalesce(sum(a.amount_vnd), 0)"
        " ORDER BY s.period_start, s.id LIMIT 1", (account_id, as_of)).fetchone()
    return (str(row[0]), row[1]) if row else None
