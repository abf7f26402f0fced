"""Alerts as the account reads them: listed (all or unread), marked read. Each account
sees only its own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

_COLUMNS = ("id", "entry_id", "client_reference", "registration_id", "registration_number",
            "change_lsn", "committed_at", "event", "criterion", "watched_value", "field",
            "registered_value", "tier", "reasons", "score", "recorded_at", "read_at")


def as_json(row: Sequence[Any]) -> dict[str, Any]:
    """One alert in the API's and the webhook's JSON form."""
    found = dict(zip(_COLUMNS, row, strict=True))
    for key in ("committed_at", "recorded_at", "read_at"):
        if found[key] is not None:
            found[key] = found[key].isoformat()
    found["change_lsn"] = str(found["change_lsn"])
    found["reasons"] = list(found["reasons"])
    found["score"] = round(float(found["score"]), 4)
    found["read"] = found["read_at"] is not None
    return found


def listing(conn: psycopg.Connection[Any], account_id: int, *, unread_only: bool = False,
            after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    rows = conn.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM watch_alerts WHERE account_id = %s AND id > %s"
        + (" AND read_at IS NULL" if unread_only else "") + " ORDER BY id LIMIT %s",
        (account_id, after, limit)).fetchall()
    return [as_json(r) for r in rows]


def by_id(conn: psycopg.Connection[Any], alert_id: int) -> tuple[int, dict[str, Any]] | None:
    """(account, alert) of one alert, for its delivery."""
    row = conn.execute(f"SELECT account_id, {', '.join(_COLUMNS)} FROM watch_alerts"
                       " WHERE id = %s", (alert_id,)).fetchone()
    return (int(row[0]), as_json(row[1:])) if row is not None else None


def mark_read(conn: psycopg.Connection[Any], account_id: int, ids: Sequence[int] | None,
              up_to: int | None = None) -> int:
    """Mark the given alerts (or all up to ``up_to``, or all) read; returns how many changed."""
    sql = "UPDATE watch_alerts SET read_at = now() WHERE account_id = %s AND read_at IS NULL"
    params: list[Any] = [account_id]
    if ids is not None:
        sql += " AND id = ANY(%s)"
        params.append(list(ids))
    if up_to is not None:
        sql += " AND id <= %s"
        params.append(up_to)
    return conn.execute(sql, params).rowcount


def unread_count(conn: psycopg.Connection[Any], account_id: int) -> int:
    row = conn.execute("SELECT count(*) FROM watch_alerts WHERE account_id = %s"
                       " AND read_at IS NULL", (account_id,)).fetchone()
    return int(row[0]) if row else 0
