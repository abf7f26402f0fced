"""Accounts (khách hàng thường xuyên): their details, code and kind.

``create_account`` makes the account, its first status row (active) and its first user,
the administrator, in one transaction. Without an administrator's e-mail (the staff's own
accounts, older scripts and tests) that user is a placeholder,
``<code>@placeholder.invalid`` with no password, as revision 0003 made for the accounts
that existed before users: it holds keys but cannot sign in until its e-mail and password
are set (``regsearch accounts set-user``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg

from accounts import passwords, status, users, validate
from accounts.errors import UnknownAccountError

PLACEHOLDER_NAME = "Quản trị viên / Administrator"


@dataclass(frozen=True)
class Account:
    id: int
    code: str
    name: str
    #: customer | agency | admin (the registry's staff account)
    role: str
    agency_kind: str | None
    tax_code: str | None
    address: str | None
    contact_emails: tuple[str, ...]
    status: str
    status_since: datetime
    created_at: datetime
    max_batch_rows: int
    max_open_batches: int

    @property
    def kind(self) -> str:
        return "agency" if self.role == "agency" else "staff" if self.role == "admin" \
            else "customer"


_COLUMNS = ("id, code, name, role, agency_kind, tax_code, address, contact_emails, status,"
            " status_since, created_at, max_batch_rows, max_open_batches")


def _account(row: Sequence[Any]) -> Account:
    return Account(int(row[0]), str(row[1]), str(row[2]), str(row[3]), row[4], row[5], row[6],
                   tuple(row[7]), str(row[8]), row[9], row[10], int(row[11]), int(row[12]))


def create_account(conn: psycopg.Connection[Any], name: str, role: str,
                   agency_kind: str | None = None, max_batch_rows: int = 100_000,
                   max_open_batches: int = 2, *, tax_code: str | None = None,
                   address: str | None = None, contact_emails: Sequence[str] = (),
                   admin_name: str | None = None, admin_email: str | None = None,
                   admin_password: str | None = None, actor: str = "system",
                   at: datetime | None = None) -> int:
    """A new account with its first administrator; returns the account's id."""
    name = validate.text(name, "name")
    validate.kind(role, agency_kind)
    tax = None if tax_code is None else validate.tax_code(tax_code)
    where = None if address is None else validate.text(address, "address", validate.MAX_ADDRESS)
    contacts = validate.emails(list(contact_emails))
    if admin_email is not None:
        admin_email = validate.email(admin_email, "admin_email")
        admin_name = validate.text(admin_name or "", "admin_name")
        if admin_password is not None:
            passwords.check(admin_password, admin_email, "admin_password")
    when = at or datetime.now(UTC)
    with conn.transaction():
        row = conn.execute(
            "INSERT INTO accounts (name, role, agency_kind, max_batch_rows, max_open_batches,"
            " tax_code, address, contact_emails, created_at, status_since)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id, code",
            (name, role, agency_kind, max_batch_rows, max_open_batches, tax, where, contacts,
             when, when)).fetchone()
        assert row is not None
        account_id, code = int(row[0]), str(row[1])
        status.record_opening(conn, account_id, actor=actor, at=when)
        users.insert(conn, account_id, name=admin_name or PLACEHOLDER_NAME,
                     email=admin_email or f"{code.lower()}@placeholder.invalid", role="admin",
                     password=admin_password, field="admin_email")
    return account_id


def get(conn: psycopg.Connection[Any], account_id: int) -> Account:
    row = conn.execute(f"SELECT {_COLUMNS} FROM accounts WHERE id = %s",
                       (account_id,)).fetchone()
    if row is None:
        raise UnknownAccountError(account_id)
    return _account(row)


def find(conn: psycopg.Connection[Any], ref: str) -> Account:
    """An account by its id (digits) or its code (``KH000123``, any case)."""
    ref = ref.strip()
    if ref.isdigit() and len(ref) < 19:
        return get(conn, int(ref))
    row = conn.execute(f"SELECT {_COLUMNS} FROM accounts WHERE code = upper(%s)",
                       (ref,)).fetchone()
    if row is None:
        raise UnknownAccountError(ref, "account")
    return _account(row)


def lock(conn: psycopg.Connection[Any], account_id: int) -> Account:
    """The account, its row locked until the transaction ends (changes to its users and
    details are made one at a time)."""
    row = conn.execute(f"SELECT {_COLUMNS} FROM accounts WHERE id = %s FOR UPDATE",
                       (account_id,)).fetchone()
    if row is None:
        raise UnknownAccountError(account_id)
    return _account(row)


def update_details(conn: psycopg.Connection[Any], account_id: int, *,
                   name: str | None = None, tax_code: str | None = None,
                   address: str | None = None,
                   contact_emails: Sequence[str] | None = None) -> Account:
    """Change the details given (None: unchanged; an empty tax code or address clears it)."""
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = validate.text(name, "name")
    if tax_code is not None:
        changes["tax_code"] = validate.tax_code(tax_code) if tax_code.strip() else None
    if address is not None:
        changes["address"] = (validate.text(address, "address", validate.MAX_ADDRESS)
                              if address.strip() else None)
    if contact_emails is not None:
        changes["contact_emails"] = validate.emails(list(contact_emails))
    with conn.transaction():
        lock(conn, account_id)
        if changes:
            sets = ", ".join(f"{column} = %s" for column in changes)
            conn.execute(f"UPDATE accounts SET {sets} WHERE id = %s",
                         (*changes.values(), account_id))
        return get(conn, account_id)
