"""Watch lists under a stream of registry changes: commit-to-alert-recorded latency and the
follower's CPU per change.

    .venv/bin/python -m benchmarks.bench_watch --entries 1000000 --accounts 100 \\
        --rate 500 --seconds 60

Self-contained: it makes its own registry and service databases (``--db-prefix``), loads
the watch entries (``watch.entries.add``: COPY, one transaction per account, timed),
starts ``regsearch watch follow`` on them with its own slot, and runs the write simulator
(``registry.simulator``, from ``--writers`` processes as ``bench_freshness`` does) at the
rate. Entries are the debtor names, ID numbers and chassis numbers of synthetic
registrations (``registry.synthetic``), a third of each; the stream's new registrations
come from the same generator with another seed, so they meet the entries as a real loan
book meets the registry: shared common names, rarely a number.

Measures:

* alert latency: each alert's ``recorded_at`` (clock_timestamp() in the follower's
  transaction) minus its change's commit time (the registry's, from the stream);
* change latency: the first time the follower's saved position (``watch_follower.
  checked_upto``, sampled every 10 ms) passes the registry position read just after each
  commit, minus the commit: every change, matched or not;
* CPU per change: the follower process's CPU seconds over the run / changes (PostgreSQL's
  share, the key lookups, is in its backends and not counted here).

Everything it made is dropped at the end (``--keep`` keeps it).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from benchmarks.bench_freshness import _writer
from benchmarks.processes import cpu_seconds
from benchmarks.stats import percentile
from core.settings import get_settings
from indexer.lsn import lsn_to_int
from migrations import runner
from registry.schema import ensure_schema
from registry.simulator import Commit
from registry.synthetic.generator import iter_registrations
from watch import entries

_CRITERIA = ("debtor_name", "id_number", "chassis_number")


def _dsn(base: str, name: str) -> str:
    """``base`` (a postgresql:// URL, as the settings hold it) on database ``name``."""
    return f"{base.rsplit('/', 1)[0]}/{name}"


def _book(count: int, seed: int) -> Iterator[entries.NewEntry]:
    """``count`` entries: the grantors' names and ID numbers and the chassis numbers of
    synthetic registrations, in turn."""
    made = 0
    for i, registration in enumerate(iter_registrations(count=count * 3, seed=seed)):
        grantor = registration["grantors"][0]
        chassis = next((a["chassis_number"] for a in registration.get("assets", [])
                        if a.get("chassis_number")), None)
        pick = _CRITERIA[i % 3]
        if pick == "debtor_name":
            entry = entries.NewEntry(pick, grantor["name"], grantor["party_type"], f"L{i}")
        elif pick == "id_number" and grantor.get("id_number"):
            entry = entries.NewEntry(pick, grantor["id_number"], None, f"L{i}")
        elif pick == "chassis_number" and chassis:
            entry = entries.NewEntry(pick, chassis, None, f"L{i}")
        else:
            continue
        yield entry
        made += 1
        if made == count:
            return


def _setup(registry_dsn: str, app_dsn: str, admin: str) -> None:
    names = [str(conninfo_to_dict(d)["dbname"]) for d in (registry_dsn, app_dsn)]
    with psycopg.connect(admin, autocommit=True) as conn:
        for (slot,) in conn.execute("SELECT slot_name FROM pg_replication_slots"
                                    " WHERE database = ANY(%s)", (names,)).fetchall():
            conn.execute("SELECT pg_drop_replication_slot(%s)", (slot,))
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["REGSEARCH_PG_DSN"] = registry_dsn
    get_settings.cache_clear()
    ensure_schema()
    runner.upgrade(app_dsn)


def load_book(app_dsn: str, count: int, accounts: int) -> dict[str, Any]:
    """The entries, spread over ``accounts`` accounts; returns the load's figures."""
    with psycopg.connect(app_dsn, autocommit=True) as conn:
        ids = [int(r[0]) for r in (conn.execute(
            "INSERT INTO accounts (name, role) VALUES (%s, 'customer') RETURNING id",
            (f"bank {n}",)).fetchone() or (0,) for n in range(accounts))]
        started = time.monotonic()
        prepared = [entries.prepare(e) for e in _book(count, seed=7)]
        prepare_s = time.monotonic() - started
        share = (len(prepared) + accounts - 1) // accounts
        started = time.monotonic()
        for n, account in enumerate(ids):
            entries.add(conn, account, prepared[n * share:(n + 1) * share], limit=count)
        load_s = time.monotonic() - started
        keys = conn.execute("SELECT count(*) FROM watch_keys").fetchone()
    return {"entries": len(prepared), "accounts": accounts,
            "keys": int(keys[0]) if keys else 0, "prepare_s": round(prepare_s, 1),
            "load_s": round(load_s, 1),
            "entries_per_s": round(len(prepared) / load_s) if load_s else None}


class Positions(threading.Thread):
    """The follower's saved position, sampled every 10 ms."""

    def __init__(self, app_dsn: str, slot: str) -> None:
        super().__init__(daemon=True)
        self.app_dsn, self.slot = app_dsn, slot
        self.samples: list[tuple[float, int]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.app_dsn, autocommit=True) as conn:
            while not self.stop.is_set():
                row = conn.execute("SELECT checked_upto::text FROM watch_follower"
                                   " WHERE name = %s", (self.slot,)).fetchone()
                if row is not None:
                    self.samples.append((time.time(), lsn_to_int(str(row[0]))))
                time.sleep(0.01)

    def first_at_or_after(self, lsn: int, since: float) -> float | None:
        for at, seen in self.samples:
            if at >= since and seen >= lsn:
                return at
        return None


def _stream(args: argparse.Namespace, registry_dsn: str) -> list[Commit]:
    context = multiprocessing.get_context("spawn")
    ready, queue, go = context.Queue(), context.Queue(), context.Event()
    run = f"W{int(time.time())}"
    processes = [context.Process(target=_writer, args=(
        n, args.rate, args.seconds, run, args.writers, registry_dsn, ready, go, queue),
        daemon=True) for n in range(args.writers)]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get(timeout=120)
    go.set()
    commits: list[Commit] = []
    finished = 0
    while finished < args.writers:
        commit = queue.get(timeout=900)
        if commit is None:
            finished += 1
        else:
            commits.append(commit)
    for process in processes:
        process.join(timeout=30)
    return commits


def _latencies(app_dsn: str, commits: list[Commit], positions: Positions) -> dict[str, Any]:
    with psycopg.connect(app_dsn, autocommit=True) as conn:
        rows = conn.execute("SELECT extract(epoch FROM recorded_at - committed_at), event"
                            " FROM watch_alerts").fetchall()
    alert_s = [float(r[0]) for r in rows]
    change_s = []
    for commit in commits:
        seen = positions.first_at_or_after(lsn_to_int(commit.lsn), commit.committed_at)
        if seen is not None:
            change_s.append(seen - commit.committed_at)
    return {
        "alerts": len(alert_s),
        "alerts_by_event": {e: sum(1 for r in rows if r[1] == e) for e in {r[1] for r in rows}},
        "alert_p50_ms": round(statistics.median(alert_s) * 1000) if alert_s else None,
        "alert_p99_ms": round(percentile(alert_s, 0.99) * 1000) if alert_s else None,
        "alert_max_ms": round(max(alert_s) * 1000) if alert_s else None,
        "change_p50_ms": round(statistics.median(change_s) * 1000) if change_s else None,
        "change_p99_ms": round(percentile(change_s, 0.99) * 1000) if change_s else None,
        "changes_not_seen": len(commits) - len(change_s),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="watch lists: commit-to-alert latency")
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--db-prefix", default="regsearch_bench_watch")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--follower-log", default="/tmp/bench_watch_follower.log",
                        help="the follower's log (its slow rounds, part by part)")
    args = parser.parse_args()
    base = get_settings()
    registry_dsn = _dsn(base.pg_dsn, f"{args.db_prefix}_registry")
    app_dsn = _dsn(base.pg_dsn, f"{args.db_prefix}_app")
    admin = _dsn(base.pg_dsn, "postgres")
    slot = f"{args.db_prefix}_slot"
    _setup(registry_dsn, app_dsn, admin)
    result: dict[str, Any] = {"book": load_book(app_dsn, args.entries, args.accounts)}
    print(json.dumps(result), flush=True)
    env = {**os.environ, "REGSEARCH_PG_DSN": registry_dsn, "REGSEARCH_APP_DSN": app_dsn,
           "REGSEARCH_WATCH_SLOT": slot}
    with open(args.follower_log, "ab") as log:
        follower = subprocess.Popen([sys.executable, "-m", "regsearch.cli", "watch",
                                     "follow"], env=env, stdout=log, stderr=subprocess.STDOUT)
    positions = Positions(app_dsn, slot)
    try:
        with psycopg.connect(registry_dsn, autocommit=True) as conn:
            while not conn.execute("SELECT 1 FROM pg_replication_slots WHERE slot_name = %s",
                                   (slot,)).fetchone():
                time.sleep(0.1)
        positions.start()
        cpu_before = cpu_seconds([follower.pid])
        started = time.time()
        commits = _stream(args, registry_dsn)
        elapsed = time.time() - started
        last = max(lsn_to_int(c.lsn) for c in commits)
        deadline = time.time() + 300
        while time.time() < deadline and (not positions.samples
                                          or positions.samples[-1][1] < last):
            time.sleep(0.05)
        cpu = cpu_seconds([follower.pid]) - cpu_before
        positions.stop.set()
        result["stream"] = {"target_rate_per_s": args.rate, "changes": len(commits),
                            "achieved_rate_per_s": round(len(commits) / elapsed, 1),
                            "follower_cpu_s": round(cpu, 2),
                            "follower_cpu_ms_per_change": round(cpu * 1000 / len(commits), 3),
                            **_latencies(app_dsn, commits, positions)}
    finally:
        follower.terminate()
        follower.wait(timeout=30)
        if not args.keep:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute("SELECT pg_drop_replication_slot(slot_name) FROM"
                             " pg_replication_slots WHERE slot_name = %s", (slot,))
                for name in (f"{args.db_prefix}_registry", f"{args.db_prefix}_app"):
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
