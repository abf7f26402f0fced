"""What the follower keeps in memory between rounds never hides a change of the entries:
an entry added while it runs is matched by the next registration, one deleted is not.

The follower runs in this process (``WatchFollower.step``), its caches warm from the
rounds before; real PostgreSQL; waits with deadlines.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from registry.format import parse_registration
from registry.loader import write_registration
from tests.conftest import _reset_registry, drop_slot, wait_until
from tests.watch import book
from watch import entries
from watch.follower import WatchFollower

pytestmark = pytest.mark.services


@pytest.fixture()
def follower(settings: Any) -> Iterator[tuple[WatchFollower, Any, Any]]:
    _reset_registry(settings)
    with psycopg.connect(settings.pg_dsn, autocommit=True) as registry, \
            psycopg.connect(settings.app_dsn, autocommit=True) as app:
        running = WatchFollower(registry, app, settings)
        running.prepare()
        try:
            yield running, registry, app
        finally:
            registry.close()
            with psycopg.connect(os.environ["REGSEARCH_ADMIN_DSN"],
                                 autocommit=True) as admin:
                drop_slot(admin, settings.watch_slot)


def _write(registry: psycopg.Connection[Any], reg: dict[str, Any]) -> None:
    with registry.transaction(), registry.cursor() as cur:
        write_registration(cur, parse_registration(reg))


def _alerted(follower: WatchFollower, registry: psycopg.Connection[Any],
             app: psycopg.Connection[Any], number: str) -> set[int]:
    """Step the follower until it has passed the registry's position; the entries
    alerted for registration ``number``."""
    row = registry.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    assert row is not None

    def passed() -> bool:
        follower.step()
        return app.execute("SELECT checked_upto >= %s::pg_lsn FROM watch_follower"
                           " WHERE name = %s", (row[0], follower.slot)).fetchone() == (True,)

    wait_until(passed, deadline_s=60, what="the follower to pass " + str(row[0]))
    return {int(r[0]) for r in app.execute(
        "SELECT entry_id FROM watch_alerts WHERE registration_number = %s",
        (number,)).fetchall()}


def _add(app: psycopg.Connection[Any], account: int, value: str) -> int:
    prepared = entries.prepare(entries.NewEntry("debtor_name", value, "individual"))
    return entries.add(app, account, [prepared], limit=100)[0]


def test_entries_added_and_deleted_while_following(follower: Any) -> None:
    import accounts

    running, registry, app = follower
    bank = accounts.create_account(app, "Ngân hàng Bộ nhớ", "customer")
    other = accounts.create_account(app, "Ngân hàng Khác", "customer")
    first = _add(app, bank, "Nguyễn Văn Bình")
    _write(registry, book.registration("2026-C0001", names=["Nguyen Van Binh"]))
    assert _alerted(running, registry, app, "2026-C0001") == {first}
    # added while it runs, after its caches saw the name's keys: matched at once
    second = _add(app, other, "NGUYEN VAN BINH")
    _write(registry, book.registration("2026-C0002", names=["Nguyễn Văn Bình"]))
    assert _alerted(running, registry, app, "2026-C0002") == {first, second}
    # a new key altogether (a name nobody watched before) added while it runs
    third = _add(app, bank, "Trần Thị Hoa")
    _write(registry, book.registration("2026-C0003", names=["Tran Thi Hoa"]))
    assert _alerted(running, registry, app, "2026-C0003") == {third}
    # deleted while it runs: its kept copy alerts nothing
    assert entries.delete(app, bank, first)
    _write(registry, book.registration("2026-C0004", names=["Nguyen Van Binh"]))
    assert _alerted(running, registry, app, "2026-C0004") == {second}
