"""Webhook delivery: each alert POSTed as JSON to its account's URL, signed, retried with
back-off, dead-lettered after the last try (the machinery: ``core.webhooks``).

The queue is the table ``watch_deliveries``, written in the follower's transaction with
the alert itself, and read with ``FOR UPDATE SKIP LOCKED`` (several delivery processes
share it). Not a Celery task: a task is published after the alert's transaction commits,
so a follower killed between the two would lose the delivery unless a sweeper re-read the
table anyway; with the row as the queue nothing sits between the alert and its delivery.
Delivery is at least once (a process killed after the POST and before its UPDATE posts
again): the body carries the alert's id, and the header ``X-Regsearch-Delivery`` too, for
the receiver to drop a repeat.

Signature: ``X-Regsearch-Signature: sha256=<hex HMAC-SHA256 of the raw body with the
account's secret>``; the secret is shown once, when the URL is set.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

import httpx
import orjson
import psycopg

from core import webhooks as hooks
from core.settings import Settings
from core.webhooks import DELIVERY_HEADER, SIGNATURE_HEADER, sign, verify
from watch import alerts

__all__ = ["DELIVERY_HEADER", "SIGNATURE_HEADER", "sign", "verify"]

NOTIFY_CHANNEL = "regsearch_watch_delivery"


def url_problem(url: str, allow_http: bool) -> str | None:
    """Why the URL cannot be a webhook (None: it can): ``core.webhooks.url_problem``."""
    return hooks.url_problem(url, allow_http)


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
    return _retry(settings).wait_s(attempts)


def body_of(alert: dict[str, Any]) -> bytes:
    return orjson.dumps({"type": "watch.alert", "alert": alert}, option=orjson.OPT_SORT_KEYS)


def _retry(settings: Settings) -> hooks.Retry:
    return hooks.Retry(settings.watch_webhook_attempts, settings.watch_webhook_backoff_s)


def _next_due(conn: psycopg.Connection[Any]) -> hooks.Due | None:
    row = conn.execute(
        "SELECT d.alert_id, d.attempts, w.url, w.secret FROM watch_deliveries d"
        " JOIN watch_webhooks w ON w.account_id = d.account_id"
        " WHERE d.state = 'pending' AND d.next_at <= now()"
        " ORDER BY d.next_at LIMIT 1 FOR UPDATE OF d SKIP LOCKED").fetchone()
    if row is None:
        return None
    alert_id = int(row[0])
    found = alerts.by_id(conn, alert_id)
    assert found is not None  # the delivery row cascades with its alert
    return hooks.Due(alert_id, int(row[1]), str(row[2]), str(row[3]), body_of(found[1]),
                     str(alert_id))


def outbox(settings: Settings) -> hooks.Outbox:
    """The watch alerts' outbox (``watch_deliveries``), for ``core.webhooks``."""
    return hooks.Outbox("watch_deliveries", "alert_id", NOTIFY_CHANNEL, _retry(settings),
                        _next_due, user_agent="regsearch-watch/1")


def deliver_one(conn: psycopg.Connection[Any], client: httpx.Client, settings: Settings) -> bool:
    """Deliver the next due alert, if any; returns whether there was one."""
    return hooks.deliver_one(conn, client, outbox(settings))


def run(settings: Settings, once: bool = False,
        more: Sequence[hooks.Outbox] = ()) -> None:
    """Deliver for ever (``once``: until nothing is due), with ``more`` outboxes beside the
    alerts' (the batches' callbacks: ``regsearch watch deliver``)."""
    hooks.run(settings.app_dsn, [outbox(settings), *more], settings.watch_webhook_timeout_s,
              once)
