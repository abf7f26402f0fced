"""The people of an account: administrators (quản trị) and users.

An account always keeps at least one active administrator. Every change that could take
the last one away (remove, disable, demote) locks the account's row first and counts the
others; the database's trigger ``users_keep_an_administrator`` (revision 0003) takes the
same lock and refuses it too, whatever code makes the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from accounts import keys, passwords, validate
from accounts.errors import (
    AccountInputError,
    LastAdministratorError,
    UnknownAccountError,
    UnknownUserError,
)


@dataclass(frozen=True)
class User:
    id: int
    account_id: int
    name: str
    email: str
    role: str
    disabled_at: datetime | None
    removed_at: datetime | None
    created_at: datetime
    has_password: bool

    @property
    def active(self) -> bool:
        return self.disabled_at is None and self.removed_at is None


_COLUMNS = ("id, account_id, name, email, role, disabled_at, removed_at, created_at,"
            " password_hash IS NOT NULL")


def _user(row: tuple[Any, ...]) -> User:
    return User(int(row[0]), int(row[1]), str(row[2]), str(row[3]), str(row[4]), row[5],
                row[6], row[7], bool(row[8]))


def duplicate_email(field: str = "email") -> AccountInputError:
    return AccountInputError(field, "duplicate",
                             "Địa chỉ thư điện tử này đã được một người dùng khác sử dụng.",
                             "This e-mail address is already used by another user.")


def _lock_account(conn: psycopg.Connection[Any], account_id: int) -> None:
    if conn.execute("SELECT 1 FROM accounts WHERE id = %s FOR UPDATE",
                    (account_id,)).fetchone() is None:
        raise UnknownAccountError(account_id)


def insert(conn: psycopg.Connection[Any], account_id: int, *, name: str, email: str,
           role: str, password: str | None, field: str = "email") -> User:
    """Insert a user whose fields are checked already (a duplicate e-mail is refused)."""
    hashed = None if password is None else passwords.hash_password(password)
    try:
        with conn.transaction():
            row = conn.execute(
                f"INSERT INTO users (account_id, name, email, role, password_hash)"
                f" VALUES (%s, %s, %s, %s, %s) RETURNING {_COLUMNS}",
                (account_id, name, email, role, hashed)).fetchone()
    except psycopg.errors.UniqueViolation as exc:
        raise duplicate_email(field) from exc
    assert row is not None
    return _user(row)


def add_user(conn: psycopg.Connection[Any], account_id: int, *, name: str, email: str,
             role: str = "user", password: str | None = None) -> User:
    name = validate.text(name, "name")
    email = validate.email(email)
    validate.one_of(role, validate.USER_ROLES, "role")
    if password is not None:
        passwords.check(password, email)
    with conn.transaction():
        _lock_account(conn, account_id)
        return insert(conn, account_id, name=name, email=email, role=role, password=password)


def get_user(conn: psycopg.Connection[Any], account_id: int, user_id: int) -> User:
    """A user of this account (a user of another account is unknown here)."""
    row = conn.execute(f"SELECT {_COLUMNS} FROM users WHERE id = %s AND account_id = %s",
                       (user_id, account_id)).fetchone()
    if row is None:
        raise UnknownUserError(user_id)
    return _user(row)


def find_by_email(conn: psycopg.Connection[Any], account_id: int, email: str) -> User:
    row = conn.execute(f"SELECT {_COLUMNS} FROM users WHERE account_id = %s"
                       " AND lower(email) = lower(%s) AND removed_at IS NULL",
                       (account_id, email.strip())).fetchone()
    if row is None:
        raise UnknownUserError(email, "email")
    return _user(row)


def list_users(conn: psycopg.Connection[Any], account_id: int,
               include_removed: bool = False) -> list[User]:
    removed = "" if include_removed else " AND removed_at IS NULL"
    rows = conn.execute(f"SELECT {_COLUMNS} FROM users WHERE account_id = %s{removed}"
                        " ORDER BY id", (account_id,)).fetchall()
    return [_user(r) for r in rows]


def _change(conn: psycopg.Connection[Any], account_id: int, user_id: int, sql: str,
            takes_admin_away: bool) -> User:
    """Lock the account, refuse taking away its last active administrator, apply ``sql``."""
    with conn.transaction():
        _lock_account(conn, account_id)
        user = get_user(conn, account_id, user_id)
        if user.removed_at is not None:
            raise UnknownUserError(user_id)
        if takes_admin_away and user.role == "admin" and user.active:
            others = conn.execute(
                "SELECT count(*) FROM users WHERE account_id = %s AND id <> %s"
                " AND role = 'admin' AND disabled_at IS NULL AND removed_at IS NULL",
                (account_id, user_id)).fetchone()
            if others is None or int(others[0]) == 0:
                raise LastAdministratorError()
        try:
            with conn.transaction():
                conn.execute(sql, (user_id,))
        except psycopg.errors.CheckViolation as exc:
            if exc.diag.constraint_name == "users_last_admin":
                raise LastAdministratorError() from exc
            raise
        return get_user(conn, account_id, user_id)


def set_role(conn: psycopg.Connection[Any], account_id: int, user_id: int, role: str) -> User:
    validate.one_of(role, validate.USER_ROLES, "role")
    return _change(conn, account_id, user_id,
                   f"UPDATE users SET role = '{role}' WHERE id = %s", role != "admin")


def disable_user(conn: psycopg.Connection[Any], account_id: int, user_id: int) -> User:
    """The user's keys stop working and they cannot sign in, until enabled again."""
    return _change(conn, account_id, user_id, "UPDATE users SET disabled_at ="
                   " coalesce(disabled_at, now()) WHERE id = %s", True)


