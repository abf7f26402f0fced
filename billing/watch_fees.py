"""The monthly watch list fee: how many values an account watched in a month.

An entry-month is counted per distinct watched value, the triple (criterion, normal form,
party type), on the account's list at any time during the month (Viet Nam time): added
before the month's end and not removed before its start (``watch_entry_history``, kept by
triggers on ``watch_entries``). Not prorated: a value watched for one day of the month
costs the month. Counted once however often it was added, removed or replaced: a bank
that replaces its loan book every week pays for each value once. Agencies pay nothing
(``accounts.fees.watch_entry_fee``).
"""

from __future__ import annotations

from typing import Any

import psycopg

from accounts.fees import watch_entry_fee
from billing.model import WatchCharge
from billing.periods import Period
from core.settings import Settings


def watched_values(conn: psycopg.Connection[Any], account_id: int, period: Period) -> int:
    """The distinct values the account watched at any time in ``period``."""
    row = conn.execute(
        "SELECT count(*) FROM (SELECT DISTINCT criterion, normalised, coalesce(party_type, '')"
        " FROM watch_entry_history WHERE account_id = %s AND added_at < %s"
        " AND (removed_at IS NULL OR removed_at > %s)) AS v",
        (account_id, period.end, period.start)).fetchone()
    return int(row[0]) if row else 0


def watch_charge(conn: psycopg.Connection[Any], account_id: int, role: str, period: Period,
                 settings: Settings) -> WatchCharge | None:
    """The month's watch line of the statement; None when there is nothing to charge."""
    fee = watch_entry_fee(role, settings).amount_vnd
    if fee <= 0:
        return None
    entries = watched_values(conn, account_id, period)
    if entries == 0:
        return None
    return WatchCharge(entries=entries, fee_per_entry_vnd=fee, fee_vnd=entries * fee)
