"""Who is calling: the public (no key) or a user of an account, by an API key.

Roles of accounts (``accounts.role``): the public (no key: uncertified searches, free,
rate-limited), customers (banks and others: each certificate charged at the configured
fee), agencies (courts, procuracies, investigation bodies, enforcement offices and other
competent bodies: free under Điều 59 khoản 2 Nghị định 102/2017/NĐ-CP) and ``admin``: the
registry's own staff account, whose users are *registry staff* (``Caller.is_staff``). That
is a different thing from an account's administrator (``users.role = 'admin'``,
``Caller.is_account_admin``), who manages the users of their own account only.
Keys are stored only as hashes.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from typing import Any, Literal

import psycopg

Role = Literal["public", "customer", "agency", "admin"]
UserRole = Literal["admin", "user"]


@dataclass(frozen=True)
class Caller:
    account_id: int | None
    name: str
    role: Role
    agency_kind: str | None = None
    max_batch_rows: int = 0
    max_open_batches: int = 0
    #: sha256 of the key the caller gave (which of the account's keys; the audit trail)
    key_hash: str | None = None
    #: the user the key belongs to (None: the public, or a job made before users existed)
    user_id: int | None = None
    user_role: UserRole | None = None
    #: the account's status when the caller was authenticated
    account_status: str = "active"

    @property
    def is_public(self) -> bool:
        return self.account_id is None

    @property
    def is_staff(self) -> bool:
        """A user of the registry's own staff account."""
        return self.role == "admin" and self.account_id is not None

    @property
    def is_account_admin(self) -> bool:
        """The administrator (quản trị) of their own account."""
        return self.user_role == "admin"


PUBLIC = Caller(account_id=None, name="Công chúng / public", role="public")

Rejection = Literal["unknown", "revoked", "user_disabled", "account_closed"]


class KeyRejectedError(Exception):
    def __init__(self, reason: Rejection) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def revoked(self) -> bool:
        return self.reason == "revoked"


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


_SELECT = ("SELECT a.id, a.name, a.role, a.agency_kind, a.max_batch_rows,"
           " a.max_open_batches, u.id, u.role, a.status")


def authenticate(conn: psycopg.Connection[Any], key: str | None) -> Caller:
    """The caller a key belongs to; no key is the public. Raises ``KeyRejectedError``: an
    unknown or revoked key, a disabled or removed user, a closed account."""
    if not key:
        return PUBLIC
    digest = key_hash(key)
    row = conn.execute(
        _SELECT + ", k.revoked_at IS NOT NULL,"
        " u.disabled_at IS NOT NULL OR u.removed_at IS NOT NULL"
        " FROM api_keys k JOIN accounts a ON a.id = k.account_id"
        " JOIN users u ON u.id = k.user_id WHERE k.key_hash = %s", (digest,)).fetchone()
    if row is None:
        raise KeyRejectedError("unknown")
    if row[9]:
        raise KeyRejectedError("revoked")
    if row[8] == "closed":
        raise KeyRejectedError("account_closed")
    if row[10]:
        raise KeyRejectedError("user_disabled")
    return dataclasses.replace(_caller(row), key_hash=digest)


def _caller(row: tuple[Any, ...]) -> Caller:
    return Caller(account_id=int(row[0]), name=str(row[1]), role=row[2],
                  agency_kind=row[3], max_batch_rows=int(row[4]),
                  max_open_batches=int(row[5]),
                  user_id=None if row[6] is None else int(row[6]), user_role=row[7],
                  account_status=str(row[8]))


def caller_of(conn: psycopg.Connection[Any], account_id: int,
              user_id: int | None = None) -> Caller:
    """The account (and the user, when known) as a caller: a worker acting on a request."""
    row = conn.execute(
        _SELECT + " FROM accounts a LEFT JOIN users u ON u.account_id = a.id AND u.id = %s"
        " WHERE a.id = %s", (user_id, account_id)).fetchone()
    if row is None:
        raise LookupError(f"no account {account_id}")
    return _caller(row)
