"""A bank watches 1,000 entries; the registry commits registrations, amendments, a
seizure notice, an enforcement notice and a deletion; the follower is killed with SIGKILL
mid-stream and restarted. Exactly the expected alerts are recorded (worked out by brute
force, ``tests.watch.book``), none twice, each with tier and reasons, and every one reaches
a webhook receiver on localhost that checks the HMAC (some tries refused: retried).
Real PostgreSQL; the follower and the delivery loop are the real commands.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg
import pytest

from registry.format import parse_registration
from registry.loader import write_registration
from tests import inbox
from tests.conftest import REPO, _reset_registry, drop_slot, wait_until
from tests.watch import book
from watch import webhooks

pytestmark = pytest.mark.services

#: A port of the test namespace's own when several run at once.
RECEIVER_PORT = int(os.environ.get("REGSEARCH_TEST_WATCH_RECEIVER_PORT", "8221"))


class Command:
    """A ``regsearch watch`` sub-command as a child process."""

    def __init__(self, args: list[str], log_path: Path, env: dict[str, str]) -> None:
        self.args, self.log_path, self.env = args, log_path, env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen([sys.executable, "-m", "regsearch.cli", "watch",
                                         *self.args], stdout=log, stderr=subprocess.STDOUT,
                                        cwd=REPO, env=self.env)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


class Receiver(ThreadingHTTPServer):
    """Takes webhook POSTs: checks the signature, refuses each 5th alert's first try."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", RECEIVER_PORT), _Handler)
        self.secret = ""
        self.delivered: dict[int, dict[str, Any]] = {}
        self.tries: dict[int, int] = {}
        self.bad_signatures = 0
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server = self.server
        with server.lock:
            if not webhooks.verify(server.secret, body,
                                   self.headers.get(webhooks.SIGNATURE_HEADER, "")):
                server.bad_signatures += 1
                self.send_response(401)
                self.end_headers()
                return
            alert = json.loads(body)["alert"]
            tries = server.tries[alert["id"]] = server.tries.get(alert["id"], 0) + 1
            refuse = alert["id"] % 5 == 0 and tries == 1
            if not refuse:
                server.delivered[alert["id"]] = alert
        self.send_response(503 if refuse else 204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def fresh_databases(settings: Any) -> Any:
    """An empty test registry and service database (no Elasticsearch: not needed here)."""
    _reset_registry(settings)
    return settings


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _write(conn: psycopg.Connection[Any], reg: dict[str, Any]) -> None:
    with conn.transaction(), conn.cursor() as cur:
        write_registration(cur, parse_registration(reg))


def _caught_up(app: psycopg.Connection[Any], registry: psycopg.Connection[Any],
               slot_name: str) -> None:
    row = registry.execute("SELECT pg_current_wal_lsn()").fetchone()
    assert row is not None
    upto = row[0]
    wait_until(lambda: app.execute(
        "SELECT checked_upto >= %s::pg_lsn FROM watch_follower WHERE name = %s",
        (str(upto), slot_name)).fetchone() == (True,), deadline_s=90,
        what="the follower to pass " + str(upto))


def _alerts(app: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
    return app.execute("SELECT entry_id, registration_number, event, id, tier, reasons,"
                       " client_reference, field FROM watch_alerts ORDER BY id").fetchall()


def test_alerts_exactly_once_across_sigkill(fresh_databases: Any, tmp_path: Path,
                                            receiver: Receiver) -> None:
    from fastapi.testclient import TestClient

    import accounts
    from core.settings import Settings
    from server.app import create_app

    settings = fresh_databases
    env = {**os.environ, "REGSEARCH_WATCH_ALLOW_HTTP_WEBHOOKS": "true",
           "REGSEARCH_WATCH_WEBHOOK_BACKOFF_S": "0.2"}
    follower = Command(["follow"], tmp_path / "follow.log", env)
    delivery = Command(["deliver"], tmp_path / "deliver.log", env)
    with psycopg.connect(settings.app_dsn, autocommit=True) as app, \
            psycopg.connect(settings.pg_dsn, autocommit=True) as registry:
        to = inbox.address("canhbao")
        account = accounts.create_account(app, "Ngân hàng Thử nghiệm", "customer",
                                          contact_emails=[to])
        key = accounts.issue_key(app, account)
        entries = _watch_the_book(create_app(Settings(watch_allow_http_webhooks=True)),
                                  key, receiver, TestClient)
        follower.start()
        delivery.start()
        try:
            wait_until(lambda: registry.execute(
                "SELECT 1 FROM pg_replication_slots WHERE slot_name = %s",
                (settings.watch_slot,)).fetchone(), deadline_s=300,
                what="the watch slot: " + (tmp_path / "follow.log").read_text())
            expected = _run_the_day(app, registry, entries, follower, settings.watch_slot)
            found = _alerts(app)
            keys = [(a[0], a[1], a[2]) for a in found]
            assert len(keys) == len(set(keys)), "an alert recorded twice"
            assert set(keys) == expected
            assert {k[2] for k in keys} == {"registration", "amendment", "seizure_notice",
                                            "enforcement_notice", "deletion"}
            print(f"{len(keys)} alerts, as expected")
            _check_tiers(found, entries)
            wait_until(lambda: len(receiver.delivered) >= len(found), deadline_s=600,
                       what="every alert at the webhook: "
                            + (tmp_path / "deliver.log").read_text()[-2000:])
            assert set(receiver.delivered) == {a[3] for a in found}
            assert receiver.bad_signatures == 0
            assert any(t > 1 for t in receiver.tries.values())  # refused once, retried
            # the receiver answers before the delivery loop marks the row: wait for it
            wait_until(lambda: dict(app.execute(
                "SELECT state, count(*) FROM watch_deliveries GROUP BY state").fetchall())
                == {"delivered": len(found)}, deadline_s=60, what="every delivery marked")
            _check_the_digest(settings, to, found)
        finally:
            inbox.clear(to)
            follower.stop()
            delivery.stop()
            with psycopg.connect(os.environ["REGSEARCH_ADMIN_DSN"], autocommit=True) as admin:
                drop_slot(admin, settings.watch_slot)  # a slot left behind holds the WAL


def _check_the_digest(settings: Any, to: str, found: list[tuple[Any, ...]]) -> None:
    """The digest job e-mails every alert once, through the real Postfix."""
    from billing import digests

    one_digest = settings.model_copy(update={"watch_digest_max_alerts": 100_000})
    made = digests.run(one_digest)
    assert len(made.digests) == 1 and made.alerts == len(found) and made.mail_sent == 1
    [message] = inbox.wait_for(to)
    part = message.get_body(("plain",))
    assert part is not None
    listed = [int(n) for n in re.findall(r"Alert id: (\d+)", part.get_content())]
    assert listed == sorted(a[3] for a in found)
    assert "THÔNG BÁO KÊ BIÊN TÀI SẢN THI HÀNH ÁN" in part.get_content()
    assert digests.run(one_digest).digests == [] and len(inbox.messages(to)) == 1


def _watch_the_book(app_: Any, key: str, receiver: Receiver, client_class: Any
                    ) -> list[book.WatchedEntry]:
    headers = {"X-API-Key": key}
    with client_class(app_) as client:
        answer = client.post("/v1/watch/entries/upload", headers=headers,
                             files={"file": ("book.csv", book.book_csv(), "text/csv")})
        assert answer.status_code == 200, answer.text
        assert answer.json()["added"] == 999
        answer = client.post("/v1/watch/entries", headers=headers, json=book.DELETION_WATCH)
        assert answer.status_code == 201, answer.text
        answer = client.put("/v1/watch/webhook", headers=headers,
                            json={"url": f"http://127.0.0.1:{RECEIVER_PORT}/hook"})
        assert answer.status_code == 200, answer.text
        receiver.secret = answer.json()["secret"]
        listed: list[dict[str, Any]] = []
        after = 0
        while True:
            page = client.get("/v1/watch/entries", headers=headers,
                              params={"after": after, "limit": 1000}).json()
            listed += page["entries"]
            if page["next_after"] is None:
                break
            after = page["next_after"]
    assert len(listed) == 1000
    return [book.WatchedEntry(e["id"], e["criterion"], e["value"], e["party_type"],
                              e["alert_on_deletion"]) for e in listed]


def _phase_a(n: int) -> dict[str, Any]:
    name = book.NAMES[2 * n] if n < 200 else book.NAMES[2 * n - 399]
    return book.registration(
        f"2026-A{n:04d}", names=[name], ids=[book.IDS[n] if n < 150 else None],
        chassis=[book.CHASSIS[n - 100]] if 100 <= n < 250 else
        ([book.CHASSIS[299]] if n == 299 else []))


def _run_the_day(app: psycopg.Connection[Any], registry: psycopg.Connection[Any],
                 entries: list[book.WatchedEntry], follower: Command, slot_name: str
                 ) -> set[tuple[int, str, str]]:
    expected: set[tuple[int, str, str]] = set()
    phase_a = [_phase_a(n) for n in range(300)]
    for reg in phase_a:
        for entry_id in book.matched_values(entries, reg):
            expected.add((entry_id, reg["registration_number"], "registration"))
    writer = threading.Thread(target=lambda: [_write(registry_, r) for r in phase_a])
    with psycopg.connect(os.environ["REGSEARCH_PG_DSN"], autocommit=True) as registry_:
        writer.start()
        wait_until(lambda: len(_alerts(app)) >= 40, deadline_s=60, what="first alerts")
        follower.kill()  # mid-stream
        still_writing = writer.is_alive()
        follower.start()
        writer.join()
    print(f"killed while the registry was still writing: {still_writing}")
    _caught_up(app, registry, slot_name)
    # amendments: a watched chassis added to 10 registrations; 5 addresses corrected
    changes: list[tuple[dict[str, Any], dict[str, Any], str]] = []
    for k in range(10):
        new = json.loads(json.dumps(phase_a[k]))
        new["assets"].append({"asset_type": "motor_vehicle",
                              "chassis_number": book.CHASSIS[150 + k]})
        changes.append((phase_a[k], new, "amendment"))
    for k in range(20, 25):
        new = json.loads(json.dumps(phase_a[k]))
        new["grantors"][0]["address"] = "Số 1 Lê Lợi, Huế"
        changes.append((phase_a[k], new, "amendment"))
    seized = book.registration("2026-SZ001", names=[book.NAMES[600]],
                               kind="seizure_notice")
    changes.append(({}, seized, "seizure_notice"))
    enforced = json.loads(json.dumps(phase_a[30]))
    enforced["events"] = [{"type": "enforcement_notice", "at": "2026-12-06T11:00:00+07:00"}]
    changes.append((phase_a[30], enforced, "enforcement_notice"))
    deleted = json.loads(json.dumps(phase_a[299]))
    deleted["status"] = "deleted"
    deleted["events"] = [{"type": "deletion", "at": "2026-12-06T12:00:00+07:00"}]
    changes.append((phase_a[299], deleted, "deletion"))
    for old, new, event in changes:
        expected |= _expected(entries, old, new, event)
        _write(registry, new)
    _caught_up(app, registry, slot_name)
    return expected


def _expected(entries: list[book.WatchedEntry], old: dict[str, Any], new: dict[str, Any],
              event: str) -> set[tuple[int, str, str]]:
    number = new["registration_number"]
    now = book.matched_values(entries, new)
    if event == "amendment":
        before = book.matched_values(entries, old)
        return {(e, number, event) for e, values in now.items()
                if values - before.get(e, set())}
    if event == "deletion":
        asks = {e.id for e in entries if e.alert_on_deletion}
        return {(e, number, event) for e in now if e in asks}
    return {(e, number, event) for e in now}


def _check_tiers(found: list[tuple[Any, ...]], entries: list[book.WatchedEntry]) -> None:
    by_id = {e.id: e for e in entries}
    seen = {"debtor_name": False, "id_number": False, "chassis_number": False}
    for entry_id, number, _event, _id, tier, reasons, reference, field in found:
        assert tier in ("exact", "close") and reference and field
        entry = by_id[entry_id]
        if number != "2026-A0000":
            continue
        seen[entry.criterion] = True
        if entry.value == book.n2(book.NAMES[0]).upper():  # the name, without diacritics
            assert (tier, reasons) == ("exact", []), (entry, tier, reasons)
        elif entry.criterion == "debtor_name":  # other names of the book, one letter apart
            assert (tier, reasons) == ("close", ["edit_distance"]), (entry, tier, reasons)
        if entry.value == book.IDS[0].lstrip("0"):
            assert (tier, reasons) == ("close", ["leading_zeros"])
    chassis = [a for a in found if a[1] == "2026-A0100"
               and by_id[a[0]].value == f"*{book.CHASSIS[0]}*"]
    assert chassis and (chassis[0][4], chassis[0][5]) == ("exact", ["separators_ignored"])
    assert seen["debtor_name"] and seen["id_number"]
