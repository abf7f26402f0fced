"""Signed HTTP callbacks, delivered from an outbox table: the machinery the watch lists'
webhooks (``watch.webhooks``) and the batches' completion callbacks
(``batch.callback``) share.

* **URLs** (``url_problem``): http or https only, a host, no user name or password in the
  URL (it would be logged, and sent to whoever the host is), at most ``MAX_URL_LENGTH``
  characters, no white space or control characters; plain http only where allowed
  (development).
* **Signature**: ``X-Regsearch-Signature: sha256=<hex HMAC-SHA256 of the raw body>``, key =
  the secret the owner was shown once; ``X-Regsearch-Delivery`` names the delivery, for the
  receiver to drop a repeat (delivery is at least once).
* **Outbox**: each kind of callback is a table with ``state`` (pending, delivered, dead),
  ``attempts``, ``next_at``, ``last_error`` and ``delivered_at``, written in the transaction
  that made what it reports, and read here with ``FOR UPDATE SKIP LOCKED`` (several
  delivery processes share it). A 2xx answer delivers; anything else is retried after
  ``backoff_s × 2^(tries−1)``; after ``attempts`` tries the row is ``dead`` with its last
  error. Nothing sits between the row and its delivery, so a process killed anywhere
  loses nothing: the row is still pending. ``run`` delivers every outbox it is given,
  woken by a ``NOTIFY`` on their channels.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import psycopg
from psycopg import sql

log = logging.getLogger("regsearch.webhooks")

SIGNATURE_HEADER = "X-Regsearch-Signature"
DELIVERY_HEADER = "X-Regsearch-Delivery"
MAX_URL_LENGTH = 2000

Conn = psycopg.Connection[Any]


def url_problem(url: str, allow_http: bool) -> str | None:
    """Why the URL cannot be called back (None: it can): ``too_long``, ``invalid_url``
    (not http(s), no host, white space), ``credentials_in_url`` or ``not_https``."""
    if len(url) > MAX_URL_LENGTH:
        return "too_long"
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return "invalid_url"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError:
        return "invalid_url"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "invalid_url"
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return "credentials_in_url"
    if parts.scheme == "http" and not allow_http:
        return "not_https"
    return None


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, body), signature)


@dataclass(frozen=True)
class Retry:
    """How often and how far apart a delivery is tried."""

    attempts: int
    backoff_s: float

    def wait_s(self, attempts: int) -> float:
        """Wait after the ``attempts``-th failed try: doubling from the first back-off."""
        return float(self.backoff_s * 2 ** (attempts - 1))


@dataclass(frozen=True)
class Due:
    """A delivery to make now: its row's key, tries so far, where, how signed, what."""

    key: Any
    attempts: int
    url: str
    secret: str
    body: bytes
    delivery_id: str


@dataclass(frozen=True)
class Outbox:
    """One kind of callback: its table (and key column), the ``NOTIFY`` channel that says
    a row was written, its retry policy, and ``next_due(conn)``, which selects the next due
    row ``FOR UPDATE SKIP LOCKED`` (inside the caller's transaction)."""

    table: str
    key_column: str
    channel: str
    retry: Retry
    next_due: Callable[[Conn], Due | None]
    user_agent: str = "regsearch/1"


def post(client: httpx.Client, due: Due, user_agent: str) -> str | None:
    """POST once; None when the receiver took it (2xx), else what went wrong."""
    try:
        answer = client.post(due.url, content=due.body, headers={
            "Content-Type": "application/json", SIGNATURE_HEADER: sign(due.secret, due.body),
            DELIVERY_HEADER: due.delivery_id, "User-Agent": user_agent},
            follow_redirects=False)
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"[:500]
    if 200 <= answer.status_code < 300:
        return None
    return f"HTTP {answer.status_code}"


def record(conn: Conn, outbox: Outbox, due: Due, error: str | None) -> str:
    """Write the outcome of a try on the row; returns its new state."""
    attempts = due.attempts + 1
    where = sql.SQL("{} = %s").format(sql.Identifier(outbox.key_column))
    table = sql.Identifier(outbox.table)
    args: tuple[Any, ...]
    if error is None:
        state, query, args = "delivered", sql.SQL(
            "UPDATE {} SET state = 'delivered', attempts = %s, delivered_at = now(),"
            " last_error = NULL WHERE {}"), (attempts, due.key)
    elif attempts >= outbox.retry.attempts:
        log.warning("%s %s dead after %d tries: %s", outbox.table, due.key, attempts, error)
        state, query, args = "dead", sql.SQL(
            "UPDATE {} SET state = 'dead', attempts = %s, last_error = %s WHERE {}"), (
            attempts, error, due.key)
    else:
        state, query, args = "pending", sql.SQL(
            "UPDATE {} SET attempts = %s, last_error = %s,"
            " next_at = now() + make_interval(secs => %s) WHERE {}"), (
            attempts, error, outbox.retry.wait_s(attempts), due.key)
    conn.execute(query.format(table, where), args)
    return state


def deliver_one(conn: Conn, client: httpx.Client, outbox: Outbox) -> bool:
    """Deliver the outbox's next due row, if any; returns whether there was one. The row
    stays locked while it is POSTed, so no other process posts it at the same time."""
    with conn.transaction():
        due = outbox.next_due(conn)
        if due is None:
            return False
        record(conn, outbox, due, post(client, due, outbox.user_agent))
        return True


def run(dsn: str, outboxes: Sequence[Outbox], timeout_s: float, once: bool = False) -> None:
    """Deliver for ever (``once``: until nothing is due); reconnect when the database is
    down or not yet upgraded."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    backoff = 0.5
    while True:
        try:
            _deliver_for_ever(dsn, outboxes, timeout_s, once)
            return
        except (psycopg.OperationalError, psycopg.errors.UndefinedTable) as exc:
            log.warning("service database not ready (%s); again in %.1fs", exc, backoff)
        time.sleep(backoff)
        backoff = min(backoff * 2, 10.0)


def _deliver_for_ever(dsn: str, outboxes: Sequence[Outbox], timeout_s: float,
                      once: bool) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn, \
            psycopg.connect(dsn, autocommit=True) as listener, \
            httpx.Client(timeout=timeout_s) as client:
        for channel in sorted({outbox.channel for outbox in outboxes}):
            listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        while True:
            busy = True
            while busy:
                busy = False
                for outbox in outboxes:  # one at a time from each: none starves another
                    busy = deliver_one(conn, client, outbox) or busy
            if once:
                return
            # woken at once by a new row; a retry falls due within the second
            for _ in listener.notifies(timeout=1.0, stop_after=1):
                pass
