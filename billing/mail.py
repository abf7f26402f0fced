"""Statements by e-mail: the message (bilingual, the PDF attached) and the outbox.

The outbox (table ``statement_mail``) has a row per statement and recipient, written with
the statement. ``flush`` sends each unsent row through the SMTP server of the settings and
marks it sent in the same transaction that locked it (``FOR UPDATE SKIP LOCKED``: two
senders at once never take the same row). A run that stops after the statement was stored
and before its e-mail was accepted sends it on the next run; a run that stops after the
server accepted a message and before the mark commits sends it again (the same
Message-ID), which no outbox can avoid without the server's help.

Besides statements the outbox carries messages of their own (a watch digest,
``billing.digests``): the row holds the subject, text body and date, fixed when it was
written, so a message sent again is the same message (``enqueue``, ``compose_text``).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

import psycopg

from billing.model import StatementSnapshot
from billing.periods import VN_TZ, Period
from billing.wording import label
from certify.formatting import vn_date, vnd
from core.settings import Settings

log = logging.getLogger("regsearch.billing.mail")


def compose(s: StatementSnapshot, pdf: bytes, recipient: str, message_id: str,
            settings: Settings) -> EmailMessage:
    """The statement's e-mail to ``recipient``: subject and body in Vietnamese and
    English (non-ASCII headers encoded by the ``email`` package), the PDF attached."""
    period = Period(s.period_year, s.period_month)
    subject = label("mail", "subject").format(label=period.label, number=s.number)
    due = max(s.amount_due_vnd, 0)
    values = {"name": s.account.name, "number": s.number, "label": period.label,
              "charges": vnd(s.charges_vnd).vi, "charges_en": vnd(s.charges_vnd).en,
              "due": vnd(due).vi, "due_en": vnd(due).en, "due_date": vn_date(s.due_on),
              "pay_to": settings.billing_pay_to, "code": s.account.code}
    body = label("mail", "body").format(**values)
    message = EmailMessage()
    message["Subject"] = f"{subject.vi} / {subject.en}"
    message["From"] = settings.mail_from
    message["To"] = recipient
    message["Date"] = format_datetime(s.issued_at.astimezone(VN_TZ))
    message["Message-ID"] = message_id
    message["Content-Language"] = "vi, en"
    message.set_content(f"{body.vi}\n\n— English —\n\n{body.en}\n")
    message.add_attachment(pdf, maintype="application", subtype="pdf",
                           filename=f"{s.number}.pdf")
    return message


def compose_text(subject: str, body: str, dated: datetime, recipient: str, message_id: str,
                 settings: Settings) -> EmailMessage:
    """A text message of the outbox's own (subject and body as stored) to ``recipient``."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.mail_from
    message["To"] = recipient
    message["Date"] = format_datetime(dated.astimezone(VN_TZ))
    message["Message-ID"] = message_id
    message["Content-Language"] = "vi, en"
    message.set_content(body)
    return message


def enqueue(conn: psycopg.Connection[Any], recipient: str, message_id: str, subject: str,
            body: str, dated: datetime) -> None:
    """An outbox row for a message of its own, in the caller's transaction (a Message-ID
    already queued is left as it is)."""
    conn.execute("INSERT INTO statement_mail (recipient, message_id, subject, body, dated)"
                 " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (message_id) DO NOTHING",
                 (recipient, message_id, subject, body, dated))


class Sender:
    """One SMTP session, opened on first use, for the messages of one flush."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        st = self.settings
        smtp = smtplib.SMTP(st.smtp_host, st.smtp_port, timeout=st.smtp_timeout_s)
        try:
            smtp.ehlo()
            if st.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if st.smtp_username:
                smtp.login(st.smtp_username, st.smtp_password.get_secret_value())
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage, recipient: str) -> None:
        """Hand the message to the server; returns once it accepted it (raises otherwise)."""
        if self.smtp is None:
            self.smtp = self._open()
        envelope_from = parseaddr(self.settings.mail_from)[1]
        try:
            self.smtp.send_message(message, from_addr=envelope_from, to_addrs=[recipient])
        except (smtplib.SMTPServerDisconnected, OSError):
            self.close()
            raise

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


@dataclass
class Flushed:
    sent: int = 0
    failed: int = 0


def flush(dsn: str, settings: Settings, statement_ids: list[int] | None = None) -> Flushed:
    """Send every unsent outbox row (of ``statement_ids`` only, when given), one
    transaction per message; rows that failed ``billing_mail_max_attempts`` times stay
    unsent and are left alone."""
    done = Flushed()
    sender = Sender(settings)
    last_id = 0
    try:
        with psycopg.connect(dsn) as conn:
            while True:
                with conn.transaction():
                    row = _next(conn, last_id, settings.billing_mail_max_attempts,
                                statement_ids)
                    if row is None:
                        break
                    last_id = row[0]
                    if _send_row(conn, sender, row, settings):
                        done.sent += 1
                        continue
                    done.failed += 1
                if sender.smtp is None:  # the server is unreachable: the next run retries
                    break
    finally:
        sender.close()
    return done


def _next(conn: psycopg.Connection[Any], after: int, max_attempts: int,
          statement_ids: list[int] | None) -> tuple[Any, ...] | None:
    only = " AND m.statement_id = ANY(%s)" if statement_ids is not None else ""
    params: tuple[Any, ...] = (after, max_attempts)
    if statement_ids is not None:
        params += (statement_ids,)
    return conn.execute(
        "SELECT m.id, m.recipient, m.message_id, s.snapshot, s.pdf, m.subject, m.body, m.dated"
        " FROM statement_mail m LEFT JOIN statements s ON s.id = m.statement_id"
        " WHERE m.sent_at IS NULL AND m.id > %s"
        f" AND m.attempts < %s{only} ORDER BY m.id LIMIT 1 FOR UPDATE OF m SKIP LOCKED",
        params).fetchone()


def _message(row: tuple[Any, ...], settings: Settings) -> tuple[EmailMessage, str]:
    """The row's message and what it is (for the log)."""
    _mail_id, recipient, msg_id, snapshot, pdf, subject, body, dated = row
    if snapshot is None:
        return compose_text(subject, body, dated, recipient, msg_id, settings), msg_id
    s = StatementSnapshot.model_validate_json(bytes(snapshot))
    return compose(s, bytes(pdf), recipient, msg_id, settings), f"statement {s.number}"


def _send_row(conn: psycopg.Connection[Any], sender: Sender, row: tuple[Any, ...],
              settings: Settings) -> bool:
    mail_id, recipient = row[0], row[1]
    message, what = _message(row, settings)
    try:
        sender.send(message, recipient)
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("%s to %s not sent: %s", what, recipient, exc)
        conn.execute("UPDATE statement_mail SET attempts = attempts + 1, last_error = %s,"
                     " last_attempt_at = now() WHERE id = %s", (str(exc)[:500], mail_id))
        return False
    conn.execute("UPDATE statement_mail SET attempts = attempts + 1, last_error = NULL,"
                 " last_attempt_at = now(), sent_at = now() WHERE id = %s", (mail_id,))
    log.info("%s sent to %s", what, recipient)
    return True
