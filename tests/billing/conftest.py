"""Billing tests: a fresh service database each, customers with users and ledger lines."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
import pytest

from tests import inbox
from tests.conftest import upgrade_app_database
from tests.service_env import TEST_APP_DB


@pytest.fixture()
def app_db(settings: Any) -> Iterator[str]:
    """An empty service database at the newest schema (the jobs look at every account)."""
    with psycopg.connect(os.environ["REGSEARCH_ADMIN_DSN"], autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{TEST_APP_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{TEST_APP_DB}"')
    upgrade_app_database(settings.app_dsn)
    yield settings.app_dsn


@dataclass
class Customer:
    id: int
    code: str
    emails: list[str]
    users: dict[str, int] = field(default_factory=dict)

    def clear_mail(self) -> None:
        for to in self.emails:
            inbox.clear(to)


def make_customer(dsn: str, name: str, *, role: str = "customer", agency_kind: str | None = None,
                  users: tuple[str, ...] = ("Trần Văn Bình", "Phạm Thị Hoa"),
                  emails: int = 1) -> Customer:
    """An account with contact e-mails of its own, an administrator and ``users``."""
    from accounts import records
    from accounts import users as people

    to = [inbox.address(f"ketoan{i}") for i in range(emails)]
    with psycopg.connect(dsn, autocommit=True) as conn:
        account_id = records.create_account(
            conn, name, role, agency_kind, tax_code="0100112437",
            address="198 Trần Quang Khải, Hoàn Kiếm, Hà Nội", contact_emails=to,
            admin_name="Lê Thị Quản Trị", admin_email=inbox.address("quantri"))
        customer = Customer(account_id, records.get(conn, account_id).code, to)
        admin = people.list_users(conn, account_id)[0]
        customer.users[admin.name] = admin.id
        for person in users:
            added = people.add_user(conn, account_id, name=person,
                                    email=inbox.address(person.split()[-1].lower()))
            customer.users[person] = added.id
    return customer


def charge(dsn: str, customer: Customer, user: str | None, at: datetime, *,
           fee: int = 30_000, kind: str = "certificate", criterion: str | None = "debtor_name",
           reference: str | None = None, rows: int = 1) -> int:
    """A line of the usage ledger, as the API writes it (at a given time)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "INSERT INTO usage_ledger (account_id, user_id, kind, criterion, reference, rows,"
            " fee_vnd, at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (customer.id, customer.users.get(user) if user else None, kind, criterion,
             reference or f"CN-{at:%Y%m%d%H%M%S}", rows, fee, at)).fetchone()
    assert row is not None
    return int(row[0])


def status_of(dsn: str, customer: Customer) -> Any:
    from accounts import status

    with psycopg.connect(dsn, autocommit=True) as conn:
        return status.current(conn, customer.id)
