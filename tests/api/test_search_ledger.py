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
    from api import accounts
    from api.search_ledger import SearchLedger

    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        accounts.ensure_schema(conn)
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
    from api import accounts
    from api.search_ledger import LedgerWriteError, SearchLedger

    pool = ConnectionPool("postgresql://nobody@127.0.0.1:1/none", min_size=0, max_size=1,
                          open=True, timeout=0.5)
    ledger = SearchLedger(pool, wait_s=5)
    public = accounts.Caller(account_id=None, name="public", role="public")
    with pytest.raises(LedgerWriteError):
        ledger.record(public, accounts.Fee(0, None), "id_number", None)
    ledger.close()
    pool.close()
