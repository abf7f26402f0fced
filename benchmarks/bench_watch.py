"""Watch lists under a stream of registry changes: commit-to-alert-recorded latency and the
follower's CPU per change.

    .venv/bin/python -m benchmarks.bench_watch --entries 1000000 --accounts 200 \\
        --rate 500 --seconds 60 --indexer [--no-follower] [--reuse --keep]

Self-contained: it makes its own registry and service databases (``--db-prefix``), loads
the watch entries (``benchmarks.watch_book``, timed), starts ``regsearch watch follow``
on them with its own slot (and waits for its first position: the key filter loaded),
and runs the write simulator (``registry.simulator``, from ``--writers`` processes as
``bench_freshness`` does) at the
rate. Entries are the debtor names, ID numbers and chassis numbers of synthetic
registrations (``registry.synthetic``: each gives its first grantor's name and ID number
and its first chassis number), a third of each; the stream's new registrations
come from the same generator with another seed, so they meet the entries as a real loan
book meets the registry: shared common names, rarely a number.

Measures:

* alert latency: each alert's ``recorded_at`` (clock_timestamp() in the follower's
  transaction) minus its change's commit time (the registry's, from the stream);
* change latency: the first time the follower's saved position (``watch_follower.
  checked_upto``, sampled every 10 ms) passes the registry position read just after each
  commit, minus the commit: every change, matched or not;
* CPU per change: the follower process's CPU seconds over the run / changes, and its two
  PostgreSQL backends' (found by ``application_name``): the registry's (decoding the WAL
  for its slot: every database's WAL on a shared server) and the service database's
  (the key lookups, the alerts);
* with ``--indexer``: the indexer on its own index and slot beside it, commit → watermark
  as ``bench_freshness`` measures it, and a name search every 50 ms on that index;
  ``--no-follower`` runs the same without the follower, for the comparison.

The book of entries is made quickly (``benchmarks.watch_book``: distinct values prepared
once in two processes and cached on disk, one COPY); ``--reuse --keep`` runs again on the
entries a kept run left.

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
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from benchmarks import watch_book
from benchmarks.bench_freshness import Watermarks, _writer
from benchmarks.processes import cpu_seconds
from benchmarks.stats import percentile
from core.elastic import client
from core.settings import get_settings
from indexer import state as indexer_state
from indexer.lsn import lsn_to_int
from migrations import runner
from query.search import search
from registry.schema import ensure_schema
from registry.simulator import Commit
from registry.synthetic.generator import iter_registrations
from watch.follower import APPLICATION_NAME


def _dsn(base: str, name: str) -> str:
    """``base`` (a postgresql:// URL, as the settings hold it) on database ``name``."""
    return f"{base.rsplit('/', 1)[0]}/{name}"


def _recreate(admin: str, names: list[str]) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        for (slot,) in conn.execute("SELECT slot_name FROM pg_replication_slots"
                                    " WHERE database = ANY(%s)", (names,)).fetchall():
            conn.execute("SELECT pg_drop_replication_slot(%s)", (slot,))
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')


def _setup(registry_dsn: str, app_dsn: str, admin: str, reuse: bool) -> bool:
    """A new registry; a new service database unless ``reuse`` finds one with entries
    (then its alerts and the follower's state are emptied). True: the book is to load."""
    names = [str(conninfo_to_dict(d)["dbname"]) for d in (registry_dsn, app_dsn)]
    loaded = False
    if reuse:
        try:
            with psycopg.connect(app_dsn, autocommit=True) as conn:
                loaded = bool(conn.execute("SELECT EXISTS (SELECT 1 FROM watch_entries)"
                                           ).fetchone() == (True,))
                if loaded:
                    conn.execute("TRUNCATE watch_alerts, watch_deliveries, watch_reported,"
                                 " watch_marks, watch_follower")
        except psycopg.OperationalError:
            loaded = False
    _recreate(admin, names[:1] if loaded else names)
    os.environ["REGSEARCH_PG_DSN"] = registry_dsn
    get_settings.cache_clear()
    ensure_schema()
    runner.upgrade(app_dsn)
    return not loaded


def load_book(app_dsn: str, count: int, accounts: int, cache: Path | None) -> dict[str, Any]:
    """The entries, spread over ``accounts`` accounts; returns the load's figures."""
    made, keyed, prepare_s = watch_book.prepared(count, 7, cache)
    with psycopg.connect(app_dsn, autocommit=True) as conn:
        ids = [int(r[0]) for r in (conn.execute(
            "INSERT INTO accounts (name, role) VALUES (%s, 'customer') RETURNING id",
            (f"bank {n}",)).fetchone() or (0,) for n in range(accounts))]
        load_s = watch_book.copy_in(conn, ids, made, keyed)
        keys = conn.execute("SELECT count(*) FROM watch_keys").fetchone()
    return {"entries": len(made), "distinct_values": len(keyed), "accounts": accounts,
            "keys": int(keys[0]) if keys else 0, "prepare_s": round(prepare_s, 1),
            "load_s": round(load_s, 1),
            "entries_per_s": round(len(made) / load_s) if load_s else None}


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


class Searches(threading.Thread):
    """Name searches on the benchmark's index, one every 50 ms, each timed."""

    def __init__(self, es: Any, alias: str) -> None:
        super().__init__(daemon=True)
        self.es, self.alias = es, alias
        self.latencies: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        names = [r["grantors"][0]["name"] for r in iter_registrations(count=500, seed=5)]
        n = 0
        while not self.stop.is_set():
            started = time.monotonic()
            search(self.es, self.alias, "debtor_name", names[n % len(names)])
            self.latencies.append(time.monotonic() - started)
            n += 1
            time.sleep(0.05)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="watch lists: commit-to-alert latency")
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--db-prefix", default="regsearch_bench_watch")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse a kept service database's entries (alerts emptied)")
    parser.add_argument("--book-cache", type=Path, default=None,
                        help="the prepared book, made once (default: /tmp/"
                        "bench_watch_book_<entries>.pickle)")
    parser.add_argument("--no-follower", action="store_true",
                        help="run the stream (and the indexer) without the watch follower")
    parser.add_argument("--indexer", action="store_true",
                        help="run the indexer beside it on its own index: commit → "
                        "watermark and name-search latency")
    parser.add_argument("--follower-log", default="/tmp/bench_watch_follower.log",
                        help="the follower's log (its slow rounds, part by part)")
    return parser.parse_args()