def enable_user(conn: psycopg.Connection[Any], account_id: int, user_id: int) -> User:
    return _change(conn, account_id, user_id,
                   "UPDATE users SET disabled_at = NULL WHERE id = %s", False)


def remove_user(conn: psycopg.Connection[Any], account_id: int, user_id: int) -> User:
    """The user is gone for good: their keys are revoked; their records stay."""
    with conn.transaction():
        user = _change(conn, account_id, user_id,
                       "UPDATE users SET removed_at = now() WHERE id = %s", True)
        keys.revoke_all(conn, user_id)
        return user


def update_user(conn: psycopg.Connection[Any], account_id: int, user_id: int, *,
                name: str | None = None, email: str | None = None) -> User:
    new_name = None if name is None else validate.text(name, "name")
    new_email = None if email is None else validate.email(email)
    with conn.transaction():
        _lock_account(conn, account_id)
        get_user(conn, account_id, user_id)
        try:
            with conn.transaction():
                conn.execute("UPDATE users SET name = coalesce(%s, name),"
                             " email = coalesce(%s, email) WHERE id = %s",
                             (new_name, new_email, user_id))
        except psycopg.errors.UniqueViolation as exc:
            raise duplicate_email() from exc
        return get_user(conn, account_id, user_id)


def set_password(conn: psycopg.Connection[Any], account_id: int, user_id: int,
                 password: str, field: str = "password") -> None:
    """Set the password (policy checked); by the user, or staff for a placeholder."""
    user = get_user(conn, account_id, user_id)
    passwords.check(password, user.email, field)
    conn.execute("UPDATE users SET password_hash = %s WHERE id = %s",
                 (passwords.hash_password(password), user_id))


def change_password(conn: psycopg.Connection[Any], account_id: int, user_id: int,
                    current: str | None, new: str) -> None:
    """A user changes their own password: the current one is asked when there is one."""
    row = conn.execute("SELECT password_hash FROM users WHERE id = %s AND account_id = %s",
                       (user_id, account_id)).fetchone()
    if row is None:
        raise UnknownUserError(user_id)
    if row[0] is not None and not passwords.verify(current or "", row[0])[0]:
        raise AccountInputError("current_password", "wrong_password",
                                "Mật khẩu hiện tại không đúng.",
                                "The current password is wrong.")
    set_password(conn, account_id, user_id, new, "new_password")


def authenticate(conn: psycopg.Connection[Any], email: str, password: str) -> User | None:
    """The user with this e-mail and password, active, of an account that is not closed;
    None otherwise (the same answer, in about the same time, whatever was wrong)."""
    row = conn.execute(
        f"SELECT {', '.join('u.' + c.strip() for c in _COLUMNS.split(','))},"
        " u.password_hash, a.status FROM users u JOIN accounts a ON a.id = u.account_id"
        " WHERE lower(u.email) = lower(%s) AND u.removed_at IS NULL",
        (email.strip(),)).fetchone()
    matches, new_hash = passwords.verify(password, None if row is None else row[9])
    if row is None or not matches:
        return None
    user = _user(row[:9])
    if not user.active or row[10] == "closed":
        return None
    if new_hash is not None:
        conn.execute("UPDATE users SET password_hash = %s WHERE id = %s", (new_hash, user.id))
    return user
