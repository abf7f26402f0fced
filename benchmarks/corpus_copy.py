"""Build a large benchmark registry by COPY (``registry.copy_loader``): N synthetic
registrations generated and written by several processes, each taking every
``processes``-th chunk of the generator's stream, without a JSON Lines file and without
an indexer following (the index is then built by the snapshot copy:
``benchmarks.bench_backfill``).

    set -a; . benchmarks/bench10m.env; set +a
    .venv/bin/python -m benchmarks.corpus_copy --count 10000000 --seed 2026 --processes 2

Registration i of the stream gets id i + 1, whichever process writes it, so the registry
is the one the loader would write from the same stream, in the same order. Prints the
write rate and the CPU time of the writers (generation, validation, COPY encoding).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import time

import psycopg

from benchmarks.corpus import reset
from core.settings import get_settings
from registry.copy_loader import advance_sequence, copy_registrations
from registry.format import parse_registration
from registry.synthetic import generator


def chunks_written() -> set[int]:
    """The chunks already in the registry (a chunk is one transaction: all of it or none)."""
    with psycopg.connect(get_settings().pg_dsn, autocommit=True) as conn:
        rows = conn.execute("SELECT (id - 1) / %s FROM registrations WHERE (id - 1) %% %s = 0",
                            (generator.CHUNK, generator.CHUNK)).fetchall()
    return {int(str(row[0])) for row in rows}


def _write_share(count: int, seed: int, share: int, processes: int, done: set[int]) -> int:
    """Write chunks share, share + processes, ... (those not ``done``): one transaction a
    chunk."""
    written = 0
    with psycopg.connect(get_settings().pg_dsn) as conn:
        for chunk in range(share, generator.chunk_count(count), processes):
            if chunk in done:
                continue
            regs = [parse_registration(r) for r in generator.iter_chunk(count, seed, chunk)]
            first = chunk * generator.CHUNK + 1
            with conn.transaction(), conn.cursor() as cur:
                copy_registrations(cur, regs, ids=range(first, first + len(regs)))
            written += len(regs)
    return written


def _progress(count: int, before: int, started: float) -> None:
    with psycopg.connect(get_settings().pg_dsn, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM registrations").fetchone()
    done = int(str(row[0])) if row else 0
    print(f"{time.strftime('%H:%M:%S')} {done}/{count} "
          f"{(done - before) / max(time.monotonic() - started, 1e-9):.0f}/s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--resume", action="store_true",
                        help="keep the registry and write only the chunks it lacks")
    args = parser.parse_args()
    settings = get_settings()
    if not args.resume:
        reset(settings.replication_slot, settings.index_alias)
    done = chunks_written() if args.resume else set()
    started = time.monotonic()
    with multiprocessing.get_context("fork").Pool(args.processes) as pool:
        pending = pool.starmap_async(
            _write_share, [(args.count, args.seed, k, args.processes, done)
                           for k in range(args.processes)])
        while not pending.ready():
            pending.wait(60)
            _progress(args.count, len(done) * generator.CHUNK, started)
        written = sum(pending.get())
    wrote = time.monotonic()
    with psycopg.connect(settings.pg_dsn, autocommit=True) as conn, conn.cursor() as cur:
        advance_sequence(cur)
        cur.execute("ANALYZE")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = children.ru_utime + children.ru_stime
    print(json.dumps({
        "registrations": written, "processes": args.processes,
        "registry_write_s": round(wrote - started, 1),
        "registry_writes_per_s": round(written / (wrote - started)),
        "writers_cpu_s": round(cpu, 1),
        "writers_cpu_ms_per_registration": round(1000 * cpu / max(written, 1), 3),
    }, indent=2), flush=True)


if __name__ == "__main__":
    main()
