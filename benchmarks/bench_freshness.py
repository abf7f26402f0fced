"""Commit-to-searchable latency under a sustained stream of registry changes.

    set -a; . benchmarks/bench.env; set +a
    .venv/bin/python -m benchmarks.bench_freshness --rates 100 500 --seconds 60

Needs the benchmark indexer running (``python -m benchmarks.corpus`` leaves it running).
The simulator writes registrations, amendments and deletions, one transaction each, at
each rate, from ``--writers`` processes (a registration system's several connections; as
threads of one process they shared one interpreter lock and fell short of 500 a second
on this machine: 450.8/s once). Two measures per change:

* watermark: the first time the indexer's saved watermark (``checked_upto_lsn``, saved
  only after Elasticsearch refreshed) reaches the registry position read just after the
  commit: this is "registry current as of", what certificates rely on;
* probe (every 20th new registration): an independent poll of Elasticsearch for the
  registration's number, until it is found (one search a round for all awaited).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import threading
import time
from collections.abc import Iterator
from multiprocessing.synchronize import Event as ProcessEvent
from typing import Any

import psycopg
from elasticsearch import Elasticsearch

from benchmarks.stats import percentile
from core.settings import get_settings
from indexer import state
from indexer.lsn import lsn_to_int
from normalizers.identifiers import identifier_form
from registry.simulator import Commit, simulate
from registry.synthetic.generator import iter_registrations


def _fresh_registrations(run: str, seed: int) -> Iterator[dict[str, Any]]:
    for i, registration in enumerate(iter_registrations(count=10_000_000, seed=seed)):
        registration["registration_number"] = f"F{run}-{i:09d}"
        yield registration


class Watermarks(threading.Thread):
    def __init__(self, es: Elasticsearch, slot: str) -> None:
        super().__init__(daemon=True)
        self.es, self.slot = es, slot
        self.samples: list[tuple[float, int]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            current = state.load(self.es, self.slot)
            if current is not None:
                self.samples.append((time.time(), current.checked_upto_lsn_int))
            time.sleep(0.01)

    def first_at_or_after(self, lsn: int, since: float) -> float | None:
        for at, seen in self.samples:
            if at >= since and seen >= lsn:
                return at
        return None


class Probe(threading.Thread):
    def __init__(self, es: Elasticsearch, alias: str) -> None:
        super().__init__(daemon=True)
        self.es, self.alias = es, alias
        self.pending: list[Commit] = []
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.stop = threading.Event()

    def add(self, commit: Commit) -> None:
        with self.lock:
            self.pending.append(commit)

    def run(self) -> None:
        # One search a round for every registration still awaited: a count request each
        # put hundreds of requests a second on Elasticsearch at 500 changes a second,
        # load that the index under measurement had to serve as well.
        while not self.stop.is_set() or self.pending:
            with self.lock:
                awaited = {identifier_form(c.registration_number): c for c in self.pending}
            if awaited:
                found = self.es.search(
                    index=self.alias, query={"terms": {"registration_key": list(awaited)}},
                    size=len(awaited), source_includes=["registration_key"],
                    filter_path=["hits.hits._source"])
                seen_at = time.time()
                for hit in found.get("hits", {}).get("hits", []):
                    commit = awaited.pop(hit["_source"]["registration_key"], None)
                    if commit is not None:
                        self.latencies.append(seen_at - commit.committed_at)
                        with self.lock:
                            self.pending.remove(commit)
            time.sleep(0.01)


def _writer(n: int, rate: int, seconds: int, run: str, writers: int, dsn: str,
            ready: Any, go: ProcessEvent, commits: Any) -> None:
    """One writer process: its share of the rate on a connection of its own; every commit
    is put on ``commits`` as it happens, then None."""
    try:
        registrations = _fresh_registrations(f"{run}w{n}", seed=rate + n)
        with psycopg.connect(dsn) as conn:
            ready.put(n)
            go.wait()
            simulate(conn, registrations, changes=rate * seconds // writers,
                     rate_per_s=rate / writers, seed=rate + n, on_commit=commits.put)
    finally:
        commits.put(None)


def run_rate(rate: int, seconds: int, run: str, writers: int) -> dict[str, Any]:
    settings = get_settings()
    es = Elasticsearch(settings.es_url, request_timeout=30)
    watermarks = Watermarks(es, settings.replication_slot)
    probe = Probe(es, settings.index_alias)
    watermarks.start()
    probe.start()
    registrations = 0

    def on_commit(commit: Commit) -> None:
        nonlocal registrations
        if commit.change == "registration":
            registrations += 1
            if registrations % 20 == 0:
                probe.add(commit)

    commits: list[Commit] = []
    context = multiprocessing.get_context("spawn")  # this process runs threads already
    ready, queue, go = context.Queue(), context.Queue(), context.Event()
    processes = [context.Process(target=_writer, args=(
        n, rate, seconds, run, writers, settings.pg_dsn, ready, go, queue), daemon=True)
        for n in range(writers)]
    for process in processes:
        process.start()
    for _ in processes:  # every writer connected, before the clock starts
        ready.get(timeout=120)
    started = time.time()
    go.set()
    finished = 0
    while finished < writers:
        commit = queue.get(timeout=600)
        if commit is None:
            finished += 1
            continue
        commits.append(commit)
        on_commit(commit)
    elapsed = time.time() - started
    for process in processes:
        process.join(timeout=30)
    failed = [p.exitcode for p in processes if p.exitcode != 0]
    if failed or not commits:
        raise SystemExit(f"bench_freshness: a writer process failed (exit codes {failed})")
    commits.sort(key=lambda c: c.committed_at)
    deadline = time.time() + 120
    last_lsn = lsn_to_int(commits[-1].lsn)
    while time.time() < deadline and (
            not watermarks.samples or watermarks.samples[-1][1] < last_lsn or probe.pending):
        time.sleep(0.05)
    watermarks.stop.set()
    probe.stop.set()
    probe.join(timeout=10)
    latencies = []
    missing = 0
    for commit in commits:
        seen = watermarks.first_at_or_after(lsn_to_int(commit.lsn), commit.committed_at)
        if seen is None:
            missing += 1
        else:
            latencies.append(seen - commit.committed_at)
    return {
        "target_rate_per_s": rate, "writers": writers, "changes": len(commits),
        "achieved_rate_per_s": round(len(commits) / elapsed, 1),
        "mix": {kind: sum(1 for c in commits if c.change == kind)
                for kind in ("registration", "amendment", "deletion")},
        "watermark_p50_ms": round(statistics.median(latencies) * 1000),
        "watermark_p99_ms": round(percentile(latencies, 0.99) * 1000),
        "watermark_max_ms": round(max(latencies) * 1000),
        "not_seen": missing,
        "probe_samples": len(probe.latencies),
        "probe_p50_ms": round(statistics.median(probe.latencies) * 1000)
        if probe.latencies else None,
        "probe_p99_ms": round(percentile(probe.latencies, 0.99) * 1000)
        if probe.latencies else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="commit-to-searchable latency")
    parser.add_argument("--rates", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--writers", type=int, default=4,
                        help="writer processes (registry connections) at the same time")
    args = parser.parse_args()
    run = time.strftime("%H%M%S")
    for rate in args.rates:
        print(json.dumps(run_rate(rate, args.seconds, f"{run}{rate}", args.writers)), flush=True)


if __name__ == "__main__":
    main()
