"""Backfill rate: the snapshot copy of the whole registry into a new index.

    set -a; . benchmarks/bench.env; set +a
    .venv/bin/python -m benchmarks.bench_backfill

Runs exactly what the first start and `index rebuild` run (a replication slot with an
exported snapshot, the registry read in that snapshot, documents built and bulk-written),
into a throw-away index that is deleted afterwards with its slot, so the live index and
its alias are untouched. Also reports the CPU each part spent per registration
(Elasticsearch, the document builder processes, this copy process, PostgreSQL, sampled
from ``/proc`` twice a second) and how idle the machine was.
"""

from __future__ import annotations

import json
import threading
import time

import psycopg
from elasticsearch import Elasticsearch

from benchmarks.processes import CpuWatch
from core.settings import get_settings
from indexer import slot
from indexer.snapshot_copy import copy_snapshot


def main() -> None:
    settings = get_settings()
    client = Elasticsearch(settings.es_url, request_timeout=120)
    name = f"{settings.replication_slot}_backfill"
    with psycopg.connect(settings.pg_dsn, autocommit=True) as conn:
        slot.drop_slot(conn, name)
        row = conn.execute("SELECT count(*) FROM registrations").fetchone()
        total = int(row[0]) if row else 0
        watch = CpuWatch({"elasticsearch": b"org.elasticsearch.bootstrap",
                          "builders": b"multiprocessing.spawn", "postgresql": b"postgres",
                          "copy_process": b"benchmarks.bench_backfill"})
        done = threading.Event()

        def watching() -> None:
            while not done.wait(0.5):
                watch.sample()

        watcher = threading.Thread(target=watching, daemon=True)
        watch.sample()
        watcher.start()
        started = time.monotonic()
        copied = copy_snapshot(conn, client, settings, key=name, slot_name=name)
        elapsed = time.monotonic() - started
        done.set()
        watcher.join()
        watch.sample()
        # Within the connection: its lock keeps the copy from being taken for a leftover.
        count = client.count(index=copied.index)["count"]
        size = client.indices.stats(
            index=copied.index)["_all"]["primaries"]["store"]["size_in_bytes"]
        client.indices.delete(index=copied.index)
        slot.drop_slot(conn, name)
    print(json.dumps({"registrations": total, "documents": count,
                      "seconds": round(elapsed, 1),
                      "registrations_per_s": round(total / elapsed),
                      "index_size_mb": round(size / 2**20),
                      "cpu_ms_per_registration": {
                          part: round(1000 * seconds / max(1, total), 3)
                          for part, seconds in watch.seconds().items()},
                      "machine_idle_pct": round(100 * watch.idle_share(), 1)}))


if __name__ == "__main__":
    main()
