"""What the tests on a local 3-node Elasticsearch cluster share (issue 23).

The cluster itself (``services.es_cluster``) on ports of the tests' own
(``REGSEARCH_TEST_ES_CLUSTER_PORT``, default 9211: HTTP 9211-9213, transport 9311-9313), with
its own data directories deleted at the end; the single node every other test uses is never
touched. Each test module starts it once (``running()`` is the body of its module fixture)
and keeps databases, an alias and a slot of its own (``Names``). Also: a search load
through the API from threads, the registry's change stream, and the indexer's progress.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import psycopg
import pytest

from tests.conftest import drop_slot, recreate_databases

FIRST_PORT = int(os.environ.get("REGSEARCH_TEST_ES_CLUSTER_PORT", "9211"))
#: The first port of the API processes the cluster tests start (one a module).
API_PORT = int(os.environ.get("REGSEARCH_TEST_CLUSTER_API_PORT", str(FIRST_PORT - 9211 + 8181)))
#: At most this many searches a load thread makes (the load ends with its test).
MAX_SEARCHES = 20_000


def urls() -> str:
    """Every node's URL, comma-separated (``REGSEARCH_ES_URL``)."""
    return ",".join(f"http://127.0.0.1:{FIRST_PORT + i}" for i in range(3))


def context(port: int = FIRST_PORT) -> Any:
    from core.settings import get_settings
    from services.stack import _existing_identity
    from services.system import Context

    settings = get_settings().model_copy(update={"es_port": port, "es_nodes": 3})
    return Context(settings, _existing_identity(settings))


def running() -> Iterator[Any]:
    """Three fresh nodes (leftovers of an earlier run stopped and deleted), launched (the
    caller waits for them while it loads its registry), deleted after."""
    from services import elasticsearch as single
    from services import es_cluster
    from services.system import find_java_home, say

    ctx = context()
    if not single.installed(ctx):
        pytest.skip("the Elasticsearch distribution is not installed (regsearch services up)")
    es_cluster.wipe(ctx)
    try:
        every = es_cluster.nodes(ctx)
        java = find_java_home(ctx.install_log, say)
        launchers = [es_cluster.launch(ctx, node, java, every) for node in every]
        yield ctx
        for launcher in launchers:
            launcher.wait(timeout=10)
    finally:
        es_cluster.wipe(ctx)


def health(ctx: Any) -> dict[str, Any]:
    """The cluster's health as the first node that answers reports it ({}: none does)."""
    from services import es_cluster

    for node in es_cluster.nodes(ctx):
        try:
            return dict(httpx.get(f"{node.url}/_cluster/health", timeout=5,
                                  trust_env=False).json())
        except httpx.HTTPError:
            continue
    return {}


@dataclass(frozen=True)
class Names:
    """A test module's own registry and service databases, alias and slot."""

    registry_db: str
    app_db: str
    alias: str
    slot: str

    def environment(self, api_port: int, shards: int = 2) -> dict[str, str]:
        """The ``REGSEARCH_*`` variables of a process on the cluster (1 replica)."""
        server = os.environ["REGSEARCH_PG_DSN"].rsplit("/", 1)[0]
        return {
            "REGSEARCH_ES_URL": urls(),
            "REGSEARCH_PG_DSN": f"{server}/{self.registry_db}",
            "REGSEARCH_APP_DSN": f"{server}/{self.app_db}",
            "REGSEARCH_INDEX_ALIAS": self.alias,
            "REGSEARCH_REPLICATION_SLOT": self.slot,
            "REGSEARCH_INDEX_SHARDS": str(shards),
            "REGSEARCH_INDEX_REPLICAS": "1",
            "REGSEARCH_API_PORT": str(api_port),
            "REGSEARCH_PUBLIC_BASE_URL": f"http://127.0.0.1:{api_port}",
        }

    def reset_databases(self, settings: Any) -> None:
        from migrations.runner import upgrade
        from registry.schema import ensure_schema

        recreate_databases(self.registry_db, self.app_db)
        with psycopg.connect(settings.pg_dsn) as conn:
            ensure_schema(conn)
            conn.commit()
        upgrade(settings.app_dsn)  # the service database, through its migrations

    def drop_slots(self) -> None:
        with psycopg.connect(os.environ["REGSEARCH_ADMIN_DSN"], autocommit=True) as conn:
            for (slot,) in conn.execute("SELECT slot_name FROM pg_replication_slots"
                                        " WHERE database = %s", (self.registry_db,)).fetchall():
                drop_slot(conn, slot)


