"""Make an account's statement of fees for a month, in the caller's transaction.

Every chargeable ledger line of the account made before the month's end and on no earlier
statement goes on it (a line committed after its own month's statement was made goes on the
next one); every payment received before the month's end and listed on no earlier
statement too; the balance brought forward is the previous statement's amount due. The
statement, its lines, the month's watch list fee (``billing.watch_fees``), its payments
and one outbox row per contact e-mail are written together, then unallocated payments are
allocated to it. A statement for the month already made (or a later one) means nothing to
do: the job is idempotent.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from billing import allocation
from billing.model import (
    AccountBlock,
    Line,
    PaymentLine,
    StatementSnapshot,
    canonical_json,
    content_hash,
)
from billing.periods import Period, due_on, local_date, statement_number
from billing.render import render_pdf
from billing.watch_fees import watch_charge
from core.settings import Settings

#: The accounts that pay fees and get statements (agencies and the registry's staff never).
PAYING_ROLE = "customer"


@dataclass(frozen=True)
class Made:
    statement_id: int
    number: str
    amount_due_vnd: int
    recipients: tuple[str, ...]


def account_block(conn: psycopg.Connection[Any], account_id: int) -> tuple[AccountBlock, str]:
    """The account as a statement names it, and its role."""
    row = conn.execute("SELECT id, code, name, tax_code, address, contact_emails, role"
                       " FROM accounts WHERE id = %s", (account_id,)).fetchone()
    if row is None:
        raise LookupError(f"no account {account_id}")
    block = AccountBlock(id=int(row[0]), code=row[1], name=row[2], tax_code=row[3],
                         address=row[4], emails=tuple(dict.fromkeys(row[5] or ())))
    return block, str(row[6])


def unbilled_lines(conn: psycopg.Connection[Any], account_id: int, end: datetime
                   ) -> list[Line]:
    rows = conn.execute(
        "SELECT l.id, l.at, u.name, u.email, l.kind, l.criterion, l.reference, l.rows,"
        " l.fee_vnd, l.client_reference FROM usage_ledger l LEFT JOIN users u"
        " ON u.id = l.user_id"
        " WHERE l.account_id = %s AND l.fee_vnd > 0 AND l.at < %s AND NOT EXISTS"
        " (SELECT 1 FROM statement_lines s WHERE s.ledger_id = l.id) ORDER BY l.at, l.id",
        (account_id, end)).fetchall()
    return [Line(ledger_id=r[0], at=r[1], user=r[2], user_email=r[3], kind=r[4], criterion=r[5],
                 reference=r[6], rows=r[7], fee_vnd=r[8], client_reference=r[9])
            for r in rows]


def unstated_payments(conn: psycopg.Connection[Any], account_id: int, end: datetime
                      ) -> list[PaymentLine]:
    rows = conn.execute(
        "SELECT p.id, p.received_at, p.reference, p.amount_vnd FROM payments p"
        " WHERE p.account_id = %s AND p.received_at < %s AND NOT EXISTS"
        " (SELECT 1 FROM statement_payments s WHERE s.payment_id = p.id)"
        " ORDER BY p.received_at, p.id", (account_id, end)).fetchall()
    return [PaymentLine(payment_id=r[0], received_at=r[1], reference=r[2], amount_vnd=r[3])
            for r in rows]


def _already_made(conn: psycopg.Connection[Any], account_id: int, period: Period) -> bool:
    return conn.execute("SELECT 1 FROM statements WHERE account_id = %s AND period_start >= %s"
                        " LIMIT 1", (account_id, period.first_day)).fetchone() is not None


def _brought_forward(conn: psycopg.Connection[Any], account_id: int) -> int:
    row = conn.execute("SELECT amount_due_vnd FROM statements WHERE account_id = %s"
                       " ORDER BY period_start DESC LIMIT 1", (account_id,)).fetchone()
    return int(row[0]) if row else 0


def make_statement(conn: psycopg.Connection[Any], account_id: int, period: Period,
                   as_of: datetime, settings: Settings) -> Made | None:
    """The account's statement for ``period`` dated ``as_of``; None when the account pays
    no fees, the statement exists already, or there is nothing to state (no fee, no
    payment, nothing owed). Runs in the caller's transaction, under the account's lock."""
    allocation.lock_account(conn, account_id)
    account, role = account_block(conn, account_id)
    if role != PAYING_ROLE or _already_made(conn, account_id, period):
        return None
    lines = unbilled_lines(conn, account_id, period.end)
    payments = unstated_payments(conn, account_id, period.end)
    forward = _brought_forward(conn, account_id)
    watch = watch_charge(conn, account_id, role, period, settings)
    if not lines and not payments and forward == 0 and watch is None:
        return None
    seq = conn.execute("SELECT nextval('statement_seq')").fetchone()
    assert seq is not None
    charges = sum(line.fee_vnd for line in lines) + (watch.fee_vnd if watch else 0)
    paid = sum(p.amount_vnd for p in payments)
    snapshot = StatementSnapshot(
        number=statement_number(period, int(seq[0])), account=account,
        period_year=period.year, period_month=period.month, issued_at=as_of,
        due_on=due_on(local_date(as_of), settings.billing_due_days), lines=tuple(lines),
        payments=tuple(payments), brought_forward_vnd=forward, charges_vnd=charges,
        payments_vnd=paid, amount_due_vnd=forward - paid + charges,
        pay_to=settings.billing_pay_to, watch=watch)
    return _store(conn, snapshot, period, render_pdf(
        snapshot, close_after_months=settings.billing_close_after_months), as_of)


def _store(conn: psycopg.Connection[Any], s: StatementSnapshot, period: Period, pdf: bytes,
           as_of: datetime) -> Made:
    row = conn.execute(
        "INSERT INTO statements (number, account_id, period_start, issued_at, due_on,"
        " brought_forward_vnd, charges_vnd, payments_vnd, amount_due_vnd, snapshot,"
        " content_hash, pdf) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        " RETURNING id",
        (s.number, s.account.id, period.first_day, s.issued_at, s.due_on,
         s.brought_forward_vnd, s.charges_vnd, s.payments_vnd, s.amount_due_vnd,
         canonical_json(s), content_hash(s), pdf)).fetchone()
    assert row is not None
    statement_id = int(row[0])
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO statement_lines (ledger_id, statement_id) VALUES (%s, %s)",
                        [(line.ledger_id, statement_id) for line in s.lines])
        cur.executemany("INSERT INTO statement_payments (payment_id, statement_id)"
                        " VALUES (%s, %s)", [(p.payment_id, statement_id) for p in s.payments])
        cur.executemany(
            "INSERT INTO statement_mail (statement_id, recipient, message_id) VALUES (%s, %s, %s)",
            [(statement_id, to, message_id(s.number, to)) for to in s.account.emails])
    allocation.allocate(conn, s.account.id, as_of)
    return Made(statement_id, s.number, s.amount_due_vnd, s.account.emails)


def message_id(number: str, recipient: str) -> str:
    """The e-mail's Message-ID: the same for every attempt at one statement and recipient,
    so a message sent twice (the server accepted it, then the run stopped before marking
    it sent) is recognisably the same message."""
    digest = hashlib.sha256(recipient.lower().encode("utf-8")).hexdigest()[:16]
    return f"<{number}.{digest}@regsearch.billing>"