def _start(what: list[str], env: dict[str, str], log_path: str) -> subprocess.Popen[bytes]:
    with open(log_path, "ab") as log:
        return subprocess.Popen([sys.executable, "-m", "regsearch.cli", *what], env=env,
                                stdout=log, stderr=subprocess.STDOUT)


def _wait_for_slot(registry_dsn: str, slot: str, timeout_s: float = 300) -> None:
    deadline = time.time() + timeout_s
    with psycopg.connect(registry_dsn, autocommit=True) as conn:
        while not conn.execute("SELECT 1 FROM pg_replication_slots WHERE slot_name = %s",
                               (slot,)).fetchone():
            if time.time() > deadline:
                raise SystemExit(f"bench_watch: slot {slot} was not created")
            time.sleep(0.1)


def _backends(dsn: str) -> list[int]:
    """The PostgreSQL backends of the follower's sessions on ``dsn``'s database."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        return [int(r[0]) for r in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s"
            " AND datname = current_database()", (APPLICATION_NAME,)).fetchall()]


def _caught_up(samples: list[tuple[float, int]], last: int, timeout_s: float = 300) -> None:
    deadline = time.time() + timeout_s
    while time.time() < deadline and (not samples or samples[-1][1] < last):
        time.sleep(0.05)


def _side(commits: list[Commit], watermarks: Any, searches: Searches) -> dict[str, Any]:
    seen = [(watermarks.first_at_or_after(lsn_to_int(c.lsn), c.committed_at), c)
            for c in commits]
    fresh = [at - c.committed_at for at, c in seen if at is not None]
    took = searches.latencies
    return {"watermark_p50_ms": round(statistics.median(fresh) * 1000) if fresh else None,
            "watermark_p99_ms": round(percentile(fresh, 0.99) * 1000) if fresh else None,
            "watermark_not_seen": len(commits) - len(fresh), "searches": len(took),
            "search_p50_ms": round(statistics.median(took) * 1000, 1) if took else None,
            "search_p99_ms": round(percentile(took, 0.99) * 1000, 1) if took else None}


def _cleanup(args: argparse.Namespace, admin: str, alias: str, indexer_slot: str) -> None:
    names = [f"{args.db_prefix}_registry"] + ([] if args.keep else [f"{args.db_prefix}_app"])
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                     " WHERE database = ANY(%s) AND NOT active", (names,))
        if not args.keep:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if args.indexer:
        es = client(get_settings().es_url)
        es.options(ignore_status=404).indices.delete(index=f"{alias}-*")
        indexer_state.delete(es, indexer_slot)


def main() -> None:
    args = _arguments()
    base = get_settings()
    registry_dsn = _dsn(base.pg_dsn, f"{args.db_prefix}_registry")
    app_dsn = _dsn(base.pg_dsn, f"{args.db_prefix}_app")
    admin = _dsn(base.pg_dsn, "postgres")
    slot, indexer_slot = f"{args.db_prefix}_slot", f"{args.db_prefix}_indexer"
    alias = f"{args.db_prefix.replace('_', '-')}-registrations"
    cache = args.book_cache or Path(f"/tmp/bench_watch_book_{args.entries}.pickle")
    result: dict[str, Any] = {"follower": not args.no_follower, "indexer": args.indexer}
    if _setup(registry_dsn, app_dsn, admin, args.reuse) and not args.no_follower:
        result["book"] = load_book(app_dsn, args.entries, args.accounts, cache)
    print(json.dumps(result), flush=True)
    env = {**os.environ, "REGSEARCH_PG_DSN": registry_dsn, "REGSEARCH_APP_DSN": app_dsn,
           "REGSEARCH_WATCH_SLOT": slot, "REGSEARCH_INDEX_ALIAS": alias,
           "REGSEARCH_REPLICATION_SLOT": indexer_slot}
    started_processes = []
    try:
        if args.indexer:
            started_processes.append(_start(["indexer"], env, f"{args.follower_log}.indexer"))
            _wait_for_slot(registry_dsn, indexer_slot)
        if not args.no_follower:
            started_processes.append(_start(["watch", "follow"], env, args.follower_log))
            _wait_for_slot(registry_dsn, slot)
        _run(args, registry_dsn, app_dsn, slot, indexer_slot, alias, started_processes,
             result)
    finally:
        for process in started_processes:
            process.terminate()
            process.wait(timeout=30)
        _cleanup(args, admin, alias, indexer_slot)
    print(json.dumps(result, indent=1))


def _run(args: argparse.Namespace, registry_dsn: str, app_dsn: str, slot: str,
         indexer_slot: str, alias: str, processes: list[subprocess.Popen[bytes]],
         result: dict[str, Any]) -> None:
    positions = Positions(app_dsn, slot)
    es = client(get_settings().es_url)
    watermarks = Watermarks(es, indexer_slot)
    searches = Searches(es, alias)
    if args.indexer:  # sampled from now on, then waited for: the indexer's first state
        watermarks.start()
        _caught_up(watermarks.samples, 0)
        searches.start()
    positions.start()
    if not args.no_follower:  # its key filter loaded and a first position saved
        _caught_up(positions.samples, 0, timeout_s=900)
    follower_pid = processes[-1].pid if not args.no_follower else None
    backends = [_backends(d) if follower_pid else [] for d in (registry_dsn, app_dsn)]
    cpu_before = cpu_seconds([follower_pid] if follower_pid else [])
    backend_before = [cpu_seconds(pids) for pids in backends]
    started = time.time()
    commits = _stream(args, registry_dsn)
    elapsed = time.time() - started
    last = max(lsn_to_int(c.lsn) for c in commits)
    if follower_pid:
        _caught_up(positions.samples, last)
    if args.indexer:
        _caught_up(watermarks.samples, last)
    cpu = cpu_seconds([follower_pid] if follower_pid else []) - cpu_before
    backend_cpu = [cpu_seconds(p) - b for p, b in zip(backends, backend_before, strict=True)]
    for thread in (positions, watermarks, searches):
        thread.stop.set()
    stream: dict[str, Any] = {"target_rate_per_s": args.rate, "changes": len(commits),
                              "achieved_rate_per_s": round(len(commits) / elapsed, 1)}
    if follower_pid:
        stream.update(follower_cpu_s=round(cpu, 2),
                      follower_cpu_ms_per_change=round(cpu * 1000 / len(commits), 3),
                      registry_backend_cpu_ms_per_change=round(
                          backend_cpu[0] * 1000 / len(commits), 3),
                      service_backend_cpu_ms_per_change=round(
                          backend_cpu[1] * 1000 / len(commits), 3),
                      **_latencies(app_dsn, commits, positions))
    if args.indexer:
        stream.update(_side(commits, watermarks, searches))
    result["stream"] = stream


if __name__ == "__main__":
    main()
