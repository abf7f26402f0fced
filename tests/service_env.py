"""Names the service tests use, so they never touch the demo registry or index."""

from __future__ import annotations

import os

#: Several developers (or worktrees) may test against one set of services at once: each
#: sets ``REGSEARCH_TEST_NS`` (letters and digits) and gets names of its own.
NS = os.environ.get("REGSEARCH_TEST_NS", "")
if not NS.isalnum() and NS:
    raise SystemExit("REGSEARCH_TEST_NS: letters and digits only")


def named(name: str, sep: str = "_") -> str:
    """``name`` in this run's namespace (unchanged when none is set)."""
    return f"{name}{sep}{NS.lower()}" if NS else name


TEST_DB = named("regsearch_test")
TEST_ALIAS = named("test-registrations", "-")
TEST_SLOT = named("test_indexer")
TEST_APP_DB = named("regsearch_app_test")
#: The Redis database of the batch stack's broker (0-15); a namespace picks its own.
TEST_REDIS_DB = int(os.environ.get("REGSEARCH_TEST_REDIS_DB", "13"))


def configure() -> None:
    """Point the settings at the test database, index alias and slot (before first use)."""
    # the development CA and the local stack's password-less services (settings.check)
    os.environ["REGSEARCH_ENV"] = "development"
    base = os.environ.get("REGSEARCH_PG_DSN", "postgresql://regsearch@127.0.0.1:5432/registry")
    server = base.rsplit("/", 1)[0]
    os.environ["REGSEARCH_PG_DSN"] = f"{server}/{TEST_DB}"
    os.environ["REGSEARCH_ADMIN_DSN"] = f"{server}/postgres"
    os.environ["REGSEARCH_INDEX_ALIAS"] = TEST_ALIAS
    os.environ["REGSEARCH_REPLICATION_SLOT"] = TEST_SLOT
    os.environ["REGSEARCH_WATCH_SLOT"] = named("test_watch")
    os.environ.setdefault("REGSEARCH_CDC_POLL_INTERVAL_S", "0.05")
    os.environ["REGSEARCH_APP_DSN"] = f"{server}/{TEST_APP_DB}"
    # Tests search far more often than a person; the limiter has its own test.
    os.environ["REGSEARCH_PUBLIC_SEARCHES_PER_MINUTE"] = "1000000"
    os.environ["REGSEARCH_PUBLIC_VERIFICATIONS_PER_MINUTE"] = "1000000"
