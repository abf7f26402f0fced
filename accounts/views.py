"""What every user of an account may see: its details, status with the reason, users, and
its transactions (the usage ledger's lines, each naming the user who asked).

Balance and statements come from the billing side (issue 21's other half): its functions
add them to ``account_view``'s answer where marked, with the same ``(conn, account_id,
as_of)`` arguments.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg

from accounts import keys, records, status, users
from accounts.validate import AGENCY_KIND_LABELS_VI

#: The kinds of ledger line listed as transactions by default: what is charged.
CHARGEABLE = ("certificate", "batch")
MAX_TRANSACTIONS = 10_000


def account_dict(account: records.Account) -> dict[str, Any]:
    return {
        "id": account.id, "code": account.code, "name": account.name, "kind": account.kind,
        "agency_kind": account.agency_kind,
        "agency_kind_vi": AGENCY_KIND_LABELS_VI.get(account.agency_kind or ""),
        "tax_code": account.tax_code, "address": account.address,
        "contact_emails": list(account.contact_emails), "created_at": account.created_at,
    }


def status_dict(record: status.StatusRecord) -> dict[str, Any]:
    return {"status": record.status, "since": record.since, "reason_code": record.reason_code,
            "reason_vi": record.reason_vi, "reason_en": record.reason_en}


def user_dict(user: users.User) -> dict[str, Any]:
    state = "removed" if user.removed_at else "disabled" if user.disabled_at else "active"
    return {"id": user.id, "name": user.name, "email": user.email, "role": user.role,
            "state": state, "created_at": user.created_at, "disabled_at": user.disabled_at,
            "removed_at": user.removed_at, "can_sign_in": user.has_password and user.active}


def key_dict(key: keys.KeyInfo) -> dict[str, Any]:
    return {"key_id": key.key_id, "created_at": key.created_at, "revoked_at": key.revoked_at}


def account_view(conn: psycopg.Connection[Any], account_id: int) -> dict[str, Any]:
    """The account's details and status (billing adds ``balance`` and ``statements``)."""
    view = account_dict(records.get(conn, account_id))
    view["status"] = status_dict(status.current(conn, account_id))
    view["users"] = len(users.list_users(conn, account_id))
    # billing (issue 21): view["balance"] = billing.balance(conn, account_id, as_of)
    return view


def transactions(conn: psycopg.Connection[Any], account_id: int, *,
                 start: datetime | None = None, end: datetime | None = None,
                 kinds: tuple[str, ...] = CHARGEABLE,
                 limit: int = MAX_TRANSACTIONS) -> list[dict[str, Any]]:
    """The account's ledger lines in [start, end), oldest first, with the user's name."""
    rows = conn.execute(
        "SELECT l.id, l.at, l.kind, l.criterion, l.reference, l.rows, l.fee_vnd,"
        " l.free_ground, l.user_id, u.name, u.email, l.client_reference FROM usage_ledger l"
        " LEFT JOIN users u ON u.id = l.user_id WHERE l.account_id = %s"
        " AND l.kind = ANY(%s) AND (%s::timestamptz IS NULL OR l.at >= %s)"
        " AND (%s::timestamptz IS NULL OR l.at < %s) ORDER BY l.at, l.id LIMIT %s",
        (account_id, list(kinds), start, start, end, end, limit)).fetchall()
    names = ("id", "at", "kind", "criterion", "reference", "rows", "fee_vnd", "free_ground",
             "user_id", "user_name", "user_email", "client_reference")
    return [dict(zip(names, row, strict=True)) for row in rows]