def settings_of(environment: dict[str, str]) -> Any:
    """Settings with ``environment``'s ``REGSEARCH_*`` values on top."""
    from core.settings import Settings

    overrides: dict[str, Any] = {key.removeprefix("REGSEARCH_").lower(): value
                                 for key, value in environment.items()}
    return Settings(**overrides)


def commit(pg_dsn: str, registrations: list[dict[str, Any]], batch_size: int = 1) -> None:
    """Write registrations into the registry (a transaction each, by default)."""
    from registry.loader import load_lines

    with psycopg.connect(pg_dsn) as conn:
        report = load_lines([json.dumps(r, ensure_ascii=False) for r in registrations], conn,
                            batch_size=batch_size)
    assert report.rejected == 0, report.problems[:3]


def commit_slowly(pg_dsn: str, registrations: list[dict[str, Any]],
                  stop: threading.Event) -> None:
    """The registry's change stream: about 20 commits a second until told to stop."""
    for registration in registrations:
        if stop.wait(0.05):
            return
        commit(pg_dsn, [registration])


def caught_up(es: Any, pg_dsn: str, slot: str) -> bool:
    """The indexer of ``slot`` has copied the registry and checked it up to now."""
    from indexer import state
    from indexer.lsn import lsn_to_int

    with psycopg.connect(pg_dsn) as conn:
        row = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    try:
        current = state.load(es, slot)
    except Exception:  # a node just lost: ask again
        return False
    return bool(row and current and current.snapshot_done
                and current.checked_upto_lsn_int >= lsn_to_int(str(row[0])))


@dataclass
class Load:
    """Searches from threads through the API, each recorded (start, end, ok, what)."""

    url: str
    queries: list[dict[str, Any]]
    threads: int = 4
    stop: threading.Event = field(default_factory=threading.Event)
    records: list[tuple[float, float, bool, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    running: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        self.running = [threading.Thread(target=self.run, args=(i,))
                        for i in range(self.threads)]
        for thread in self.running:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.running:
            thread.join(timeout=60)

    def run(self, offset: int) -> None:
        with httpx.Client(base_url=self.url, timeout=30, trust_env=False) as client:
            for i in range(MAX_SEARCHES):
                if self.stop.is_set():
                    return
                body = self.queries[(offset + i * self.threads) % len(self.queries)]
                began = time.monotonic()
                try:
                    response = client.post("/v1/search", json=body)
                    ok, what = response.status_code == 200, str(response.status_code)
                    if not ok:
                        what += " " + response.text[:300]
                except httpx.HTTPError as exc:
                    ok, what = False, repr(exc)
                with self.lock:
                    self.records.append((began, time.monotonic(), ok, what))

    def failures(self) -> list[tuple[float, float, bool, str]]:
        with self.lock:
            return [record for record in self.records if not record[2]]

    def longest_gap(self) -> float:
        """The longest time during which searches failed and none succeeded."""
        gap, failing_since = 0.0, None
        for began, ended, ok, _ in sorted(self.records):
            if not ok and failing_since is None:
                failing_since = began
            elif ok and failing_since is not None:
                gap, failing_since = max(gap, ended - failing_since), None
        return gap

    def summary(self) -> str:
        spans = [ended - began for began, ended, _, _ in self.records]
        return (f"searches {len(self.records)}, failed {len(self.failures())}, longest gap "
                f"{self.longest_gap():.3f} s, slowest {max(spans, default=0):.3f} s, "
                f"over 1 s {sum(1 for span in spans if span > 1)}")
