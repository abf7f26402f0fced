"""Searches recorded with group commit: every entry is durable before ``record`` returns,
concurrent entries share transactions, and a failed write fails every waiting request."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
import pytest
from psycopg_pool import ConnectionPool

pytestmark = pytest.mark.services


def test_concurrent_searches_are_each_in_the_ledger_when_answered(
        app_database: str, settings: Any) -> None:
    import accounts
    from api.search_ledger import SearchLedger

    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        marker = f"ledger-test-{id(conn)}"
        with ConnectionPool(settings.app_dsn, min_size=1, max_size=2,
                            kwargs={"autocommit": True}) as pool:
            ledger = SearchLedger(pool)
            public = accounts.Caller(account_id=None, name="public", role="public")

            def one(i: int) -> int:
                ledger.record(public, accounts.Fee(0, None), "id_number", f"{marker}-{i}")
                # durable before record returned: visible to another connection now
                with psycopg.connect(settings.app_dsn) as other:
                    found = other.execute("SELECT count(*) FROM usage_ledger WHERE client = %s",
                                          (f"{marker}-{i}",)).fetchone()
                return int(found[0]) if found else 0

            with ThreadPoolExecutor(8) as threads:
                seen = list(threads.map(one, range(200)))
            ledger.close()
        assert seen == [1] * 200
        groups = conn.execute(
            "SELECT count(DISTINCT xmin::text), count(*), count(DISTINCT at) FROM usage_ledger"
            " WHERE client LIKE %s", (f"{marker}-%",)).fetchone()
    assert groups is not None
    transactions, entries, times = groups
    assert entries == 200
    assert transactions < 200  # searches that arrived together shared a commit
    assert times > 1  # each entry keeps its own request time, not its transaction's


def test_a_failed_write_fails_the_search_that_waited_for_it(settings: Any) -> None:
    import accounts
    from api.search_ledger import LedgerWriteError, SearchLedger

    pool = ConnectionPool("postgresql://nobody@127.0.0.1:1/none", min_size=0, max_size=1,
                          open=True, timeout=0.5)
    ledger = SearchLedger(pool, wait_s=5)
    public = accounts.Caller(account_id=None, name="public", role="public")
    with pytest.raises(LedgerWriteError):
        ledger.record(public, accounts.Fee(0, None), "id_number", None)
    ledger.close()
    pool.close()


def test_an_entry_arrives_column_by_column_as_recorded(app_database: str,
                                                       settings: Any) -> None:
    from datetime import UTC, datetime

    import accounts
    from api.search_ledger import SearchLedger

    marker = "ledger-columns-test"
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        conn.execute("DELETE FROM usage_ledger WHERE client = %s", (marker,))
        with ConnectionPool(settings.app_dsn, min_size=1, max_size=1,
                            kwargs={"autocommit": True}) as pool:
            ledger = SearchLedger(pool)
            before = datetime.now(UTC)
            ledger.record(accounts.PUBLIC, accounts.Fee(1234, "điều 59 khoản 2"),
                          "debtor_name", marker)
            after = datetime.now(UTC)
            ledger.close()
        row = conn.execute(
            "SELECT account_id, kind, criterion, reference, rows, fee_vnd, free_ground, at"
            " FROM usage_ledger WHERE client = %s", (marker,)).fetchone()
    assert row is not None
    assert row[:7] == (None, "search", "debtor_name", None, 1, 1234, "điều 59 khoản 2")
    assert before <= row[7] <= after  # to the microsecond, with its time zone
