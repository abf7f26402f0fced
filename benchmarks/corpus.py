"""Build the benchmark corpus: N synthetic registrations written through the registry
(the loader, 1,000 per transaction) while the indexer follows the change stream.

    set -a; . benchmarks/bench.env; set +a
    .venv/bin/python -m benchmarks.corpus --count 1000000 --seed 2026

Prints the registry write rate and the rate at which the change stream was applied
(commit to searchable), and leaves the indexer running (its pid in .state/).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from elasticsearch import ApiError, Elasticsearch
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from core.settings import get_settings
from indexer import state
from indexer.lsn import lsn_to_int
from migrations import runner
from registry.loader import load_lines
from registry.schema import ensure_schema
from registry.synthetic import generator

STATE = Path(".state")


def _admin_dsn(dsn: str) -> str:
    params = conninfo_to_dict(dsn)
    params["dbname"] = "postgres"
    return make_conninfo("", **params)


def reset(settings_slot: str, alias: str) -> None:
    settings = get_settings()
    databases = [str(conninfo_to_dict(d)["dbname"]) for d in (settings.pg_dsn, settings.app_dsn)]
    if any(name in ("registry", "regsearch") for name in databases):
        raise SystemExit("refusing to reset the demo databases; source benchmarks/bench.env")
    with psycopg.connect(_admin_dsn(settings.pg_dsn), autocommit=True) as conn:
        for (slot,) in conn.execute("SELECT slot_name FROM pg_replication_slots WHERE database"
                                    " = ANY(%s)", (databases,)).fetchall():
            conn.execute("SELECT pg_drop_replication_slot(%s)", (slot,))
        for name in databases:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    es = Elasticsearch(settings.es_url, request_timeout=60)
    for name in es.indices.get(index=f"{alias}-v*", allow_no_indices=True):
        es.indices.delete(index=name)
    state.delete(es, settings_slot) if es.indices.exists(index="regsearch-state-v1") else None
    ensure_schema()
    runner.upgrade(settings.app_dsn)  # the service database, as `regsearch db upgrade`


def _indexer_state(es: Elasticsearch, slot: str) -> state.IndexerState | None:
    """The indexer's state, or None while it has none yet (or its index, just created,
    has no shard allocated yet)."""
    try:
        return state.load(es, slot)
    except ApiError as exc:
        if exc.meta.status == 503:
            return None
        raise


def _wait_caught_up(es: Elasticsearch, slot: str, deadline_s: float) -> float:
    settings = get_settings()
    with psycopg.connect(settings.pg_dsn) as conn:
        row = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    assert row is not None
    target = lsn_to_int(str(row[0]))
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        current = state.load(es, slot)
        if current is not None and current.checked_upto_lsn_int >= target:
            return time.monotonic()
        time.sleep(0.2)
    raise SystemExit("the indexer did not catch up in time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args()
    settings = get_settings()
    STATE.mkdir(exist_ok=True)
    data = STATE / f"corpus-{args.count}-{args.seed}.jsonl"
    if not data.exists():
        started = time.monotonic()
        generator.write_jsonl(count=args.count, seed=args.seed, out=data)
        print(f"generated {args.count} registrations in {time.monotonic() - started:.1f}s")
    reset(settings.replication_slot, settings.index_alias)
    log = (STATE / "bench-indexer.log").open("ab")
    indexer = subprocess.Popen([sys.executable, "-m", "regsearch.cli", "indexer"],
                               stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ))
    (STATE / "bench-indexer.pid").write_text(str(indexer.pid))
    es = Elasticsearch(settings.es_url, request_timeout=60)
    while _indexer_state(es, settings.replication_slot) is None:
        time.sleep(0.2)
    started = time.monotonic()
    with psycopg.connect(settings.pg_dsn) as conn, data.open(encoding="utf-8") as lines:
        report = load_lines(lines, conn, batch_size=args.batch_size)
    loaded = time.monotonic()
    caught_up = _wait_caught_up(es, settings.replication_slot, deadline_s=3600)
    result = {
        "registrations": report.accepted, "rejected": report.rejected,
        "registry_write_s": round(loaded - started, 1),
        "registry_writes_per_s": round(report.accepted / (loaded - started)),
        "commit_to_searchable_all_s": round(caught_up - started, 1),
        "stream_applied_per_s": round(report.accepted / (caught_up - started)),
        "indexer_pid": indexer.pid,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
