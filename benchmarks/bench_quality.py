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
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final, TypeVar

import httpx
import orjson
from elasticsearch import Elasticsearch

from benchmarks.baselines import bc_ppr, corpus, es_fuzzy, simple
from benchmarks.exact_truth import ExactTruth, registry_delta
from benchmarks.quality.variants import variants_for

STATE: Final = Path(".state")
T = TypeVar("T")
R = TypeVar("R")

#: group → (criterion, party type sent with debtor-name queries)
GROUPS: Final[dict[str, tuple[str, str | None]]] = {
    "name_individual": ("debtor_name", "individual"),
    "name_organization": ("debtor_name", "organization"),
    "id_personal": ("id_number", None),
    "id_tax": ("id_number", None),
    "id_tax_branch": ("id_number", None),
    "chassis": ("chassis_number", None),
    "engine": ("engine_number", None),
    "plate": ("plate_number", None),
    "registration_number": ("registration_number", None),
}
SYSTEMS: Final = ("ours", "simple", "es_fuzzy", "bc")
_WORDS: Final = re.compile(r"[^\W_]+")


# --- sampling ------------------------------------------------------------------------------

@dataclass
class Sample:
    group: str
    index: int
    value: str
    party_type: str | None


class Reservoirs:
    """One seeded reservoir sample (algorithm R) per group."""

    def __init__(self, size: int, seed: int) -> None:
        self.size = size
        self.rng = random.Random(seed)
        self.seen: defaultdict[str, int] = defaultdict(int)
        self.samples: defaultdict[str, list[Sample]] = defaultdict(list)

    def offer(self, sample: Sample) -> None:
        group = sample.group
        self.seen[group] += 1
        kept = self.samples[group]
        if len(kept) < self.size:
            kept.append(sample)
            return
        slot = self.rng.randrange(self.seen[group])
        if slot < self.size:
            kept[slot] = sample

    def add(self, index: int, registration: corpus.Registration) -> None:
        for party in registration.grantors:
            if party.name and party.party_type in ("individual", "organization"):
                self.offer(Sample(f"name_{party.party_type}", index, party.name,
                                  party.party_type))
            if party.id_number:
                if party.id_type == "tax_code":
                    digits = sum(ch.isdigit() for ch in party.id_number)
                    group = "id_tax_branch" if digits == 13 else "id_tax"
                else:
                    group = "id_personal"
                self.offer(Sample(group, index, party.id_number, None))
        for group, criterion in (("chassis", "chassis_number"), ("engine", "engine_number"),
                                 ("plate", "plate_number")):
            for value in corpus.serial_values(registration, criterion):
                self.offer(Sample(group, index, value, None))
        self.offer(Sample("registration_number", index, registration.number, None))


# --- queries -------------------------------------------------------------------------------

@dataclass
class Query:
    qid: int
    group: str
    criterion: str
    party_type: str | None
    target: int
    registered: str
    variant_class: str
    expected: str  # exact | close | none
    text: str


def make_queries(reservoirs: Reservoirs, seed: int) -> list[Query]:
    queries: list[Query] = []
    for group, (criterion, party_type) in GROUPS.items():
        for k, sample in enumerate(reservoirs.samples.get(group, [])):
            rng = random.Random(f"{seed}/{group}/{k}")
            for variant in variants_for(criterion, sample.value, party_type, rng):
                queries.append(Query(len(queries), group, criterion, party_type, sample.index,
                                     sample.value, variant.variant_class,
                                     variant.expected_tier or "none", variant.query))
    return queries


# --- answers -------------------------------------------------------------------------------

