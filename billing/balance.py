"""An account's balance as its users see it (``GET /v1/account``): stated fees unpaid, the
oldest unpaid statement and its due date, payments not yet used (a credit), and the fees
of lines on no statement yet (the current month's, so far)."""

from __future__ import annotations

from typing import Any

import psycopg

from billing import allocation


def summary(conn: psycopg.Connection[Any], account_id: int) -> dict[str, Any]:
    row = conn.execute(
        "SELECT (SELECT coalesce(sum(p.amount_vnd), 0) FROM payments p WHERE p.account_id = %s)"
        " - (SELECT coalesce(sum(a.amount_vnd), 0) FROM payment_allocations a JOIN payments p"
        " ON p.id = a.payment_id WHERE p.account_id = %s),"
        " (SELECT coalesce(sum(l.fee_vnd), 0) FROM usage_ledger l WHERE l.account_id = %s"
        " AND l.fee_vnd > 0 AND NOT EXISTS (SELECT 1 FROM statement_lines s"
        " WHERE s.ledger_id = l.id))", (account_id, account_id, account_id)).fetchone()
    assert row is not None
    oldest = conn.execute(
        "SELECT s.number, s.due_on FROM statements s LEFT JOIN payment_allocations a"
        " ON a.statement_id = s.id WHERE s.account_id = %s GROUP BY s.id"
        " HAVING s.charges_vnd > coalesce(sum(a.amount_vnd), 0)"
        " ORDER BY s.period_start, s.id LIMIT 1", (account_id,)).fetchone()
    return {
        "owed_vnd": allocation.outstanding(conn, account_id),
        "oldest_unpaid": ({"number": oldest[0], "due_on": oldest[1].isoformat()}
                          if oldest else None),
        "credit_vnd": int(row[0]),
        "unbilled_vnd": int(row[1]),
    }
