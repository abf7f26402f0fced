"""`index rebuild`, `index verify` and batch workers on a local 3-node cluster (issue 23).

One cluster for the module (``tests.services.cluster``), one replica; a corpus indexed by
the real indexer into 2 primary shards, the real API (a child process). Then:

* ``regsearch index rebuild`` with ``REGSEARCH_INDEX_SHARDS=3`` copies the registry into a
  new index beside the live one while the API answers a search load and the registry
  changes; the alias moves; no search failed, the new index has 3 primaries and 1 replica,
  the old one is gone, and ``regsearch index verify`` finds 0 differences.
* a batch runs on three Celery worker processes (``tests.batch.stack.worker``: the
  ``celery`` command) against the cluster; one whole worker (main process and pool) is
  SIGKILLed mid-chunk; the batch completes with every row's result exactly once, the
  killed chunk done again by another worker after the broker's visibility timeout.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import redis

from tests.batch import files, stack
from tests.batch.stack import Child
from tests.conftest import REPO, wait_until
from tests.service_env import named
from tests.services import cluster as shared

pytestmark = pytest.mark.services

NAMES = shared.Names(named("regsearch_cluster_ops_test"), named("regsearch_app_cluster_ops_test"),
                     named("test-cluster-ops-registrations", "-"),
                     named("test_cluster_ops_indexer"))
API_PORT = shared.API_PORT + 1
CORPUS, STREAM, SEED = 3000, 600, 20261207
#: Rows of the batch: 15 chunks of ``stack.CHUNK_ROWS``.
ROWS = 1500


@dataclass
class OnCluster:
    ctx: Any
    settings: Any
    es: Any
    env: dict[str, str]
    indexer: Child
    api: Child
    corpus: list[dict[str, Any]]
    stream: list[dict[str, Any]]
    log_dir: Path

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{API_PORT}"

    def alias_target(self) -> str:
        (name,) = self.es.indices.get_alias(name=NAMES.alias).keys()
        return str(name)

    def caught_up(self) -> bool:
        return shared.caught_up(self.es, self.settings.pg_dsn, NAMES.slot)

    def command(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "regsearch.cli", *args], cwd=REPO,
                              env={**stack.child_env(), **self.env, **env},
                              capture_output=True, text=True, timeout=900, check=False)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    yield from shared.running()


@pytest.fixture(scope="module")
def on_cluster(cluster: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OnCluster]:
    """The corpus indexed into 2 primaries and 1 replica, the indexer and the API running."""
    from core import elastic
    from registry.synthetic.generator import iter_registrations
    from services import es_cluster

    env = NAMES.environment(API_PORT, shards=2)
    settings = shared.settings_of(env)
    log_dir = tmp_path_factory.mktemp("cluster-ops")
    es = elastic.client(settings.es_url, request_timeout=30)
    NAMES.reset_databases(settings)
    generated = [dict(r) for r in iter_registrations(CORPUS + STREAM, SEED)]
    shared.commit(settings.pg_dsn, generated[:CORPUS], batch_size=500)
    es_cluster.wait_health(es_cluster.nodes(cluster), "green")
    indexer = Child([sys.executable, "-m", "regsearch.cli", "indexer"],
                    log_dir / "indexer.log", env).start()
    api = Child([sys.executable, "-m", "regsearch.cli", "api"], log_dir / "api.log",
                env).start()
    found = OnCluster(cluster, settings, es, env, indexer, api, generated[:CORPUS],
                      generated[CORPUS:], log_dir)
    try:
        wait_until(found.caught_up, deadline_s=180, interval_s=0.2,
                   what="corpus indexed: " + indexer.log_text()[-2000:])
        wait_until(lambda: httpx.get(f"{found.api_url}/readyz", timeout=5).status_code == 200
                   if api.alive() else None, deadline_s=60, interval_s=0.2,
                   what="API ready: " + api.log_text()[-2000:])
        wait_until(lambda: shared.health(cluster).get("status") == "green", deadline_s=120,
                   interval_s=0.5, what="cluster green with replicas")
        yield found
    finally:
        api.stop()
        indexer.stop()
        es.close()
        NAMES.drop_slots()


def _shape(es: Any, index: str) -> tuple[str, str, str]:
    found = es.indices.get_settings(index=index)[index]["settings"]["index"]
    return found["number_of_shards"], found["number_of_replicas"], found["refresh_interval"]


def test_rebuild_under_search_load_then_verify(on_cluster: OnCluster) -> None:
    es, corpus = on_cluster.es, on_cluster.corpus
    old = on_cluster.alias_target()
    assert _shape(es, old)[:2] == ("2", "1")
    load = shared.Load(on_cluster.api_url,
                       [{"debtor_name": r["grantors"][0]["name"]} for r in corpus[:300]]
                       + [{"id_number": r["grantors"][0]["id_number"]} for r in corpus[:100]],
                       threads=3)
    streamed = threading.Thread(target=shared.commit_slowly,
                                args=(on_cluster.settings.pg_dsn, on_cluster.stream, load.stop))
    try:
        load.start()
        streamed.start()
        wait_until(lambda: len(load.records) >= 50, deadline_s=60, what="load running")
        began = time.monotonic()
        rebuilt = on_cluster.command("index", "rebuild", REGSEARCH_INDEX_SHARDS="3")
        ended = time.monotonic()
        # searches go on against the new index after the alias moved
        wait_until(lambda: sum(1 for b, _, ok, _ in list(load.records) if b > ended and ok)
                   >= 50, deadline_s=60, what="searches after the handover")
    finally:
        load.stop.set()
        streamed.join(timeout=60)
        load.finish()
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    during = sum(1 for b, _, _, _ in load.records if began <= b <= ended)
    print(f"\nrebuild {ended - began:.1f} s, {during} searches during it; {load.summary()}")
    assert not load.failures(), load.failures()[:5]
    assert during >= 20
    new = on_cluster.alias_target()
    assert new != old
    assert _shape(es, new) == ("3", "1", on_cluster.settings.index_refresh_interval)
    assert not es.indices.exists(index=old)
    wait_until(lambda: shared.health(on_cluster.ctx).get("status") == "green", deadline_s=120,
               interval_s=0.5, what="the new index's replicas allocated")
    wait_until(on_cluster.caught_up, deadline_s=120, interval_s=0.2,
               what="indexer caught up on the new index: "
               + on_cluster.indexer.log_text()[-2000:])
    assert on_cluster.indexer.alive(), on_cluster.indexer.log_text()[-3000:]
    verified = on_cluster.command("index", "verify")
    print(verified.stdout.strip())
    assert verified.returncode == 0, verified.stdout + verified.stderr
    with psycopg.connect(on_cluster.settings.pg_dsn) as conn:
        registered = conn.execute("SELECT count(*) FROM registrations").fetchone()
    assert registered is not None and registered[0] > CORPUS
    assert f"compared {registered[0]} registrations" in verified.stdout


def _account(settings: Any) -> str:
    import accounts

    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        return accounts.issue_key(conn, accounts.create_account(
            conn, "Ngân hàng TMCP Cụm máy", "customer", max_batch_rows=10_000))


def _finished(api: httpx.Client, batch_id: str) -> dict[str, Any] | None:
    body: dict[str, Any] = api.get(f"/v1/batches/{batch_id}").json()
    return body if body["status"] in ("done", "failed", "cancelled") else None


def test_a_batch_on_three_workers_survives_one_killed(on_cluster: OnCluster) -> None:
    settings = on_cluster.settings
    redis.Redis.from_url(stack.settings().batch_broker_url).flushdb()
    workers = [stack.worker(on_cluster.log_dir, name, on_cluster.env)
               for name in ("first", "second", "third")]
    headers = {"x-api-key": _account(settings)}
    try:
        stack.wait_ready(*workers)
        with httpx.Client(base_url=on_cluster.api_url, headers=headers, timeout=60,
                          trust_env=False) as api, \
                psycopg.connect(settings.app_dsn, autocommit=True) as conn:
            data = files.simple_csv(on_cluster.corpus, ROWS)
            response = api.post("/v1/batches", files={"file": ("lo.csv", data, "text/csv")})
            assert response.status_code == 202, response.text
            batch_id = response.json()["batch"]["id"]
            first = workers[0]
            killed = stack.kill_mid_chunk(conn, batch_id, lambda: set(stack.pool_pids(first.pid)),
                                          lambda _pid, sig: os.killpg(first.pid, sig))
            assert first.process is not None and first.process.wait(timeout=20) == -signal.SIGKILL
            final = wait_until(lambda: _finished(api, batch_id), deadline_s=300, interval_s=0.5,
                               what="batch finished: "
                               + " | ".join(w.log_text()[-1000:] for w in workers))
            rows = [line for line in api.get(f"/v1/batches/{batch_id}/results",
                                             params={"format": "jsonl"}).text.splitlines()]
            _check_exactly_once(conn, batch_id, killed, final)
            _check_sample(api, rows)
        assert len(rows) == ROWS
        print(f"\nbatch of {ROWS} rows on 3 workers, chunk {killed} killed: "
              + ", ".join(f"{w.log_path.stem} {_chunks_done(w)} chunks" for w in workers))
    finally:
        for child in workers:
            child.stop()


def _chunks_done(worker: Child) -> int:
    """Chunks the worker's log says it wrote (not those it found done and skipped)."""
    return sum(1 for line in worker.log_text().splitlines()
               if "] succeeded in " in line and line.endswith("'done'"))