@dataclass
class Answer:
    """One system's answer, reduced to what the report needs."""

    target_tier: str | None  # exact | close | any (untiered) | None
    counts: dict[str, int]  # per tier, as returned
    rank: int | None = None  # target's position within its tier
    tied_first: bool = False  # target's score equals the best score of its tier
    exact: list[str] | None = None  # ours: registration numbers of the whole exact tier
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _body(query: Query, offset: int, limit: int, close_offset: int = 0,
          close_limit: int | None = None, include_deleted: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {query.criterion: query.text, "include_deleted": include_deleted,
                            "exact_offset": offset, "exact_limit": limit}
    if close_offset or close_limit:
        body.update(close_offset=close_offset, close_limit=close_limit or 50)
    if query.party_type is not None:
        body["party_type"] = query.party_type
    return body


def _numbers_scores(results: list[dict[str, Any]]) -> list[tuple[str, float]]:
    return [(r["registration"]["registration_number"], float(r["score"])) for r in results]


def ask_ours(client: httpx.Client, query: Query, target_number: str,
             page: int = 1000, max_pages: int = 50) -> Answer:
    """The whole exact tier, the close tier's first page (as a searcher sees it), and, when
    the target is not there, the rest of the close tier paged with ``close_offset``."""
    exact: list[tuple[str, float]] = []
    close: list[tuple[str, float]] = []
    close_count = close_left_out = exact_count = 0
    started = time.perf_counter()
    for page_number in range(max_pages):
        response = client.post("/v1/search", json=_body(query, page_number * page, page))
        if response.status_code != 200:
            return Answer(None, {"exact": 0, "close": 0},
                          error=f"HTTP {response.status_code}: {response.text[:200]}")
        data = orjson.loads(response.content)
        exact_count = int(data["exact"]["count"])
        exact += _numbers_scores(data["exact"]["results"])
        if page_number == 0:
            close = _numbers_scores(data["close"]["results"])
            close_count = int(data["close"]["count"])
            close_left_out = int(data["close"]["left_out"])
        if len(exact) >= exact_count or not data["exact"]["results"]:
            break
    first_page = len(close)
    numbers = {n for n, _ in exact} | {n for n, _ in close}
    while target_number not in numbers and len(close) < close_count:
        response = client.post("/v1/search", json=_body(
            query, 0, 1, close_offset=len(close), close_limit=1000))
        if response.status_code != 200:
            break
        more = _numbers_scores(orjson.loads(response.content)["close"]["results"])
        if not more:
            break
        close += more
        numbers |= {n for n, _ in more}
    elapsed = time.perf_counter() - started
    answer = Answer(None, {"exact": exact_count, "close": first_page},
                    exact=[n for n, _ in exact],
                    extra={"close_count": close_count, "close_left_out": close_left_out,
                           "seconds": round(elapsed, 4)})
    for tier, results in (("exact", exact), ("close", close)):
        for position, (number, score) in enumerate(results):
            if number == target_number:
                answer.target_tier, answer.rank = tier, position
                answer.tied_first = score >= results[0][1]
                answer.extra["first_page"] = tier == "exact" or position < first_page
                return answer
    return answer


def count_default(client: httpx.Client, query: Query) -> int:
    """Results a searcher gets with the default options (in force only, close tier capped):
    the exact count plus the close matches shown."""
    response = client.post("/v1/search", json=_body(query, 0, 1, include_deleted=False))
    if response.status_code != 200:
        return -1
    data = orjson.loads(response.content)
    return int(data["exact"]["count"]) + int(data["close"]["shown"])


def ask_simple(index: simple.SimpleIndex, query: Query) -> Answer:
    found = index.search(query.criterion, query.text)
    return Answer("exact" if query.target in found else None, {"exact": len(found)})


def ask_es(es: Elasticsearch, query: Query) -> Answer:
    try:
        top, total = es_fuzzy.search(es, query.criterion, query.text)
    except Exception as exc:  # a failed baseline query is reported, not fatal
        return Answer(None, {"any": 0}, error=str(exc)[:200])
    found = query.target in top
    return Answer("any" if found else None, {"any": len(top)},
                  rank=top.index(query.target) if found else None,
                  extra={"total_hits": total})


def ask_bc(index: bc_ppr.BCIndex, query: Query) -> Answer:
    result = index.search(query.criterion, query.text, query.party_type)
    tier = "exact" if query.target in result.exact else (
        "close" if query.target in result.similar else None)
    return Answer(tier, {"exact": len(result.exact), "close": len(result.similar)},
                  extra={"total": result.total})


def run_parallel(function: Callable[[T], R], items: Sequence[T], workers: int,
                 label: str) -> list[R]:
    started = time.monotonic()
    out: list[R] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done, result in enumerate(pool.map(function, items), 1):
            out.append(result)
            if done % 2000 == 0:
                print(f"  {label}: {done}/{len(items)} in {time.monotonic() - started:.0f}s",
                      file=sys.stderr, flush=True)
    return out


# --- report --------------------------------------------------------------------------------

def _pct(part: int, whole: int) -> str:
    return "–" if whole == 0 else f"{100.0 * part / whole:.1f}"


def _quantiles(values: Sequence[int]) -> tuple[float, float]:
    if not values:
        return (0.0, 0.0)
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (float(statistics.median(ordered)), float(p95))


def _expected_tier_for(system: str, expected: str) -> str:
    return "any" if system == "es_fuzzy" else expected


def summarise(queries: Sequence[Query], answers: dict[str, list[Answer]]
              ) -> list[dict[str, Any]]:
    """One row per (group, variant class): per system found / right tier / wrong tier and
    the results returned."""
    buckets: defaultdict[tuple[str, str, str], list[int]] = defaultdict(list)
    for query in queries:
        buckets[(query.group, query.variant_class, query.expected)].append(query.qid)
    rows: list[dict[str, Any]] = []
    for (group, variant_class, expected), qids in buckets.items():
        row: dict[str, Any] = {"group": group, "class": variant_class, "expected": expected,
                               "n": len(qids)}
        for system in SYSTEMS:
            if system not in answers:
                continue
            given = [answers[system][q] for q in qids]
            found = sum(a.target_tier is not None for a in given)
            wanted = _expected_tier_for(system, expected)
            right = sum(a.target_tier == wanted for a in given) if expected != "none" else 0
            stats: dict[str, Any] = {"found": found, "right_tier": right,
                                     "wrong_tier": found - right if expected != "none" else 0,
                                     "errors": sum(a.error is not None for a in given)}
            for tier in sorted({t for a in given for t in a.counts}):
                median, p95 = _quantiles([a.counts.get(tier, 0) for a in given])
                stats[f"returned_{tier}_median"] = median
                stats[f"returned_{tier}_p95"] = p95
            if system == "es_fuzzy":
                stats["total_hits_median"], stats["total_hits_p95"] = _quantiles(
                    [int(a.extra.get("total_hits", 0)) for a in given])
            if system == "ours":
                stats["close_left_out_queries"] = sum(
                    int(a.extra.get("close_left_out", 0)) > 0 for a in given)
                stats["right_tier_first_page"] = sum(
                    a.target_tier == wanted and bool(a.extra.get("first_page"))
                    for a in given) if expected != "none" else 0
            row[system] = stats
        rows.append(row)
    order = list(GROUPS)
    rows.sort(key=lambda r: (order.index(r["group"]), ["exact", "close", "none"].index(
        r["expected"]), r["class"]))
    return rows


def is_three_word_name(query: Query) -> bool:
    return (query.group == "name_individual" and query.expected in ("exact", "close")
            and len(_WORDS.findall(query.text)) == 3
            and len(_WORDS.findall(query.registered)) == 3)


def three_word_names(queries: Sequence[Query], ours: Sequence[Answer],
                     default_counts: dict[int, int]) -> dict[str, Any]:
    """Full three-word individual-name queries: results per query, target ranked first.

    *Results* is what a searcher gets with the default options (registrations in force,
    close tier capped): the exact count plus the close matches shown. *All matches* counts
    deleted registrations and the whole close tier. *Target first*: no result of its tier
    ranks above it (strict: it is the first one; with ties: its score is the tier's best,
    registrations with equal scores being ordered newest first by the contract)."""
    out: dict[str, Any] = {}
    for label, tiers in (("exact classes", ("exact",)), ("close classes", ("close",)),
                         ("all", ("exact", "close"))):
        picked = [(q, ours[q.qid]) for q in queries
                  if q.expected in tiers and is_three_word_name(q)]
        shown = [default_counts[q.qid] for q, _ in picked if default_counts.get(q.qid, -1) >= 0]
        every = [a.counts.get("exact", 0) + int(a.extra.get("close_count", 0)) for _, a in picked]
        median, p95 = _quantiles(shown)
        all_median, all_p95 = _quantiles(every)
        out[label] = {
            "queries": len(picked), "results_median": median, "results_p95": p95,
            "all_matches_median": all_median, "all_matches_p95": all_p95,
            "target_first_strict_pct": _pct(sum(a.rank == 0 for _, a in picked), len(picked)),
            "target_first_with_ties_pct": _pct(
                sum(a.target_tier is not None and a.tied_first for _, a in picked), len(picked)),
            "target_found_pct": _pct(sum(a.target_tier is not None for _, a in picked),
                                     len(picked)),
        }
    return out


def _cell(stats: dict[str, Any] | None, expected: str, n: int, key: str) -> str:
    if stats is None:
        return "–"
    if expected == "none":
        return _pct(stats["found"], n)
    return _pct(stats[key], n)


def markdown(rows: Sequence[dict[str, Any]]) -> str:
    lines = [
        "Recall (exact and close classes) is the % of queries whose target is in the promised "
        "tier (ours: the whole tier, the close tier paged with `close_offset`; *on the first "
        "page*: within the exact tier or the first 50 close matches); for negatives (`none`) "
        "the column shows the false-match % (target in any tier). "
        "*wrong* = target found but in the other tier. (a) has only an exact tier; (b) has no "
        "tiers (target in its top 50).",
        "",
        "| group | class | tier | n | ours | ours on the first page | ours wrong "
        "| (a) simple found | (b) ES fuzzy top 50 | (c) BC right tier | (c) BC wrong |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        n, expected = row["n"], row["expected"]
        ours, bc = row.get("ours"), row.get("bc")
        lines.append("| " + " | ".join([
            row["group"], row["class"], expected, str(n),
            _cell(ours, expected, n, "right_tier"),
            "–" if ours is None or expected == "none" else _pct(
                ours.get("right_tier_first_page", 0), n),
            "–" if ours is None or expected == "none" else _pct(ours["wrong_tier"], n),
            _cell(row.get("simple"), expected, n, "found"),
            _cell(row.get("es_fuzzy"), expected, n, "right_tier"),
            _cell(bc, expected, n, "right_tier"),
            "–" if bc is None or expected == "none" else _pct(bc["wrong_tier"], n),
        ]) + " |")
    return "\n".join(lines)


def _returned(stats: dict[str, Any] | None, *tiers: str) -> str:
    if stats is None:
        return "–"
    parts = []
    for tier in tiers:
        median = stats.get(f"returned_{tier}_median")
        if median is not None:
            parts.append(f"{median:g}/{stats[f'returned_{tier}_p95']:g}")
    return " · ".join(parts) or "–"


def markdown_returned(rows: Sequence[dict[str, Any]]) -> str:
    lines = [
        "Results returned per query, median/p95 (ours and (c): exact · close; ours' exact "
        "count is the true count, its close tier is capped at 50; (b): top-50 size · total "
        "hits; (c) is capped at 1,000 in all).",
        "",
        "| group | class | tier | ours exact · close | (a) simple | (b) ES top 50 · total "
        "| (c) BC exact · similar |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        es = row.get("es_fuzzy")
        es_cell = "–" if es is None else (
            f"{es['returned_any_median']:g}/{es['returned_any_p95']:g} · "
            f"{es['total_hits_median']:g}/{es['total_hits_p95']:g}")
        lines.append("| " + " | ".join([
            row["group"], row["class"], row["expected"],
            _returned(row.get("ours"), "exact", "close"), _returned(row.get("simple"), "exact"),
            es_cell, _returned(row.get("bc"), "exact", "close"),
        ]) + " |")
    return "\n".join(lines)


def group_totals(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per group and promised tier: the same measures summed over variant classes."""
    totals: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["group"], row["expected"])
        total = totals.setdefault(key, {"group": row["group"], "class": "(all)",
                                        "expected": row["expected"], "n": 0})
        total["n"] += row["n"]
        for system in SYSTEMS:
            if system in row:
                mine = total.setdefault(system, {"found": 0, "right_tier": 0, "wrong_tier": 0,
                                                 "right_tier_first_page": 0})
                for measure in ("found", "right_tier", "wrong_tier", "right_tier_first_page"):
                    mine[measure] += row[system].get(measure, 0)
    return list(totals.values())


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

def _scan(path: Path, reservoirs: Reservoirs, simple_index: simple.SimpleIndex,
          bc_index: bc_ppr.BCIndex, truth: ExactTruth) -> list[corpus.Registration]:
    registrations: list[corpus.Registration] = []
    for index, registration in enumerate(corpus.read(path)):
        registrations.append(registration)
        reservoirs.add(index, registration)
        simple_index.add(index, registration)
        bc_index.add(index, registration)
        truth.add(index, registration)
    truth.freeze()
    return registrations


def check_truth(queries: Sequence[Query], ours: Sequence[Answer], truth: ExactTruth,
                registrations: list[corpus.Registration], limit: int, registry_dsn: str
                ) -> dict[str, Any]:
    """The exact tier against the independent ground truth, for exact-class queries: the
    corpus file, plus what the registry wrote or changed after loading it."""
    delta = registry_delta(registry_dsn, registrations[-1].number)
    positions = {r.number: i for i, r in enumerate(registrations)}
    extended = list(registrations)
    delta_truth = ExactTruth()
    changed = 0
    for registration in delta:
        position = positions.get(registration.number)
        if position is None:
            position = len(extended)
            extended.append(registration)
        else:
            extended[position] = registration
            changed += 1
        delta_truth.add(position, registration)
    delta_truth.freeze()
    picked = [q for q in queries if q.expected == "exact" and ours[q.qid].error is None]
    if limit and len(picked) > limit:
        picked = random.Random(0).sample(picked, limit)
    misses: list[dict[str, Any]] = []
    extras: list[dict[str, Any]] = []
    unbounded = 0
    exact_total = 0
    started = time.monotonic()
    for query in picked:
        expected = truth.exact_set(query.criterion, query.text, query.party_type, extended)
        if expected is None:
            unbounded += 1
            continue
        expected |= delta_truth.exact_set(query.criterion, query.text, query.party_type,
                                          extended) or set()
        want = {extended[i].number for i in expected}
        got = set(ours[query.qid].exact or [])
        exact_total += len(want)
        for number in sorted(want - got):
            misses.append({"query": query.text, "criterion": query.criterion,
                           "party_type": query.party_type, "class": query.variant_class,
                           "registration_number": number})
        for number in sorted(got - want):
            extras.append({"query": query.text, "criterion": query.criterion,
                           "party_type": query.party_type, "class": query.variant_class,
                           "registration_number": number})
    return {"registry_delta": {"new": len(delta) - changed, "changed": changed},
            "queries_checked": len(picked) - unbounded, "queries_without_prefilter": unbounded,
            "exact_matches_expected": exact_total, "misses": misses, "extras": extras,
            "seconds": round(time.monotonic() - started, 1)}


def main(argv: Sequence[str] | None = None) -> None:
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
        help="the benchmark registry (read for the ground truth's delta); baseline_bench is "
             "created next to it")
    parser.add_argument("--skip-baseline-build", action="store_true",
                        help="reuse baseline-fuzzy and baseline_bench when complete")
    parser.add_argument("--rebuild-baselines", action="store_true")
    parser.add_argument("--systems", default=",".join(SYSTEMS),
                        help="comma-separated subset of " + ",".join(SYSTEMS))
    parser.add_argument("--truth-limit", type=int, default=0,
                        help="check at most this many exact queries against the ground truth "
                             "(0: all)")
    parser.add_argument("--diagnose-limit", type=int, default=2000,
                        help="re-run at most this many of ours' misses in-process to say why")
    parser.add_argument("--out", type=Path, default=STATE / "bench-quality.json")
    parser.add_argument("--render-only", action="store_true",
                        help="print the tables of the saved JSON (--out) and stop")
    args = parser.parse_args(argv)
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
    simple_index, bc_index, truth = simple.SimpleIndex(), bc_ppr.BCIndex(), ExactTruth()
    registrations = _scan(args.corpus, reservoirs, simple_index, bc_index, truth)
    timings["scan_corpus_s"] = time.monotonic() - started
    report["corpus"] = {"file": str(args.corpus), "registrations": len(registrations),
                        "deleted": sum(r.status == "deleted" for r in registrations)}
    print(f"corpus: {len(registrations)} registrations scanned in "
          f"{timings['scan_corpus_s']:.0f}s", file=sys.stderr, flush=True)

    es = Elasticsearch(args.es_url, request_timeout=120)
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
    # (b) works in Elasticsearch and (c) in PostgreSQL: run side by side.
    def timed(label: str, work: Callable[[], list[Answer]]) -> list[Answer]:
        began = time.monotonic()
        result = work()
        timings[f"{label}_s"] = time.monotonic() - began
        return result

    with ThreadPoolExecutor(max_workers=2) as pool:
        pending = {}
        if "es_fuzzy" in systems:
            pending["es_fuzzy"] = pool.submit(timed, "es_fuzzy", lambda: run_parallel(
                lambda q: ask_es(es, q), queries, 2, "es_fuzzy"))
        if "bc" in systems:
            pending["bc"] = pool.submit(timed, "bc", lambda: [ask_bc(bc_index, q)
                                                               for q in queries])
        for system, future in pending.items():
            answers[system] = future.result()

    rows = summarise(queries, answers)
    report["classes"] = rows
    report["groups"] = group_totals(rows)
    if "ours" in answers:
        report["three_word_names"] = three_word_names(queries, answers["ours"], default_counts)
        started = time.monotonic()
        report["exact_truth"] = check_truth(queries, answers["ours"], truth, registrations,
                                            args.truth_limit, args.pg_dsn)
        timings["exact_truth_s"] = time.monotonic() - started
        report["ours_errors"] = [{"query": q.text, "criterion": q.criterion,
                                  "error": answers["ours"][q.qid].error}
                                 for q in queries if answers["ours"][q.qid].error][:50]
        report["ours_misses"] = misses_of(queries, answers["ours"], numbers)
        started = time.monotonic()
        report["ours_miss_reasons"] = diagnose(
            report["ours_misses"], es, os.environ.get("REGSEARCH_INDEX_ALIAS",
                                                      "bench-registrations"), args.diagnose_limit)
        timings["diagnose_s"] = time.monotonic() - started
    report["timings_s"] = {k: round(v, 1) for k, v in timings.items()}
    report["machine_at_end"] = machine()
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
    print(render(report))


def misses_of(queries: Sequence[Query], ours: Sequence[Answer], numbers: Sequence[str]
              ) -> list[dict[str, Any]]:
    """Every query of ours that missed its promised tier (or matched a negative)."""
    out = []
    for query in queries:
        answer = ours[query.qid]
        ok = (answer.target_tier is None) if query.expected == "none" else (
            answer.target_tier == query.expected)
        if not ok:
            out.append({**{k: v for k, v in asdict(query).items() if k != "qid"},
                        "target_number": numbers[query.qid], "got": answer.target_tier,
                        "exact_count": answer.counts.get("exact"),
                        "close_count": answer.extra.get("close_count"),
                        "close_left_out": answer.extra.get("close_left_out"),
                        "error": answer.error})
    return out


def diagnose(misses: list[dict[str, Any]], es: Elasticsearch, alias: str, limit: int
             ) -> dict[str, int]:
    """Why ours missed a target it should have found, by re-running the engine in-process
    (``query.search.search``) without the close-tier cap and then without the close
    candidate limit. Adds ``why`` to each miss; returns the counts."""
    from query.search import search as engine_search

    why: defaultdict[str, int] = defaultdict(int)
    for miss in misses[:limit]:
        if miss["error"]:
            miss["why"] = "error"
        elif miss["expected"] == "none":
            miss["why"] = "false_match"
        elif miss["got"] is not None:
            miss["why"] = "wrong_tier"
        else:
            miss["why"] = "not_matched"
            for label, candidates in (("close_cap", 2000), ("close_candidate_limit", 200_000)):
                outcome = engine_search(es, alias, miss["criterion"], miss["text"],
                                        party_type=miss["party_type"], include_deleted=True,
                                        close_cap=10**7, close_candidate_limit=candidates)
                numbers = {m.registration["registration_number"]
                           for m in (*outcome.exact, *outcome.close)}
                if miss["target_number"] in numbers:
                    miss["why"] = label
                    break
        why[miss["why"]] += 1
    return dict(why)


def render(report: dict[str, Any]) -> str:
    rows = report["classes"]
    parts = ["### Per group (all classes of a tier together)", "",
             markdown(report["groups"]), "", "### Per variant class", "", markdown(rows), "",
             "### Results returned", "", markdown_returned(rows)]
    if "three_word_names" in report:
        parts += ["", "### Full three-word individual names (ours)", "",
                  "| queries | n | results/query (default options) median | p95 "
                  "| all matches median | p95 | target first (strict) % "
                  "| target first incl. ties % | target found % |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for label, m in report["three_word_names"].items():
            parts.append(f"| {label} | {m['queries']} | {m['results_median']:g} | "
                         f"{m['results_p95']:g} | {m.get('all_matches_median', 0):g} | "
                         f"{m.get('all_matches_p95', 0):g} | {m['target_first_strict_pct']} | "
                         f"{m['target_first_with_ties_pct']} | {m['target_found_pct']} |")
    if "exact_truth" in report:
        t = report["exact_truth"]
        parts += ["", "### Exact tier against the corpus ground truth", "",
                  f"{t['queries_checked']} exact-class queries checked; registry delta since "
                  f"the corpus load: {t['registry_delta']}; "
                  f"({t['exact_matches_expected']} exact matches expected in all; "
                  f"{t['queries_without_prefilter']} without a prefilter skipped): "
                  f"**{len(t['misses'])} misses, {len(t['extras'])} extras**."]
    if "ours_miss_reasons" in report:
        parts += ["", "Why ours missed (engine re-run in-process: `close_cap` = found once the "
                  "close tier is not capped at 50; `close_candidate_limit` = found once more "
                  "than 2,000 close candidates are fetched; `error` = HTTP error): "
                  + json.dumps(report["ours_miss_reasons"])]
    parts += ["", f"Timings (s): {json.dumps(report['timings_s'])}"]
    return "\n".join(parts)


if __name__ == "__main__":
    main()
