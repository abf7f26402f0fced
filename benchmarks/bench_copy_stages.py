"""What one registration of the snapshot copy costs in CPU, stage by stage.

    set -a; . benchmarks/bench.env; set +a
    .venv/bin/python -m benchmarks.bench_copy_stages --count 100000

The copy (``indexer.snapshot_copy.copy_snapshot``) reads the registry, builds each document
(``indexer.copy_builders.build_batch``: normal forms, candidate keys, packed values) and
bulk-writes it. Here the stages run one after the other, each alone on the machine, on
the first ``--count`` registrations:

1. read (this process's and PostgreSQL's CPU seconds) and build, in this process;
2. bulk-write the same encoded documents into a throw-away index with the current
   mapping and the copy's settings (no refresh, asynchronous translog), as many requests
   in flight as the copy keeps; Elasticsearch's CPU seconds read from ``/proc``;
3. the same without the candidate keys, to show what the keys cost Elasticsearch; without
   the deletion keys of ID and serial numbers only; and with every close key replaced by
   an 11-character hash of it (shorter terms, same number).

The sum of the CPU per registration bounds the copy's rate on the machine's cores:
``cores / (read and build + Elasticsearch)``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import queue
import resource
import threading
import time
from typing import Any

import orjson
import psycopg
from elasticsearch import Elasticsearch

import mappings
from benchmarks import processes
from core.settings import get_settings
from indexer import source
from indexer.copy_builders import RawRow, build_batch
from indexer.snapshot_copy import COPY_BULK_IN_FLIGHT
from indexer.writer import Write, write_all
from mappings import registration_json

#: Fields left out of ``_source`` like the candidate keys, but not keys: doc values.
NOT_KEYS = frozenset({"packed", "name_value", registration_json.FIELD})
#: Close keys of names (the rest of the ``*_close`` fields hold deletion keys).
NAME_CLOSE = "name_close"
BATCH = 1000


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _processes_cpu(marker: bytes) -> float:
    """CPU seconds so far of the processes whose command line holds ``marker``."""
    return processes.cpu_seconds(processes.matching(marker))


def _elasticsearch_cpu() -> float:
    """CPU seconds of the Elasticsearch server process so far."""
    return _processes_cpu(b"org.elasticsearch.bootstrap")


def _postgres_cpu() -> float:
    """CPU seconds of PostgreSQL's processes so far (a backend that ended is not counted:
    the reading connection is measured while it is open)."""
    return _processes_cpu(b"postgres")


def read_rows(dsn: str, count: int) -> tuple[list[RawRow], float]:
    """The first ``count`` registry rows, and the CPU seconds PostgreSQL spent on them."""
    rows: list[RawRow] = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        cpu = _postgres_cpu()
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        source.prepare_session(conn)
        for batch in source.iter_raw(conn):
            rows.extend(batch[:count - len(rows)])
            if len(rows) >= count:
                break
        conn.execute("COMMIT")
        return rows, _postgres_cpu() - cpu


def without_keys(document: bytes, keys: frozenset[str]) -> bytes:
    decoded: dict[str, Any] = orjson.loads(document)
    return orjson.dumps({k: v for k, v in decoded.items() if k not in keys})


def short_hash(key: str) -> str:
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return base64.urlsafe_b64encode(digest).decode()[:11]


def hashed_close_keys(document: bytes) -> bytes:
    decoded: dict[str, Any] = orjson.loads(document)
    return orjson.dumps({k: [short_hash(key) for key in v] if k.endswith("_close") else v
                         for k, v in decoded.items()})


def index_alone(es: Elasticsearch, name: str, documents: list[tuple[int, bytes]]
                ) -> dict[str, float]:
    """Bulk-write ``documents`` into a new index ``name`` (deleted afterwards)."""
    body = mappings.load("registrations", mappings.REGISTRATIONS_VERSION)
    settings = {**body["settings"], "refresh_interval": "-1",
                "translog": {"durability": "async"}}
    es.options(ignore_status=404).indices.delete(index=name)
    es.indices.create(index=name, settings=settings, mappings=body["mappings"])
    batches: queue.SimpleQueue[list[Write]] = queue.SimpleQueue()
    for start in range(0, len(documents), BATCH):
        batches.put([Write(str(reg_id), 1, doc)
                     for reg_id, doc in documents[start:start + BATCH]])

    def send() -> None:
        while True:
            try:
                writes = batches.get_nowait()
            except queue.Empty:
                return
            if write_all(es, name, writes):
                raise SystemExit(f"Elasticsearch refused documents in {name}")

    cpu, started = _elasticsearch_cpu(), time.monotonic()
    senders = [threading.Thread(target=send) for _ in range(COPY_BULK_IN_FLIGHT)]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join()
    es.indices.flush(index=name)
    seconds, es_cpu = time.monotonic() - started, _elasticsearch_cpu() - cpu
    es.indices.delete(index=name)
    return {"documents_per_s": round(len(documents) / seconds),
            "es_cpu_ms_per_document": round(1000 * es_cpu / len(documents), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    settings = get_settings()
    es = Elasticsearch(settings.es_url, request_timeout=300)

    cpu, started = _own_cpu(), time.monotonic()
    rows, postgres_cpu = read_rows(settings.pg_dsn, args.count)
    read_cpu = _own_cpu() - cpu + postgres_cpu
    cpu = _own_cpu()
    built = build_batch(rows, "0/1")
    build_cpu = _own_cpu() - cpu
    build_wall = time.monotonic() - started

    body = mappings.load("registrations", mappings.REGISTRATIONS_VERSION)
    keys = frozenset(body["mappings"]["_source"]["excludes"]) - NOT_KEYS
    with_keys = index_alone(es, f"{settings.index_alias}-stages-keys", built)
    no_keys = index_alone(es, f"{settings.index_alias}-stages-nokeys",
                          [(reg_id, without_keys(doc, keys)) for reg_id, doc in built])
    deletion_keys = frozenset(k for k in keys if k.endswith("_close") and k != NAME_CLOSE)
    no_deletion_keys = index_alone(
        es, f"{settings.index_alias}-stages-nodeletion",
        [(reg_id, without_keys(doc, deletion_keys)) for reg_id, doc in built])
    hashed = index_alone(es, f"{settings.index_alias}-stages-hashed",
                         [(reg_id, hashed_close_keys(doc)) for reg_id, doc in built])

    n = len(rows)
    read_ms, build_ms = 1000 * read_cpu / n, 1000 * build_cpu / n
    per_registration = read_ms + build_ms + with_keys["es_cpu_ms_per_document"]
    cores = os.cpu_count() or 1
    print(json.dumps({
        "registrations": n,
        "cores": cores,
        "read_cpu_ms_per_registration": round(read_ms, 3),
        "build_cpu_ms_per_registration": round(build_ms, 3),
        "read_and_build_per_s_one_process": round(n / build_wall),
        "elasticsearch_alone": with_keys,
        "elasticsearch_alone_without_candidate_keys": no_keys,
        "elasticsearch_alone_without_deletion_keys": no_deletion_keys,
        "elasticsearch_alone_close_keys_hashed": hashed,
        "cpu_ms_per_registration": round(per_registration, 3),
        "copy_rate_bound_on_these_cores": round(cores * 1000 / per_registration),
        "cores_needed_for_10000_per_s": round(10 * per_registration, 1),
    }, indent=1))


if __name__ == "__main__":
    main()
