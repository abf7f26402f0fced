"""The scheduled jobs: the monthly statements and the daily dunning checks.

Each takes its clock as ``as_of`` (the scheduler passes none: now). Both are idempotent
and safe to run twice at once (two schedulers started by mistake, an operator's command
during the scheduled run): a job holds a PostgreSQL advisory lock for its whole run (a
second run at the same time finds it held and does nothing), every account is changed
under its own lock (``allocation.lock_account``), a statement is unique per account and
month, and the outbox marks each e-mail sent once.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import psycopg

from billing import dunning, mail
from billing.periods import period_before
from billing.statements import PAYING_ROLE, make_statement
from core.settings import Settings

log = logging.getLogger("regsearch.billing")

#: pg_try_advisory_lock(class, job) of a run ("bilj").
JOB_LOCK_CLASS = 0x62696C6A
MONTHLY, DAILY = 1, 2


def now() -> datetime:
    """The clock of the jobs when none is given (tests set it with time-machine)."""
    return datetime.now(UTC)


@dataclass
class MonthResult:
    period: str
    statements: list[str] = field(default_factory=list)
    mail_sent: int = 0
    mail_failed: int = 0
    busy: bool = False  # another run held the lock: this one did nothing


@dataclass
class DailyResult:
    changes: dict[str, list[str]] = field(default_factory=dict)  # what → account codes
    mail_sent: int = 0
    mail_failed: int = 0
    busy: bool = False


@contextmanager
def job_lock(dsn: str, job: int) -> Iterator[bool]:
    """Whether this run got the job's lock (held, on a session of its own, until the end)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute("SELECT pg_try_advisory_lock(%s, %s)", (JOB_LOCK_CLASS, job)
                           ).fetchone()
        got = bool(row and row[0])
        try:
            yield got
        finally:
            if got:
                conn.execute("SELECT pg_advisory_unlock(%s, %s)", (JOB_LOCK_CLASS, job))


def _accounts(dsn: str, sql: str) -> list[int]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        return [int(r[0]) for r in conn.execute(sql, (PAYING_ROLE,)).fetchall()]


def run_month(settings: Settings, as_of: datetime | None = None, *,
              send: bool = True) -> MonthResult:
    """Statements for the last whole month before ``as_of`` for every paying account,
    then the outbox (this run's e-mails and any an earlier run left unsent)."""
    as_of = as_of or now()
    period = period_before(as_of)
    result = MonthResult(period=period.label)
    dsn = settings.app_dsn
    with job_lock(dsn, MONTHLY) as got:
        if not got:
            result.busy = True
            return result
        ids = _accounts(dsn, "SELECT id FROM accounts WHERE role = %s ORDER BY id")
        with psycopg.connect(dsn) as conn:
            for account_id in ids:  # a transaction each: what is done stays done if one fails
                with conn.transaction():
                    made = make_statement(conn, account_id, period, as_of, settings)
                if made is not None:
                    log.info("statement %s: %s đồng due", made.number, made.amount_due_vnd)
                    result.statements.append(made.number)
        if send:
            flushed = mail.flush(dsn, settings)
            result.mail_sent, result.mail_failed = flushed.sent, flushed.failed
    return result


def daily(settings: Settings, as_of: datetime | None = None, *,
          send: bool = True) -> DailyResult:
    """Suspend accounts with a statement overdue, close those suspended for unpaid fees
    too long (and lift any whose debt is paid), then retry unsent e-mail."""
    as_of = as_of or now()
    result = DailyResult()
    dsn = settings.app_dsn
    with job_lock(dsn, DAILY) as got:
        if not got:
            result.busy = True
            return result
        changes: Counter[str] = Counter()
        sql = ("SELECT a.id FROM accounts a WHERE a.role = %s AND a.status <> 'closed'"
               " AND EXISTS (SELECT 1 FROM statements s WHERE s.account_id = a.id)"
               " ORDER BY a.id")
        with psycopg.connect(dsn) as conn:
            for account_id in _accounts(dsn, sql):
                with conn.transaction():
                    done = dunning.check(conn, account_id, as_of, settings)
                    code = conn.execute("SELECT code FROM accounts WHERE id = %s",
                                        (account_id,)).fetchone()
                if done is not None and code is not None:
                    result.changes.setdefault(done, []).append(str(code[0]))
                    changes[done] += 1
        if changes:
            log.info("daily billing checks: %s", dict(changes))
        if send:
            flushed = mail.flush(dsn, settings)
            result.mail_sent, result.mail_failed = flushed.sent, flushed.failed
    return result
