"""Watch alerts by e-mail: a digest per account per run of the digest job, sent through the
statements' outbox (``billing.mail``).

The job runs every ``watch_digest_interval_minutes`` (``billing.schedule``). For every
account with alerts no digest has taken, oldest first and at most
``watch_digest_max_alerts`` to a digest, one transaction locks the alerts, makes the digest
(``watch_digests``), points the alerts at it (``watch_alerts.digest_id``) and writes one
outbox row per recipient holding the message's subject, text and date. So an alert is in
exactly one digest: a run that stops before the commit leaves its alerts for the next run;
after it, the outbox sends each message once, and a message the server accepted just
before a crash is sent again unchanged, with the same Message-ID (its text was fixed when
the digest was made). The job also holds an advisory lock for its run, like the billing
jobs: two at once, the second does nothing.

Recipients: the account's own digest list (``watch_digest_recipients``; set by ``PUT
/v1/watch/digest`` or ``regsearch watch digest-to``), else its contact e-mails. An empty
list makes the digest (the alerts are taken) and sends it to nobody.

This module reads the watch tables by SQL: billing owns the outbox and the scheduled jobs
and never imports ``watch`` (which is below no one but the API).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psycopg

from billing import mail
from billing.digest_text import DigestAlert, DigestHead, body, subject
from billing.jobs import job_lock
from core.settings import Settings

log = logging.getLogger("regsearch.billing.digests")

#: pg_try_advisory_lock(billing.jobs.JOB_LOCK_CLASS, DIGESTS) of a run.
DIGESTS = 3

_COLUMNS = ("id, entry_id, client_reference, registration_number, committed_at, event,"
            " criterion, watched_value, field, registered_value, tier, reasons")


@dataclass
class DigestRun:
    digests: list[str] = field(default_factory=list)
    alerts: int = 0
    mail_sent: int = 0
    mail_failed: int = 0
    busy: bool = False  # another run held the lock: this one did nothing


def recipients(conn: psycopg.Connection[Any], account_id: int) -> tuple[str, ...]:
    """Where the account's digests go: its digest list, else its contact e-mails."""
    row = conn.execute("SELECT emails FROM watch_digest_recipients WHERE account_id = %s",
                       (account_id,)).fetchone()
    if row is None:
        row = conn.execute("SELECT contact_emails FROM accounts WHERE id = %s",
                           (account_id,)).fetchone()
    return tuple(dict.fromkeys(row[0] or ())) if row is not None else ()


def set_recipients(conn: psycopg.Connection[Any], account_id: int,
                   emails: Sequence[str] | None) -> None:
    """The account's digest list (``None``: back to its contact e-mails; empty: none)."""
    if emails is None:
        conn.execute("DELETE FROM watch_digest_recipients WHERE account_id = %s",
                     (account_id,))
        return
    conn.execute(
        "INSERT INTO watch_digest_recipients (account_id, emails) VALUES (%s, %s)"
        " ON CONFLICT (account_id) DO UPDATE SET emails = EXCLUDED.emails, updated_at = now()",
        (account_id, list(dict.fromkeys(emails))))


def recipients_set(conn: psycopg.Connection[Any], account_id: int) -> bool:
    """Whether the account has a digest list of its own."""
    return conn.execute("SELECT 1 FROM watch_digest_recipients WHERE account_id = %s",
                        (account_id,)).fetchone() is not None


def digest_number(digest_id: int) -> str:
    """``BTD-000123`` (bản tin theo dõi)."""
    return f"BTD-{digest_id:06d}"


def message_id(number: str, recipient: str) -> str:
    """The same for every attempt at one digest and recipient (``billing.statements``)."""
    digest = hashlib.sha256(recipient.lower().encode("utf-8")).hexdigest()[:16]
    return f"<{number}.{digest}@regsearch.watch>"


def _alerts(conn: psycopg.Connection[Any], account_id: int, limit: int) -> list[DigestAlert]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM watch_alerts WHERE account_id = %s AND digest_id IS NULL"
        " ORDER BY id LIMIT %s FOR UPDATE", (account_id, limit)).fetchall()
    return [DigestAlert(id=r[0], entry_id=r[1], client_reference=r[2],
                        registration_number=r[3], committed_at=r[4], event=r[5],
                        criterion=r[6], watched_value=r[7], field=r[8], registered_value=r[9],
                        tier=r[10], reasons=tuple(r[11])) for r in rows]


def make_digest(conn: psycopg.Connection[Any], account_id: int, settings: Settings,
                made_at: datetime) -> tuple[str, int] | None:
    """The account's next digest (number, alerts), in the caller's transaction; None when
    no alert is waiting."""
    alerts = _alerts(conn, account_id, settings.watch_digest_max_alerts)
    if not alerts:
        return None
    account = conn.execute("SELECT name, code FROM accounts WHERE id = %s",
                           (account_id,)).fetchone()
    assert account is not None
    to = recipients(conn, account_id)
    ids = [a.id for a in alerts]
    row = conn.execute(
        "INSERT INTO watch_digests (account_id, made_at, alerts, first_alert, last_alert,"
        " recipients) VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
        (account_id, made_at, len(alerts), ids[0], ids[-1], list(to))).fetchone()
    assert row is not None
    number = digest_number(int(row[0]))
    conn.execute("UPDATE watch_alerts SET digest_id = %s WHERE id = ANY(%s)", (row[0], ids))
    head = DigestHead(number, str(account[0]), str(account[1]), made_at)
    title, text = subject(head, len(alerts)), body(head, alerts)
    for recipient in to:
        mail.enqueue(conn, recipient, message_id(number, recipient), title, text, made_at)
    return number, len(alerts)


def _waiting(dsn: str) -> list[int]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        return [int(r[0]) for r in conn.execute(
            "SELECT DISTINCT account_id FROM watch_alerts WHERE digest_id IS NULL"
            " ORDER BY account_id").fetchall()]


def run(settings: Settings, as_of: datetime | None = None, *, send: bool = True) -> DigestRun:
    """Digests of every alert waiting, then the outbox (these and anything left unsent)."""
    made_at = as_of or datetime.now(UTC)
    result = DigestRun()
    dsn = settings.app_dsn
    with job_lock(dsn, DIGESTS) as got:
        if not got:
            result.busy = True
            return result
        with psycopg.connect(dsn) as conn:
            for account_id in _waiting(dsn):
                while True:  # a transaction a digest: what is made stays made
                    with conn.transaction():
                        made = make_digest(conn, account_id, settings, made_at)
                    if made is None:
                        break
                    result.digests.append(made[0])
                    result.alerts += made[1]
        if result.digests:
            log.info("watch digests: %d with %d alerts", len(result.digests), result.alerts)
        if send:
            flushed = mail.flush(dsn, settings)
            result.mail_sent, result.mail_failed = flushed.sent, flushed.failed
    return result
