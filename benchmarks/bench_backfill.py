"""Backfill rate: the snapshot copy of the whole registry into a new index.

    set -a; . benchmarks/bench.env; set +a
    .venv/bin/python -m benchmarks.bench_backfill

Runs exactly what the first start and `index rebuild` run (a replication slot with an
exported snapshot, the registry read in that snapshot, documents built and bulk-written),
into a throw-away index that is deleted afterwards with its slot, so the live index and
its alias are untouched. Also reports the CPU each part spent per registration
(Elasticsearch, the document builder processes, this copy process, PostgreSQL, sampled
from ``/proc`` twice a second) and how idle the machine was.

``--keep`` instead does what the indexer's first start does: the copy under the
indexer's own slot and state, the alias pointed at it, so ``regsearch indexer`` then
follows the change stream from there (the 10M benchmark builds its index this way).
``--es-marker`` names the Elasticsearch node's processes by a part of their command line
(its data directory) when other nodes run on the machine; the builders are this
process's children and PostgreSQL the registry database's backends.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from typing import Any

import psycopg
from elasticsearch import Elasticsearch
from psycopg.conninfo import conninfo_to_dict

from benchmarks.processes import CpuWatch, children
from core.settings import get_settings
from indexer import es, slot, state
from indexer.snapshot_copy import copy_snapshot


def node_memory(client: Elasticsearch) -> dict[str, Any]:
    """Heap used and committed, and the process's RSS and peak RSS, of every node."""
    found = client.nodes.stats(metric="jvm")["nodes"]
    pids = {key: int(node.get("process", {}).get("id", 0))
            for key, node in client.nodes.info(metric="process")["nodes"].items()}
    report = {}
    for key, node in found.items():
        pid = pids.get(key, 0)
        status = {}
        try:
            for line in open(f"/proc/{pid}/status", encoding="ascii"):  # noqa: SIM115
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    status[key] = round(int(value.split()[0]) / 1024)
        except OSError:
            pass
        report[node["name"]] = {
            "heap_used_mb": round(node["jvm"]["mem"]["heap_used_in_bytes"] / 2**20),
            "heap_max_mb": round(node["jvm"]["mem"]["heap_max_in_bytes"] / 2**20),
            "rss_mb": status.get("VmRSS"), "peak_rss_mb": status.get("VmHWM"),
        }
    return report


def _backends(dsn: str) -> Any:
    database = str(conninfo_to_dict(dsn)["dbname"])
    conn = psycopg.connect(dsn, autocommit=True)

    def pids() -> list[int]:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s",
                            (database,)).fetchall()
        return [int(str(row[0])) for row in rows]
    return conn, pids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--es-marker", default="org.elasticsearch.bootstrap")
    args = parser.parse_args()
    settings = get_settings()
    client = Elasticsearch(settings.es_url, request_timeout=600)
    name = settings.replication_slot if args.keep else f"{settings.replication_slot}_backfill"
    watcher_conn, backends = _backends(settings.pg_dsn)
    with psycopg.connect(settings.pg_dsn, autocommit=True) as conn:
        slot.drop_slot(conn, name)
        row = conn.execute("SELECT count(*) FROM registrations").fetchone()
        total = int(row[0]) if row else 0
        watch = CpuWatch({"elasticsearch": args.es_marker.encode(),
                          "builders": lambda: children(os.getpid()), "postgresql": backends,
                          "copy_process": lambda: [os.getpid()]})
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
        memory = node_memory(client)
        if args.keep:
            es.point_alias(client, settings.index_alias, copied.index)
            # as the indexer's first start does: on a node of its own the state index
            # does not exist yet, and a dynamic mapping (text) refuses the indexer's
            es.ensure_state_index(client)
            state.save(client, copied)
        else:
            client.indices.delete(index=copied.index)
            slot.drop_slot(conn, name)
    watcher_conn.close()
    print(json.dumps({"registrations": total, "documents": count, "index": copied.index,
                      "seconds": round(elapsed, 1),
                      "registrations_per_s": round(total / elapsed),
                      "index_size_mb": round(size / 2**20),
                      "cpu_ms_per_registration": {
                          part: round(1000 * seconds / max(1, total), 3)
                          for part, seconds in watch.seconds().items()},
                      "machine_idle_pct": round(100 * watch.idle_share(), 1),
                      "nodes": memory}))


if __name__ == "__main__":
    main()
