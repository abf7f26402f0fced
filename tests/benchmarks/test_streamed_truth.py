"""The exact tier's ground truth streamed from the registry in blocks equals the in-memory
ground truth over the same registrations (the whole registry at once), and the quality
benchmark's check reports ours' misses and extras against it."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from unidecode import unidecode

from benchmarks.baselines.corpus import Registration, parse_line
from benchmarks.exact_truth import ExactTruth, rows_to_registrations
from benchmarks.quality.answers import Answer
from benchmarks.quality.report import render
from benchmarks.quality.sampling import Query, Reservoirs, make_queries
from benchmarks.quality.streamed_truth import (
    Pass,
    Wanted,
    check_truth_streamed,
    registry_blocks,
    streamed_exact_sets,
)
from tests import service_env
from tests.benchmarks import truth_cases
from tests.conftest import recreate_databases

COUNT = 3000
BLOCK = 700  # five blocks, the last one short


def in_memory(registrations: list[Registration], wanted: Sequence[Wanted]
              ) -> list[set[str] | None]:
    """The ground truth as ``bench_quality`` builds it from a corpus file: one ExactTruth."""
    truth = ExactTruth()
    for index, registration in enumerate(registrations):
        truth.add(index, registration)
    truth.freeze()
    out: list[set[str] | None] = []
    for criterion, text, party_type in wanted:
        found = truth.exact_set(criterion, text, party_type, registrations)
        out.append(None if found is None else {registrations[i].number for i in found})
    return out


# --- pure: blocks do not change the truth -----------------------------------------------

@settings(max_examples=80, deadline=None)
@given(st.data(), truth_cases.registrations(), st.lists(st.integers(1, 5), min_size=1,
                                                        max_size=12))
def test_any_cut_into_blocks_gives_the_whole_truth(
        data: st.DataObject, registrations: list[Registration], sizes: list[int]) -> None:
    wanted = data.draw(truth_cases.queries(registrations))
    blocks, start = [], 0
    for size in sizes * len(registrations):
        if start >= len(registrations):
            break
        blocks.append(registrations[start:start + size])
        start += size
    assert streamed_exact_sets(blocks, wanted) == in_memory(registrations, wanted)


@given(truth_cases.registrations())
def test_rows_read_back_into_the_same_registrations(registrations: list[Registration]) -> None:
    heads = [(rid, r.number, r.status) for rid, r in enumerate(registrations, 1)]
    grantors = [(rid, p.party_type, p.name, p.id_type, p.id_number)
                for rid, r in enumerate(registrations, 1) for p in r.grantors]
    assets = [(rid, *a) for rid, r in enumerate(registrations, 1) for a in r.assets]
    assert rows_to_registrations(heads, grantors, assets) == registrations


# --- against the real PostgreSQL ---------------------------------------------------------

@pytest.fixture(scope="module")
def registry() -> Iterator[tuple[str, list[Registration]]]:
    """A registry of its own (``COUNT`` synthetic registrations written by COPY, as
    ``corpus_copy`` writes the 10M one) and the same registrations as a corpus file reads."""
    from registry.copy_loader import copy_registrations
    from registry.format import parse_registration
    from registry.schema import ensure_schema
    from registry.synthetic import generator

    database = service_env.named("regsearch_truth")
    recreate_databases(database)
    dsn = f"{os.environ['REGSEARCH_ADMIN_DSN'].rsplit('/', 1)[0]}/{database}"
    stream = list(generator.iter_registrations(COUNT, seed=23))
    with psycopg.connect(dsn) as conn:
        ensure_schema(conn)
        with conn.cursor() as cur:
            copy_registrations(cur, [parse_registration(r) for r in stream])
    yield dsn, [parse_line(generator.to_line(r).encode()) for r in stream]
    with psycopg.connect(os.environ["REGSEARCH_ADMIN_DSN"], autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _wanted(registrations: list[Registration]) -> list[Wanted]:
    """Names without diacritics (as typed, and in capitals), id numbers and chassis numbers
    of every 29th registration, and the exact-class queries the benchmark makes."""
    wanted: list[Wanted] = []
    for registration in registrations[::29]:
        for party in registration.grantors:
            wanted.append(Wanted("debtor_name", unidecode(party.name), party.party_type))
            wanted.append(Wanted("debtor_name", unidecode(party.name).upper(), None))
            if party.id_number:
                wanted.append(Wanted("id_number", party.id_number, None))
        wanted += [Wanted("chassis_number", a.chassis_number, None)
                   for a in registration.assets if a.chassis_number]
    reservoirs = Reservoirs(15, 2026)
    for index, registration in enumerate(registrations):
        reservoirs.add(index, registration)
    wanted += [Wanted(q.criterion, q.text, q.party_type)
               for q in make_queries(reservoirs, 2026) if q.expected == "exact"]
    return wanted


@pytest.mark.services
def test_the_streamed_truth_is_the_in_memory_truth(
        registry: tuple[str, list[Registration]]) -> None:
    dsn, registrations = registry
    wanted = _wanted(registrations)
    done = Pass()
    streamed = streamed_exact_sets(registry_blocks(dsn, BLOCK), wanted, done)
    assert (done.blocks, done.registrations) == (5, COUNT)
    assert streamed == in_memory(registrations, wanted)
    criteria = {w.criterion for w, found in zip(wanted, streamed, strict=True) if found}
    assert {"debtor_name", "id_number", "chassis_number", "registration_number"} <= criteria
    assert any(len(found or ()) > 1 for found in streamed)  # namesakes across blocks too


def _answers(picked: list[Query], truth: list[set[str] | None]
             ) -> tuple[list[Answer], str, str]:
    """Ours' answers: the truth, but the first checked query misses one registration and
    the second gets one it should not."""
    exact = [sorted(found or ()) for found in truth]
    missed = exact[0].pop()
    extra = next(n for n in ("2000-00000001", "2000-00000002") if n not in exact[1])
    exact[1].append(extra)
    return [Answer("exact", {}, exact=numbers) for numbers in exact], missed, extra


def _row(query: Query, number: str) -> dict[str, Any]:
    return {"query": query.text, "criterion": query.criterion,
            "party_type": query.party_type, "class": query.variant_class,
            "registration_number": number}


@pytest.mark.services
def test_misses_and_extras_against_the_registry(
        registry: tuple[str, list[Registration]]) -> None:
    dsn, registrations = registry
    picked = [Query(k, "id_personal", w.criterion, w.party_type, 0, w.text, "as_registered",
                    "exact", w.text) for k, w in enumerate(_wanted(registrations)[:40])]
    truth = in_memory(registrations, [Wanted(q.criterion, q.text, q.party_type)
                                      for q in picked])
    assert truth[0] and truth[1] is not None
    answers, missed, extra = _answers(picked, truth)
    report = check_truth_streamed(picked, answers, dsn, limit=0, block_size=BLOCK)
    assert report["registry"]["registrations"] == COUNT and report["registry"]["blocks"] == 5
    assert report["queries_checked"] + report["queries_without_prefilter"] == len(picked)
    assert report["exact_matches_expected"] == sum(len(t or ()) for t in truth)
    assert report["misses"] == [_row(picked[0], missed)]
    assert report["extras"] == [_row(picked[1], extra)]
    page = render({"classes": [], "groups": [], "timings_s": {}, "exact_truth": report})
    assert f"{COUNT} registrations streamed in 5 blocks" in page
    assert "**1 misses, 1 extras**" in page
