"""Accounts, API keys, roles and fees, and the usage ledger.

Roles: the public (no key: uncertified searches, free, rate-limited), customers
(banks and others: each certificate charged at the configured fee; a certificate for a
whole batch is one certificate, at its own fee), agencies
(courts, procuracies, investigation bodies, enforcement offices: free under
Điều 59 khoản 2 Nghị định 102/2017/NĐ-CP). Keys are stored only as hashes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import psycopg

from accounts import status
from regsearch.settings import Settings

Role = Literal["public", "customer", "agency", "admin"]
AGENCY_KINDS = ("court", "procuracy", "investigation", "enforcement")
AGENCY_KIND_LABELS_VI = {
    "court": "Tòa án", "procuracy": "Viện kiểm sát", "investigation": "Cơ quan điều tra",
    "enforcement": "Cơ quan thi hành án",
}


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

    @property
    def is_public(self) -> bool:
        return self.account_id is None


PUBLIC = Caller(account_id=None, name="Công chúng / public", role="public")


@dataclass(frozen=True)
class Fee:
    amount_vnd: int
    free_ground: str | None


class KeyRejectedError(Exception):
    def __init__(self, revoked: bool) -> None:
        super().__init__("revoked" if revoked else "unknown")
        self.revoked = revoked


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_account(conn: psycopg.Connection[Any], name: str, role: Role,
                   agency_kind: str | None = None, max_batch_rows: int = 100_000,
                   max_open_batches: int = 2) -> int:
    row = conn.execute(
        "INSERT INTO accounts (name, role, agency_kind, max_batch_rows, max_open_batches)"
        " VALUES (%s, %s, %s, %s, %s) RETURNING id",
        (name, role, agency_kind, max_batch_rows, max_open_batches)).fetchone()
    assert row is not None
    account_id = int(row[0])
    status.record_opening(conn, account_id, actor="system", at=datetime.now(UTC))
    conn.execute(
        "INSERT INTO users (account_id, name, email, role) SELECT id,"
        " 'Quản trị viên / Administrator', lower(code) || '@placeholder.invalid', 'admin'"
        " FROM accounts WHERE id = %s", (account_id,))
    return account_id


def issue_key(conn: psycopg.Connection[Any], account_id: int) -> str:
    key = "rs_" + secrets.token_urlsafe(32)
    conn.execute(
        "INSERT INTO api_keys (key_hash, account_id, user_id) SELECT %s, %s, min(id)"
        " FROM users WHERE account_id = %s AND role = 'admin'",
        (_hash(key), account_id, account_id))
    return key


def revoke_key(conn: psycopg.Connection[Any], key: str) -> bool:
    cur = conn.execute("UPDATE api_keys SET revoked_at = now() WHERE key_hash = %s"
                       " AND revoked_at IS NULL", (_hash(key),))
    return cur.rowcount == 1


def authenticate(conn: psycopg.Connection[Any], key: str | None) -> Caller:
    """The caller a key belongs to; no key is the public. Raises ``KeyRejectedError``."""
    if not key:
        return PUBLIC
    row = conn.execute(
        "SELECT a.id, a.name, a.role, a.agency_kind, a.max_batch_rows, a.max_open_batches,"
        " k.revoked_at IS NOT NULL FROM api_keys k JOIN accounts a ON a.id = k.account_id"
        " WHERE k.key_hash = %s", (_hash(key),)).fetchone()
    if row is None:
        raise KeyRejectedError(revoked=False)
    if row[6]:
        raise KeyRejectedError(revoked=True)
    return dataclasses.replace(_caller(row), key_hash=_hash(key))


def _caller(row: tuple[Any, ...]) -> Caller:
    """A caller from (id, name, role, agency_kind, max_batch_rows, max_open_batches)."""
    return Caller(account_id=int(row[0]), name=str(row[1]), role=row[2],
                  agency_kind=row[3], max_batch_rows=int(row[4]), max_open_batches=int(row[5]))


def caller_of(conn: psycopg.Connection[Any], account_id: int) -> Caller:
    """The account as a caller (a worker acting on the account's request)."""
    row = conn.execute(
        "SELECT id, name, role, agency_kind, max_batch_rows, max_open_batches FROM accounts"
        " WHERE id = %s", (account_id,)).fetchone()
    if row is None:
        raise LookupError(f"no account {account_id}")
    return _caller(row)


def fee_for(caller: Caller, kind: str, settings: Settings, rows: int = 1) -> Fee:
    """What a use costs this caller, and the legal ground when it is free."""
    if caller.role == "agency":
        return Fee(0, settings.agency_free_ground)
    if kind == "certificate":
        return Fee(settings.certificate_fee_vnd, None)
    if kind == "batch":
        return Fee(settings.batch_row_fee_vnd * rows, None)
    if kind == "batch_certificate":
        return Fee(settings.batch_certificate_fee_vnd, None)
    return Fee(0, None)  # uncertified searches are free


def record_usage(conn: psycopg.Connection[Any], caller: Caller, kind: str, fee: Fee,
                 criterion: str | None = None, reference: str | None = None, rows: int = 1,
                 client: str | None = None) -> None:
    conn.execute(
        "INSERT INTO usage_ledger (account_id, kind, criterion, reference, rows, fee_vnd,"
        " free_ground, client) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        (caller.account_id, kind, criterion, reference, rows, fee.amount_vnd, fee.free_ground,
         client))
