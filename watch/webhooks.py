"""Webhook delivery: each alert POSTed as JSON to its account's URL, signed, retried with
back-off, dead-lettered after the last try.

The queue is the table ``watch_deliveries``, written in the follower's transaction with
the alert itself, and read here with ``FOR UPDATE SKIP LOCKED`` (several delivery
processes share it). Not a Celery task: a task is published after the alert's
transaction commits, so a follower killed between the two would lose the delivery unless
a sweeper re-read the table anyway; with the row as the queue nothing sits between the
alert and its delivery. Delivery is at least once (a process killed after the POST and
before its UPDATE posts again): the body carries the alert's id, and the header
``X-Regsearch-Delivery`` too, for the receiver to drop a repeat.

Signature: ``X-Regsearch-Signature: sha256=<hex HMAC-SHA256 of the raw body with the
account's secret>``; the secret is shown once, when the URL is set.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
import psycopg

from core.settings import Settings
from watch import alerts

log = logging.getLogger("regsearch.watch.webhooks")

SIGNATURE_HEADER = "X-Regsearch-Signature"
DELIVERY_HEADER = "X-Regsearch-Delivery"
NOTIFY_CHANNEL = "regsearch_watch_delivery"


def url_problem(url: str, allow_http: bool) -> str | None:
    """Why the URL cannot be a webhook (None: it can): ``invalid_url`` or ``not_https``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "invalid_url"
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2000:
        return "invalid_url"
    if parts.scheme == "http" and not allow_http:
        return "not_https"
    return None


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, body), signature)


def set_url(conn: psycopg.Connection[Any], account_id: int, url: str) -> str:
    """Set the account's webhook; returns its new signing secret."""
    secret = secrets.token_urlsafe(32)
    conn.execute(
        "INSERT INTO watch_webhooks (account_id, url, secret) VALUES (%s, %s, %s)"
        " ON CONFLICT (account_id) DO UPDATE SET url = EXCLUDED.url, secret = EXCLUDED.secret,"
        " created_at = now()", (account_id, url, secret))
    return secret


def remove(conn: psycopg.Connection[Any], account_id: int) -> bool:
    return conn.execute("DELETE FROM watch_webhooks WHERE account_id = %s",
                        (account_id,)).rowcount > 0


def get(conn: psycopg.Connection[Any], account_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT url, created_at, (SELECT count(*) FROM watch_deliveries d WHERE"
        " d.account_id = w.account_id AND d.state = 'pending'), (SELECT count(*) FROM"
        " watch_deliveries d WHERE d.account_id = w.account_id AND d.state = 'dead')"
        " FROM watch_webhooks w WHERE account_id = %s", (account_id,)).fetchone()
    if row is None:
        return None
    return {"url": row[0], "created_at": row[1].isoformat(), "pending": row[2], "dead": row[3]}


def backoff_s(settings: Settings, attempts: int) -> float:
    """Wait after the ``attempts``-th failed try: doubling from the first back-off."""
    return float(settings.watch_webhook_backoff_s * 2 ** (attempts - 1))


def body_of(alert: dict[str, Any]) -> bytes:
    return orjson.dumps({"type": "watch.alert", "alert": alert}, option=orjson.OPT_SORT_KEYS)


def _post(client: httpx.Client, url: str, secret: str, alert_id: int, body: bytes
          ) -> str | None:
    """POST once; None when the receiver took it (2xx), else what went wrong."""
    try:
        answer = client.post(url, content=body, headers={
            "Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, body),
            DELIVERY_HEADER: str(alert_id), "User-Agent": "regsearch-watch/1"})
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"[:500]
    if 200 <= answer.status_code < 300:
        return None
    return f"HTTP {answer.status_code}"


def deliver_one(conn: psycopg.Connection[Any], client: httpx.Client, settings: Settings) -> bool:
    """Deliver the next due alert, if any; returns whether there was one."""
    with conn.transaction():
        row = conn.execute(
            "SELECT d.alert_id, d.attempts, w.url, w.secret FROM watch_deliveries d"
            " JOIN watch_webhooks w ON w.account_id = d.account_id"
            " WHERE d.state = 'pending' AND d.next_at <= now()"
            " ORDER BY d.next_at LIMIT 1 FOR UPDATE OF d SKIP LOCKED").fetchone()
        if row is None:
            return False
        alert_id, attempts, url, secret = int(row[0]), int(row[1]), str(row[2]), str(row[3])
        found = alerts.by_id(conn, alert_id)
        assert found is not None  # the delivery row cascades with its alert
        error = _post(client, url, secret, alert_id, body_of(found[1]))
        attempts += 1
        if error is None:
            conn.execute("UPDATE watch_deliveries SET state = 'delivered', attempts = %s,"
                         " delivered_at = now(), last_error = NULL WHERE alert_id = %s",
                         (attempts, alert_id))
        elif attempts >= settings.watch_webhook_attempts:
            log.warning("webhook: alert %s dead after %d tries: %s", alert_id, attempts, error)
            conn.execute("UPDATE watch_deliveries SET state = 'dead', attempts = %s,"
                         " last_error = %s WHERE alert_id = %s", (attempts, error, alert_id))
        else:
            conn.execute(
                "UPDATE watch_deliveries SET attempts = %s, last_error = %s,"
                " next_at = now() + make_interval(secs => %s) WHERE alert_id = %s",
                (attempts, error, backoff_s(settings, attempts), alert_id))
        return True


def run(settings: Settings, once: bool = False) -> None:
    """Deliver for ever (``once``: until nothing is due); reconnect when the database is
    down or not yet upgraded."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    backoff = 0.5
    while True:
        try:
            _deliver_for_ever(settings, once)
            return
        except (psycopg.OperationalError, psycopg.errors.UndefinedTable) as exc:
            log.warning("service database not ready (%s); again in %.1fs", exc, backoff)
        time.sleep(backoff)
        backoff = min(backoff * 2, 10.0)


def _deliver_for_ever(settings: Settings, once: bool) -> None:
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn, \
            psycopg.connect(settings.app_dsn, autocommit=True) as listener, \
            httpx.Client(timeout=settings.watch_webhook_timeout_s) as client:
        listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
        while True:
            while deliver_one(conn, client, settings):
                pass
            if once:
                return
            # woken at once by a new alert; a retry falls due within the second
            for _ in listener.notifies(timeout=1.0, stop_after=1):
                pass
