"""Suspension and closure for unpaid fees, through the accounts' status
(``accounts.status.change``, idempotent, reasons in Vietnamese and English).

* a statement not paid by its due date suspends the account (reason ``fees_unpaid``,
  naming the statement, the amount owed and how to pay);
* paying the whole debt lifts that suspension at once (``lift_if_paid``, called in the
  payment's transaction);
* an account suspended for unpaid fees for ``billing_close_after_months`` is closed.

A suspension or closure for another reason (by the staff, by hand) is never lifted here.
Agencies and the staff's accounts get no statements, so they are never overdue.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg

from accounts import status
from billing import allocation
from billing.periods import add_months, local_date
from billing.wording import label
from certify.formatting import vn_date, vnd
from core.settings import Settings

ACTOR = "billing"
SUSPENDED = "fees_unpaid"
CLOSED = "fees_unpaid_closed"
LIFTED = "fees_paid"


def _change(conn: psycopg.Connection[Any], account_id: int, new: status.Status, reason: str,
            at: datetime, **values: object) -> bool:
    text = label("reason", reason).format(**values)
    return status.change(conn, account_id, new, reason_code=reason, reason_vi=text.vi,
                         reason_en=text.en, actor=ACTOR, at=at)


def _code(conn: psycopg.Connection[Any], account_id: int) -> str:
    row = conn.execute("SELECT code FROM accounts WHERE id = %s", (account_id,)).fetchone()
    return str(row[0]) if row else "?"


def check(conn: psycopg.Connection[Any], account_id: int, as_of: datetime,
          settings: Settings) -> str | None:
    """Suspend, close or lift as the account's fees say at ``as_of``, in the caller's
    transaction; what was done (``suspended``, ``closed``, ``lifted``) or None."""
    allocation.lock_account(conn, account_id)
    now = status.current(conn, account_id)
    owed = allocation.outstanding(conn, account_id)
    if now.status == "active":
        overdue = allocation.oldest_overdue(conn, account_id, as_of)
        if overdue is None:
            return None
        number, due = overdue
        amount = vnd(owed)
        done = _change(conn, account_id, "suspended", SUSPENDED, as_of, number=number,
                       due_date=vn_date(due), amount=amount.vi, amount_en=amount.en,
                       pay_to=settings.billing_pay_to, code=_code(conn, account_id))
        return "suspended" if done else None
    if now.status != "suspended" or now.reason_code != SUSPENDED:
        return None
    if owed == 0:
        return "lifted" if lift_if_paid(conn, account_id, as_of, "—") else None
    since = local_date(now.since)
    if local_date(as_of) < add_months(since, settings.billing_close_after_months):
        return None
    amount = vnd(owed)
    done = _change(conn, account_id, "closed", CLOSED, as_of, since=vn_date(since),
                   months=settings.billing_close_after_months, amount=amount.vi,
                   amount_en=amount.en)
    return "closed" if done else None


def lift_if_paid(conn: psycopg.Connection[Any], account_id: int, at: datetime,
                 reference: str) -> bool:
    """End a suspension for unpaid fees (only that kind) when nothing is owed; the caller
    holds the account's billing lock."""
    now = status.current(conn, account_id)
    if now.status != "suspended" or now.reason_code != SUSPENDED:
        return False
    if allocation.outstanding(conn, account_id) != 0:
        return False
    # the history's order is the order of changes: a payment dated before the suspension
    # (an operator's --as-of) lifts it as of the suspension itself
    return _change(conn, account_id, "active", LIFTED, max(at, now.since), reference=reference)
