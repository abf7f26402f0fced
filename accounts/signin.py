"""Signing in to the web pages with an e-mail address and a password, and who a signed-in
session is now.

A session remembers the user's id and a *password stamp* (a short digest of the stored
hash, never the hash): changing the password changes the stamp, so every other session of
that user ends. Each request reads the user again, so a user disabled or removed, or an
account closed, is signed out at their next page.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any, Literal

import psycopg

from accounts import passwords, status, users
from accounts.callers import _SELECT, Caller, _caller

Outcome = Literal["signed_in", "refused", "disabled", "closed"]


@dataclass(frozen=True)
class SignIn:
    """What a sign-in attempt came to. Only ``signed_in`` opens a session; ``disabled`` and
    ``closed`` are said only to whoever gave the right password."""

    outcome: Outcome
    user: users.User | None = None
    #: the password stamp the session keeps (``signed_in`` only)
    stamp: str | None = None
    #: the account's status when it is not active (suspended, closed), with its reason
    status: status.StatusRecord | None = None


REFUSED = SignIn("refused")


def password_stamp(password_hash: str) -> str:
    """A digest of the stored hash: changes whenever the password does."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:24]


_USER = ", ".join("u." + c.strip() for c in users._COLUMNS.split(","))


def sign_in(conn: psycopg.Connection[Any], email: str, password: str) -> SignIn:
    """Check an e-mail address and password (argon2: about half a second, whether or not
    the user exists: run it off the event loop)."""
    if len(password) > passwords.MAX_LENGTH:
        passwords.verify("", None)  # the same time as any other refusal
        return REFUSED
    row = conn.execute(
        f"SELECT {_USER}, u.password_hash, a.status FROM users u"
        " JOIN accounts a ON a.id = u.account_id"
        " WHERE lower(u.email) = lower(%s) AND u.removed_at IS NULL",
        (email.strip(),)).fetchone()
    matches, new_hash = passwords.verify(password, None if row is None else row[9])
    if row is None or not matches:
        return REFUSED
    user = users._user(row[:9])
    if not user.active:
        return SignIn("disabled", user)
    if row[10] == "closed":
        return SignIn("closed", user, status=status.current(conn, user.account_id))
    stored = str(row[9])
    if new_hash is not None:
        conn.execute("UPDATE users SET password_hash = %s WHERE id = %s", (new_hash, user.id))
        stored = new_hash
    current = None if row[10] == "active" else status.current(conn, user.account_id)
    return SignIn("signed_in", user, password_stamp(stored), current)


@dataclass(frozen=True)
class SessionUser:
    """The signed-in user as the pages show them, and the caller they search and act as
    (the same rules as their API key's)."""

    caller: Caller
    user_name: str
    email: str
    account_code: str

    @property
    def account_name(self) -> str:
        return self.caller.name


def session_user(conn: psycopg.Connection[Any], user_id: int, stamp: str
                 ) -> SessionUser | None:
    """The session's user now; None when they may no longer be signed in (disabled,
    removed, the account closed, or the password changed since)."""
    row = conn.execute(
        _SELECT + ", u.name, u.email, u.password_hash, a.code"
        " FROM users u JOIN accounts a ON a.id = u.account_id WHERE u.id = %s"
        " AND u.disabled_at IS NULL AND u.removed_at IS NULL AND a.status <> 'closed'",
        (user_id,)).fetchone()
    if row is None or row[11] is None:
        return None
    if not hmac.compare_digest(password_stamp(str(row[11])), stamp):
        return None
    return SessionUser(_caller(row[:9]), str(row[9]), str(row[10]), str(row[12]))


def change_password(conn: psycopg.Connection[Any], account_id: int, user_id: int,
                    current: str, new: str) -> str:
    """The user's own change (``users.change_password``: the current password asked, the
    policy checked); the new password stamp, for the session that made the change."""
    with conn.transaction():
        users.change_password(conn, account_id, user_id, current, new)
        row = conn.execute("SELECT password_hash FROM users WHERE id = %s",
                           (user_id,)).fetchone()
    assert row is not None and row[0] is not None
    return password_stamp(str(row[0]))
