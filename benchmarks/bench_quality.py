"""Matching quality at scale: the engine (over HTTP) against three baselines, same queries.

    set -a; . benchmarks/bench.env; set +a
    .venv/bin/regsearch api &                     # the API on the benchmark profile
    .venv/bin/python -m benchmarks.bench_quality  # --skip-baseline-build on reruns

Registrations are sampled (seeded) from the corpus file, per group: debtor names of
individuals and of organisations, personal id numbers, tax codes, branch tax codes, chassis,
engine and plate numbers, registration numbers. ``benchmarks.quality.variants.variants_for``
turns each sampled value into queries of every variant class, each with the tier the matching
contract promises (``none`` for negatives). Every query goes to

* **ours**: ``POST /v1/search`` with ``include_deleted: true`` (deleted targets count too), the
  whole exact tier (paged with ``exact_offset``/``exact_limit``) and the close tier as shown;
* **(a) simple**: exact equality after lower case / no diacritics / collapsed white space
  (identifier form for numbers), in memory;
* **(b) ES fuzzy**: ``match`` with ``fuzziness: AUTO`` on the standard analyzer, top 50;
* **(c) BC PPR**: British Columbia's exact and similar rules (pg_trgm and the serial key).

For the queries of exact classes, the exact tier is also checked against a ground truth
computed from the corpus file without Elasticsearch (``benchmarks.exact_truth``).
Prints markdown tables and writes JSON (``.state/bench-quality.json``).

At 10,000,000 registrations (issue 23) there is no corpus file and the in-memory ground
truth would need ≈ 19 GB: the queries are drawn (same seed, same classes) from the sample
file of ``benchmarks.corpus_sample`` and ``--truth-from-registry`` computes the ground truth
from the whole registry (``--pg-dsn``), read in blocks of ``--truth-block`` registrations
(``benchmarks.quality.streamed_truth``); ours only:

    set -a; . benchmarks/bench10m.env; set +a; export REGSEARCH_ENV=development
    REGSEARCH_READY_MAX_LAG_S=1e9 .venv/bin/regsearch api &     # port 8270
    .venv/bin/python -m benchmarks.bench_quality --systems ours --truth-from-registry \\
        --corpus .state/corpus-sample-10000000-2026.jsonl --api-url http://127.0.0.1:8270 \\
        --out .state/bench-quality-10m.json
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Final, Protocol

import httpx
import orjson
from elasticsearch import Elasticsearch

from benchmarks.baselines import bc_ppr, corpus, es_fuzzy, simple
from benchmarks.exact_truth import ExactTruth
from benchmarks.quality.answers import (
    Answer,
    ask_bc,
    ask_es,
    ask_ours,
    ask_simple,
    count_default,
    run_parallel,
)
from benchmarks.quality.checks import check_truth, diagnose, misses_of
from benchmarks.quality.report import (
    SYSTEMS,
    group_totals,
    is_three_word_name,
    render,
    summarise,
    three_word_names,
)
from benchmarks.quality.sampling import Query, Reservoirs, make_queries
from benchmarks.quality.streamed_truth import DEFAULT_BLOCK, check_truth_streamed

STATE: Final = Path(".state")


# --- machine -------------------------------------------------------------------------------

def machine() -> dict[str, Any]:
    model = ""
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    for line in lscpu.splitlines():
        if line.startswith("Model name"):
            model = line.split(":", 1)[1].strip()
    memory_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory_kb = int(line.split()[1])
    return {"cpu": model, "cores": os.cpu_count(), "ram_gb": round(memory_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "load_average": os.getloadavg()}


# --- main ----------------------------------------------------------------------------------

class _Index(Protocol):
    def add(self, index: int, registration: corpus.Registration) -> None: ...


def _scan(path: Path, reservoirs: Reservoirs, indexes: Sequence[_Index]
          ) -> list[corpus.Registration]:
    registrations: list[corpus.Registration] = []
    for index, registration in enumerate(corpus.read(path)):
        registrations.append(registration)
        reservoirs.add(index, registration)
        for built in indexes:
            built.add(index, registration)
    return registrations


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=STATE / "corpus-1000000-2026.jsonl")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--per-group", type=int, default=200,
                        help="registrations sampled per group")
    parser.add_argument("--api-url", default=os.environ.get("BENCH_API_URL",
                                                             "http://127.0.0.1:8100"))
    parser.add_argument("--api-key", default=os.environ.get("REGSEARCH_API_KEY"))
    parser.add_argument("--concurrency", type=int, default=4, help="parallel API requests")
    parser.add_argument("--es-url", default=os.environ.get("REGSEARCH_ES_URL",
                                                            "http://127.0.0.1:9200"))
    parser.add_argument("--pg-dsn", default=os.environ.get(
        "REGSEARCH_PG_DSN", "postgresql://regsearch@127.0.0.1:5432/registry_bench"),
        help="the benchmark registry (read for the ground truth's delta, or the whole "
             "ground truth with --truth-from-registry); baseline_bench is "
             "created next to it")
    parser.add_argument("--skip-baseline-build", action="store_true",
                        help="reuse baseline-fuzzy and baseline_bench when complete")
    parser.add_argument("--rebuild-baselines", action="store_true")
    parser.add_argument("--systems", default=",".join(SYSTEMS),
                        help="comma-separated subset of " + ",".join(SYSTEMS))
    parser.add_argument("--truth-limit", type=int, default=0,
                        help="check at most this many exact queries against the ground truth "
                             "(0: all)")
    parser.add_argument("--truth-from-registry", action="store_true",
                        help="the ground truth from the whole registry (--pg-dsn), streamed in "
                             "blocks, not from --corpus: a sample file of a registry too large "
                             "for a corpus file in memory (10M); ours only")
    parser.add_argument("--truth-block", type=int, default=DEFAULT_BLOCK,
                        help="registrations a block with --truth-from-registry")
    parser.add_argument("--diagnose-limit", type=int, default=2000,
                        help="re-run at most this many of ours' misses in-process to say why")
    parser.add_argument("--out", type=Path, default=STATE / "bench-quality.json")
    parser.add_argument("--render-only", action="store_true",
                        help="print the tables of the saved JSON (--out) and stop")
    args = parser.parse_args(argv)
    if args.truth_from_registry and args.systems != "ours":
        parser.error("--truth-from-registry: --systems ours only (the baselines would search "
                     "the sample file, not the registry)")
    return args


def _build_baselines(args: argparse.Namespace, systems: Sequence[str], es: Elasticsearch,
                     bc_index: bc_ppr.BCIndex, registrations: list[corpus.Registration],
                     timings: dict[str, float]) -> None:
    """Load the ES fuzzy and BC PPR baselines (unless reused)."""
    if "es_fuzzy" in systems:
        started = time.monotonic()
        if args.rebuild_baselines or not (args.skip_baseline_build
                                          and es_fuzzy.index_ready(es, len(registrations))):
            loaded = es_fuzzy.build(es, registrations)
            print(f"baseline-fuzzy: {loaded} documents loaded", file=sys.stderr, flush=True)
        timings["build_es_fuzzy_s"] = time.monotonic() - started
    if "bc" in systems:
        started = time.monotonic()
        bc_index.load_database(args.pg_dsn, rebuild=args.rebuild_baselines
                               or not args.skip_baseline_build)
        bc_index.connect(args.pg_dsn)
        timings["build_bc_s"] = time.monotonic() - started


def _check_ours(report: dict[str, Any], args: argparse.Namespace, queries: Sequence[Query],
                ours: list[Answer], numbers: Sequence[str], default_counts: dict[int, int],
                truth: ExactTruth | None, registrations: list[corpus.Registration],
                es: Elasticsearch, timings: dict[str, float]) -> None:
    """Ours beyond the tables: three-word names, the exact tier against the ground truth,
    errors, misses and why."""
    report["three_word_names"] = three_word_names(queries, ours, default_counts)
    started = time.monotonic()
    if truth is None:  # --truth-from-registry
        report["exact_truth"] = check_truth_streamed(queries, ours, args.pg_dsn,
                                                     args.truth_limit, args.truth_block)
    else:
        report["exact_truth"] = check_truth(queries, ours, truth, registrations,
                                            args.truth_limit, args.pg_dsn)
    timings["exact_truth_s"] = time.monotonic() - started
    report["ours_errors"] = [{"query": q.text, "criterion": q.criterion,
                              "error": ours[q.qid].error}
                             for q in queries if ours[q.qid].error][:50]
    report["ours_misses"] = misses_of(queries, ours, numbers)
    started = time.monotonic()
    report["ours_miss_reasons"] = diagnose(
        report["ours_misses"], es, os.environ.get("REGSEARCH_INDEX_ALIAS",
                                                  "bench-registrations"), args.diagnose_limit)
    timings["diagnose_s"] = time.monotonic() - started


def _ask_baselines(systems: Sequence[str], queries: Sequence[Query], es: Elasticsearch,
                   bc_index: bc_ppr.BCIndex, timings: dict[str, float]
                   ) -> dict[str, list[Answer]]:
    """(b) works in Elasticsearch and (c) in PostgreSQL: run side by side."""
    def timed(label: str, work: Callable[[], list[Answer]]) -> list[Answer]:
        began = time.monotonic()
        result = work()
        timings[f"{label}_s"] = time.monotonic() - began
        return result

    with ThreadPoolExecutor(max_workers=2) as pool:
        pending: dict[str, Future[list[Answer]]] = {}
        if "es_fuzzy" in systems:
            pending["es_fuzzy"] = pool.submit(timed, "es_fuzzy", lambda: run_parallel(
                lambda q: ask_es(es, q), queries, 2, "es_fuzzy"))
        if "bc" in systems:
            pending["bc"] = pool.submit(timed, "bc", lambda: [ask_bc(bc_index, q)
                                                               for q in queries])
        return {system: future.result() for system, future in pending.items()}


def main(argv: Sequence[str] | None = None) -> None:
    args = _arguments(argv)
    if args.render_only:
        print(render(orjson.loads(args.out.read_bytes())))
        return
    systems = [s for s in args.systems.split(",") if s]
    timings: dict[str, float] = {}
    report: dict[str, Any] = {"command": " ".join(["python -m benchmarks.bench_quality",
                                                   *(argv if argv is not None else sys.argv[1:])]),
                              "machine_at_start": machine(), "seed": args.seed,
                              "per_group": args.per_group}

    started = time.monotonic()
    reservoirs = Reservoirs(args.per_group, args.seed)
    simple_index, bc_index = simple.SimpleIndex(), bc_ppr.BCIndex()
    truth = None if args.truth_from_registry else ExactTruth()
    indexes: list[_Index] = [index for system, index in (
        ("simple", simple_index), ("bc", bc_index), ("ours", truth))
        if system in systems and index is not None]
    registrations = _scan(args.corpus, reservoirs, indexes)
    if truth is not None:
        truth.freeze()
    timings["scan_corpus_s"] = time.monotonic() - started
    report["corpus"] = {"file": str(args.corpus), "registrations": len(registrations),
                        "deleted": sum(r.status == "deleted" for r in registrations)}
    print(f"corpus: {len(registrations)} registrations scanned in "
          f"{timings['scan_corpus_s']:.0f}s", file=sys.stderr, flush=True)

    es = Elasticsearch(args.es_url, request_timeout=120)
    _build_baselines(args, systems, es, bc_index, registrations, timings)

    queries = make_queries(reservoirs, args.seed)
    report["queries"] = len(queries)
    report["samples"] = {g: len(s) for g, s in reservoirs.samples.items()}
    print(f"{len(queries)} queries from {sum(report['samples'].values())} samples",
          file=sys.stderr, flush=True)
    numbers = [registrations[q.target].number for q in queries]
    answers: dict[str, list[Answer]] = {}

    default_counts: dict[int, int] = {}
    if "ours" in systems:
        headers = {"x-api-key": args.api_key} if args.api_key else {}
        with httpx.Client(base_url=args.api_url, timeout=120, headers=headers,
                          limits=httpx.Limits(max_connections=args.concurrency)) as client:
            ready = client.get("/readyz").json()
            report["api_readyz_at_start"] = ready
            started = time.monotonic()
            answers["ours"] = run_parallel(
                lambda q: ask_ours(client, q, numbers[q.qid]), queries, args.concurrency,
                "ours")
            timings["ours_s"] = time.monotonic() - started
            three = [q for q in queries if is_three_word_name(q)]
            default_counts = dict(zip([q.qid for q in three], run_parallel(
                lambda q: count_default(client, q), three, args.concurrency, "default"),
                strict=True))
    if "simple" in systems:
        started = time.monotonic()
        answers["simple"] = [ask_simple(simple_index, q) for q in queries]
        timings["simple_s"] = time.monotonic() - started
    answers.update(_ask_baselines(systems, queries, es, bc_index, timings))

    rows = summarise(queries, answers)
    report["classes"] = rows
    report["groups"] = group_totals(rows)
    if "ours" in answers:
        _check_ours(report, args, queries, answers["ours"], numbers, default_counts, truth,
                    registrations, es, timings)
    report["timings_s"] = {k: round(v, 1) for k, v in timings.items()}
    report["machine_at_end"] = machine()
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
    print(render(report))


if __name__ == "__main__":
    main()
