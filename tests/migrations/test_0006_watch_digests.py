"""Revision 0006 on a database at 0005 with watch entries and alerts: the entries' history
is filled from the entries, the alerts recorded before digests existed go in one digest
per account sent to nobody (never e-mailed afterwards), and the outbox takes messages of
its own while a statement's row still needs its statement."""

from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg
import pytest

from tests.service_env import named

pytestmark = pytest.mark.services


@pytest.fixture()
def db_at_0005() -> Iterator[str]:
    from migrations import runner

    name = named("regsearch_migration_0006_test")
    admin = os.environ["REGSEARCH_ADMIN_DSN"]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    dsn = f"{admin.rsplit('/', 1)[0]}/{name}"
    runner.upgrade(dsn, "0005")
    yield dsn
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _alert(conn: psycopg.Connection[tuple[object, ...]], account: int, lsn: str) -> None:
    conn.execute(
        "INSERT INTO watch_alerts (account_id, entry_id, registration_id, registration_number,"
        " change_lsn, committed_at, event, criterion, watched_value, field, registered_value,"
        " tier, reasons, score) VALUES (%s, 1, 1, '2026-1', %s::pg_lsn, now(), 'registration',"
        " 'id_number', '1', 'grantors[0].id_number', '1', 'exact', '{}', 1)", (account, lsn))


def test_entries_and_alerts_before_digests_upgrade_in_place(db_at_0005: str) -> None:
    import accounts
    from migrations import runner
    from watch import entries

    with psycopg.connect(db_at_0005, autocommit=True) as conn:
        bank = accounts.create_account(conn, "Ngân hàng Cũ", "customer")
        other = accounts.create_account(conn, "Ngân hàng Khác", "customer")
        prepared = [entries.prepare(entries.NewEntry("id_number", f"00119001234{n}"))
                    for n in range(3)]
        for p in prepared:  # as the code of revision 0005 stored them (no key log yet)
            [entry_id] = conn.execute(
                "INSERT INTO watch_entries (account_id, criterion, value, party_type,"
                " normalised, client_reference, alert_on_deletion) VALUES"
                " (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
                (bank, p.entry.criterion, p.entry.value, p.entry.party_type, p.normalised,
                 p.entry.client_reference, p.entry.alert_on_deletion)).fetchone()
            for key in set(map(entries.stored, p.keys)):
                conn.execute("INSERT INTO watch_keys (key, entry_id) VALUES (%s, %s)",
                             (key, entry_id))
        for n, account in enumerate((bank, bank, other)):
            _alert(conn, account, f"0/{n + 1}")
    runner.upgrade(db_at_0005)
    with psycopg.connect(db_at_0005, autocommit=True) as conn:
        history = conn.execute("SELECT count(*), count(removed_at) FROM watch_entry_history"
                               " WHERE account_id = %s", (bank,)).fetchone()
        assert history == (3, 0)
        digested = conn.execute(
            "SELECT d.account_id, d.alerts, d.recipients, count(a.id) FROM watch_digests d"
            " JOIN watch_alerts a ON a.digest_id = d.id GROUP BY d.id ORDER BY d.account_id"
        ).fetchall()
        assert digested == [(bank, 2, [], 2), (other, 1, [], 1)]
        entries.remove_matching(conn, bank, prepared[:1])  # the trigger marks it removed
        assert conn.execute("SELECT count(removed_at) FROM watch_entry_history").fetchone() == (
            1,)
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("INSERT INTO statement_mail (recipient, message_id) VALUES"
                         " ('a@bank.example', '<x@y>')")
        conn.execute("INSERT INTO statement_mail (recipient, message_id, subject, body, dated)"
                     " VALUES ('a@bank.example', '<x@y>', 's', 'b', now())")