def _check_exactly_once(conn: psycopg.Connection[Any], batch_id: str, killed: int,
                        final: dict[str, Any]) -> None:
    rows = final["rows"]
    assert final["status"] == "done", final
    assert rows["total"] == rows["valid"] == rows["done"] == ROWS and rows["errors"] == 0
    results = conn.execute("SELECT count(*), count(DISTINCT row_number) FROM batch_results"
                           " WHERE job_id = %s", (batch_id,)).fetchone()
    assert results == (ROWS, ROWS)
    states = conn.execute("SELECT state, count(*) FROM batch_chunks WHERE job_id = %s"
                          " GROUP BY state", (batch_id,)).fetchall()
    # (a row repeating an earlier one is in no chunk: it takes that row's result)
    chunks = final["progress"]["chunks_total"]
    assert states == [("done", chunks)] and chunks > 3, states
    again = conn.execute("SELECT attempts FROM batch_chunks WHERE job_id = %s AND chunk = %s",
                         (batch_id, killed)).fetchone()
    assert again is not None and again[0] >= 2, again


def _check_sample(api: httpx.Client, lines: list[str]) -> None:
    """Every row once, in file order; a sample answers as ``POST /v1/search`` does."""
    import json

    rows = [json.loads(line) for line in lines]
    assert [row["row"] for row in rows] == list(range(2, ROWS + 2))
    assert all(row["status"] == "done" for row in rows)
    for row in rows[::ROWS // 15]:
        for found in row["criteria"]:
            body: dict[str, Any] = {found["criterion"]: found["value"], "exact_limit": 1000}
            if found["party_type"]:
                body["party_type"] = found["party_type"]
            single = api.post("/v1/search", json=body).json()
            assert single["exact"]["count"] == found["exact"]["count"], (row["row"], body)
            assert ([m["registration"]["registration_number"] for m in single["close"]["results"]]
                    == [m["registration"]["registration_number"]
                        for m in found["close"]["results"]]), (row["row"], body)
