"""Names the service tests use, so they never touch the demo registry or index."""

from __future__ import annotations

import os

TEST_DB = "regsearch_test"
TEST_ALIAS = "test-registrations"
TEST_SLOT = "test_indexer"
TEST_APP_DB = "regsearch_app_test"


def configure() -> None:
    """Point the settings at the test database, index alias and slot (before first use)."""
    base = os.environ.get("REGSEARCH_PG_DSN", "postgresql://regsearch@127.0.0.1:5432/registry")
    server = base.rsplit("/", 1)[0]
    os.environ["REGSEARCH_PG_DSN"] = f"{server}/{TEST_DB}"
    os.environ["REGSEARCH_ADMIN_DSN"] = f"{server}/postgres"
    os.environ["REGSEARCH_INDEX_ALIAS"] = TEST_ALIAS
    os.environ["REGSEARCH_REPLICATION_SLOT"] = TEST_SLOT
    os.environ.setdefault("REGSEARCH_CDC_POLL_INTERVAL_S", "0.05")
    os.environ["REGSEARCH_APP_DSN"] = f"{server}/{TEST_APP_DB}"
    # Tests search far more often than a person; the limiter has its own test.
    os.environ["REGSEARCH_PUBLIC_SEARCHES_PER_MINUTE"] = "1000000"
