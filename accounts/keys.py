"""API keys: each belongs to a user of an account; only its sha256 is stored. The key is
shown once, when it is made."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from accounts.callers import key_hash
from accounts.errors import UnknownUserError


@dataclass(frozen=True)
class KeyInfo:
    #: the first 12 hexadecimal digits of the key's hash: names it without revealing it
    key_id: str
    created_at: datetime
    revoked_at: datetime | None


def issue_key(conn: psycopg.Connection[Any], account_id: int,
              user_id: int | None = None) -> str:
    """A new key for ``user_id`` (default: the account's first active administrator)."""
    if user_id is None:
        row = conn.execute(
            "SELECT min(id) FROM users WHERE account_id = %s AND role = 'admin'"
            " AND disabled_at IS NULL AND removed_at IS NULL", (account_id,)).fetchone()
        if row is None or row[0] is None:
            raise UnknownUserError("administrator")
        user_id = int(row[0])
    key = "rs_" + secrets.token_urlsafe(32)
    cur = conn.execute(
        "INSERT INTO api_keys (key_hash, account_id, user_id) SELECT %s, account_id, id"
        " FROM users WHERE id = %s AND account_id = %s AND removed_at IS NULL",
        (key_hash(key), user_id, account_id))
    if cur.rowcount != 1:
        raise UnknownUserError(user_id)
    return key


def revoke_key(conn: psycopg.Connection[Any], key: str) -> bool:
    cur = conn.execute("UPDATE api_keys SET revoked_at = now() WHERE key_hash = %s"
                       " AND revoked_at IS NULL", (key_hash(key),))
    return cur.rowcount == 1


def revoke_by_id(conn: psycopg.Connection[Any], user_id: int, key_id: str) -> bool:
    """Revoke one of the user's keys by its ``KeyInfo.key_id``."""
    if len(key_id) != 12 or not all(c in "0123456789abcdef" for c in key_id):
        return False
    cur = conn.execute("UPDATE api_keys SET revoked_at = now() WHERE user_id = %s"
                       " AND left(key_hash, 12) = %s AND revoked_at IS NULL",
                       (user_id, key_id))
    return cur.rowcount >= 1


def revoke_all(conn: psycopg.Connection[Any], user_id: int) -> int:
    cur = conn.execute("UPDATE api_keys SET revoked_at = now() WHERE user_id = %s"
                       " AND revoked_at IS NULL", (user_id,))
    return cur.rowcount


def reset_keys(conn: psycopg.Connection[Any], account_id: int, user_id: int) -> str:
    """Revoke every key of the user and give them one new key (in one transaction)."""
    with conn.transaction():
        revoke_all(conn, user_id)
        return issue_key(conn, account_id, user_id)


def list_keys(conn: psycopg.Connection[Any], user_id: int) -> list[KeyInfo]:
    rows = conn.execute("SELECT left(key_hash, 12), created_at, revoked_at FROM api_keys"
                        " WHERE user_id = %s ORDER BY created_at", (user_id,)).fetchall()
    return [KeyInfo(str(r[0]), r[1], r[2]) for r in rows]
