"""The registry's two write paths side by side: the loader's statements
(``registry.loader.write_registrations``, 1,000 registrations a transaction, as
``benchmarks.corpus`` loads) against COPY (``registry.copy_loader``, 2,000 a transaction,
as ``benchmarks.corpus_copy``), on the same parsed registrations, alternating.

    .venv/bin/python -m benchmarks.bench_bulk_load --count 20000 --rounds 2

Each round empties a scratch registry (``registry_bulk_bench``, created here) and writes the
same registrations one way; reported per registration: wall time, this process's CPU (row
building, encoding, the protocol) and the PostgreSQL backend's CPU (from ``/proc``). The
registrations are generated and validated before the clock starts.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable, Sequence

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from benchmarks.processes import cpu_seconds
from core.settings import get_settings
from registry.copy_loader import copy_registrations
from registry.format import Registration, parse_registration
from registry.loader import write_registrations
from registry.schema import schema_sql
from registry.synthetic import generator

DATABASE = "registry_bulk_bench"
Writer = Callable[[psycopg.Cursor[tuple[object, ...]], Sequence[Registration]], object]


def _dsn() -> str:
    params = conninfo_to_dict(get_settings().pg_dsn)
    with psycopg.connect(make_conninfo("", **{**params, "dbname": "postgres"}),
                         autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                             (DATABASE,)).fetchone():
            admin.execute(f'CREATE DATABASE "{DATABASE}"')
    return make_conninfo("", **{**params, "dbname": DATABASE})


def _round(dsn: str, regs: list[Registration], write: Writer, batch: int) -> dict[str, float]:
    with psycopg.connect(dsn) as conn:
        conn.execute(schema_sql())
        conn.execute("TRUNCATE registrations, parties, assets, events RESTART IDENTITY")
        conn.commit()
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
        backend = int(str(row[0])) if row else 0
        backend_before, mine_before = cpu_seconds([backend]), time.process_time()
        started = time.monotonic()
        for start in range(0, len(regs), batch):
            with conn.transaction(), conn.cursor() as cur:
                write(cur, regs[start:start + batch])
        wall = time.monotonic() - started
        mine = time.process_time() - mine_before
        server = cpu_seconds([backend]) - backend_before
    per = 1000 / len(regs)
    return {"per_s": round(len(regs) / wall), "wall_ms": round(wall * per, 3),
            "client_cpu_ms": round(mine * per, 3), "postgres_cpu_ms": round(server * per, 3),
            "load": round(os.getloadavg()[0], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    regs = [parse_registration(r) for r in generator.iter_registrations(args.count, 2026)]
    dsn = _dsn()
    runs: dict[str, list[dict[str, float]]] = {"loader": [], "copy": []}
    for _ in range(args.rounds):
        runs["loader"].append(_round(dsn, regs, write_registrations, 1000))
        runs["copy"].append(_round(dsn, regs, copy_registrations, 2000))
    print(json.dumps({"registrations": args.count, **runs}, indent=2))


if __name__ == "__main__":
    main()
