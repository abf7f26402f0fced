"""An account's status (active, suspended, closed) and its append-only history.

``change`` is what every caller uses, by hand (staff) or from the billing jobs: it locks the
account's row, so two changes at once are applied one after the other, and it is
idempotent (changing to the status the account has already changes nothing and returns
False). The reason is stored in Vietnamese and English with a code; the refusals of paid
services quote it (``accounts.enforce``).

Agencies pay nothing (Nghị định 102/2017/NĐ-CP Điều 59 khoản 2): a suspension whose reason
code starts with ``fee`` (``FEE_REASON_PREFIX``: the billing jobs' reasons) is refused for
them with ``AgencyNotSuspendableError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import psycopg

from accounts.errors import UnknownAccountError

__all__ = ["STATUSES", "AgencyNotSuspendableError", "Status", "StatusRecord",
           "UnknownAccountError", "change", "current", "history", "record_opening"]

Status = Literal["active", "suspended", "closed"]
STATUSES: tuple[Status, ...] = ("active", "suspended", "closed")
#: Reason codes of suspensions and closures for unpaid fees start with this.
FEE_REASON_PREFIX = "fee"


@dataclass(frozen=True)
class StatusRecord:
    status: Status
    since: datetime
    reason_code: str
    reason_vi: str
    reason_en: str


class AgencyNotSuspendableError(ValueError):
    """Agencies pay nothing: they are never suspended or closed for fees."""


def change(conn: psycopg.Connection[Any], account_id: int, new_status: Status, *,
           reason_code: str, reason_vi: str, reason_en: str, actor: str,
           at: datetime) -> bool:
    """Set the account's status; False (and nothing written) when it has it already.

    Runs in the caller's transaction (commit is the caller's); the account's row is locked
    until then. Raises ``UnknownAccountError``, ``AgencyNotSuspendableError``, and
    ``ValueError`` for a status that is not one of ``STATUSES`` or an empty reason.
    """
    if new_status not in STATUSES:
        raise ValueError(f"unknown status {new_status!r}")
    if not (reason_code.strip() and reason_vi.strip() and reason_en.strip() and actor.strip()):
        raise ValueError("a status change needs a reason code, texts and an actor")
    row = conn.execute("SELECT status, role FROM accounts WHERE id = %s FOR UPDATE",
                       (account_id,)).fetchone()
    if row is None:
        raise UnknownAccountError(account_id)
    if row[0] == new_status:
        return False
    if (row[1] == "agency" and new_status != "active"
            and reason_code.startswith(FEE_REASON_PREFIX)):
        raise AgencyNotSuspendableError(
            f"account {account_id} is an agency: never {new_status} for fees")
    conn.execute("UPDATE accounts SET status = %s, status_since = %s WHERE id = %s",
                 (new_status, at, account_id))
    conn.execute(
        "INSERT INTO account_status_history (account_id, status, reason_code, reason_vi,"
        " reason_en, actor, at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
        (account_id, new_status, reason_code, reason_vi, reason_en, actor, at))
    return True


def current(conn: psycopg.Connection[Any], account_id: int,
            as_of: datetime | None = None) -> StatusRecord:
    """The account's status, since when, and the reason of the change that set it; with
    ``as_of``, the status it had then (the newest change recorded at or before it)."""
    row = conn.execute(
        "SELECT h.status, h.at, h.reason_code, h.reason_vi, h.reason_en"
        " FROM account_status_history h WHERE h.account_id = %s"
        " AND (%s::timestamptz IS NULL OR h.at <= %s)"
        " ORDER BY h.id DESC LIMIT 1", (account_id, as_of, as_of)).fetchone()
    if row is None:
        raise UnknownAccountError(account_id)
    return StatusRecord(status=row[0], since=row[1], reason_code=row[2], reason_vi=row[3],
                        reason_en=row[4])


def history(conn: psycopg.Connection[Any], account_id: int) -> list[dict[str, Any]]:
    """Every change of the account's status, oldest first."""
    rows = conn.execute(
        "SELECT status, reason_code, reason_vi, reason_en, actor, at"
        " FROM account_status_history WHERE account_id = %s ORDER BY id",
        (account_id,)).fetchall()
    keys = ("status", "reason_code", "reason_vi", "reason_en", "actor", "at")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def record_opening(conn: psycopg.Connection[Any], account_id: int, *, actor: str,
                   at: datetime) -> None:
    """The first history row of a new account (status active)."""
    conn.execute(
        "INSERT INTO account_status_history (account_id, status, reason_code, reason_vi,"
        " reason_en, actor, at) VALUES (%s, 'active', 'opened', 'Mở tài khoản.',"
        " 'Account opened.', %s, %s)", (account_id, actor, at))
