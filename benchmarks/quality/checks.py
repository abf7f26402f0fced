"""Checks of ours in the quality benchmark: the exact tier against the corpus ground truth,
the misses, and why each miss happened (the engine re-run in-process)."""


import random
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from elasticsearch import Elasticsearch

from benchmarks.baselines import corpus
from benchmarks.exact_truth import ExactTruth, registry_delta
from benchmarks.quality.answers import Answer
from benchmarks.quality.sampling import Query


def exact_queries(queries: Sequence[Query], ours: Sequence[Answer] | None, limit: int
                  ) -> list[Query]:
    """The exact-class queries ours answered (all of them without ``ours``), at most
    ``limit`` of them (seeded; 0: all)."""
    picked = [q for q in queries if q.expected == "exact"
              and (ours is None or ours[q.qid].error is None)]
    if limit and len(picked) > limit:
        picked = random.Random(0).sample(picked, limit)
    return picked


def compare_truth(picked: Sequence[Query], ours: Sequence[Answer],
                  truth: Sequence[set[str] | None]) -> dict[str, Any]:
    """Ours' exact tier against the ground truth's registration numbers (``truth[k]`` for
    ``picked[k]``; None: the prefilter cannot bound the query, not checked): misses are in
    the truth and not in ours' exact tier, extras the other way round."""
    misses: list[dict[str, Any]] = []
    extras: list[dict[str, Any]] = []
    unbounded = exact_total = 0
    for query, want in zip(picked, truth, strict=True):
        if want is None:
            unbounded += 1
            continue
        got = set(ours[query.qid].exact or [])
        exact_total += len(want)
        for found, numbers in ((misses, want - got), (extras, got - want)):
            found.extend({"query": query.text, "criterion": query.criterion,
                          "party_type": query.party_type, "class": query.variant_class,
                          "registration_number": number} for number in sorted(numbers))
    return {"queries_checked": len(picked) - unbounded, "queries_without_prefilter": unbounded,
            "exact_matches_expected": exact_total, "misses": misses, "extras": extras}


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
    picked = exact_queries(queries, ours, limit)
    started = time.monotonic()
    wanted: list[set[str] | None] = []
    for query in picked:
        expected = truth.exact_set(query.criterion, query.text, query.party_type, extended)
        if expected is not None:
            expected |= delta_truth.exact_set(query.criterion, query.text, query.party_type,
                                              extended) or set()
        wanted.append(None if expected is None else {extended[i].number for i in expected})
    return {"registry_delta": {"new": len(delta) - changed, "changed": changed},
            **compare_truth(picked, ours, wanted),
            "seconds": round(time.monotonic() - started, 1)}


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
