"""A 5,000-row file end to end on three real worker processes, two of them killed
mid-chunk.

One batch runs for the whole module: good rows of every criterion, rows that
match nothing, Excel-mangled ID numbers, legacy-encoded names, duplicates and
bad rows. While it runs, one worker's pool process is SIGKILLed mid-chunk (its
chunk goes straight back to the queue) and then a whole worker (main process
and pool) is SIGKILLed mid-chunk (its chunk comes back after the broker's
visibility timeout). Then: every row has exactly one result, every good row the
single search's answer, and the exports agree with each other.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tests.batch import files, stack
from tests.batch.conftest import BatchStack

pytestmark = pytest.mark.services

ROWS = 5000


@dataclass
class BigJob:
    file: files.BatchFile
    key: str
    batch_id: str
    submitted: dict[str, Any]
    final: dict[str, Any]
    killed_chunks: list[int]
    seconds: float
    jsonl: list[dict[str, Any]]
    #: worker name -> chunks its log says it finished
    chunks_done_by: dict[str, int]


@pytest.fixture(scope="module")
def big_job(batch_stack: BatchStack) -> BigJob:
    import redis

    redis.Redis.from_url(batch_stack.settings.batch_broker_url).flushdb()
    batch_stack.stop_workers()
    big = files.big_file(batch_stack.corpus, ROWS)
    key = batch_stack.account(max_batch_rows=10_000)
    # three worker processes (as on several hosts: each its own main process and pool)
    first, second, _third = batch_stack.start_workers("first", "second", "third")
    started = time.monotonic()
    response = batch_stack.client.post(
        "/v1/batches", headers={"x-api-key": key},
        files={"file": ("danh-sach.csv", big.data, "text/csv")})
    assert response.status_code == 202, response.text
    submitted = response.json()
    batch_id = submitted["batch"]["id"]
    killed = []
    with batch_stack.connect() as conn:
        # 1. one pool process dies: Celery requeues its chunk at once
        #    (task_reject_on_worker_lost); the worker starts a new pool process
        killed.append(stack.kill_mid_chunk(
            conn, batch_id, lambda: set(stack.pool_pids(second.pid)), os.kill))
        # 2. a whole worker dies: its chunk waits in the broker's unacked set until the
        #    visibility timeout, then the other worker gets it
        killed.append(stack.kill_mid_chunk(
            conn, batch_id, lambda: set(stack.pool_pids(first.pid)),
            lambda _pid, sig: os.killpg(first.pid, sig)))
    assert first.process is not None and first.process.wait(timeout=20) == -signal.SIGKILL
    final = batch_stack.wait_finished(key, batch_id)
    seconds = time.monotonic() - started
    jsonl = batch_stack.client.get(f"/v1/batches/{batch_id}/results",
                                   params={"format": "jsonl"}, headers={"x-api-key": key})
    assert jsonl.status_code == 200
    rows = [json.loads(line) for line in jsonl.text.splitlines()]
    done_by = {worker.log_path.stem: worker.log_text().count("] succeeded in ")
               for worker in batch_stack.workers}
    batch_stack.stop_workers()
    print(f"\n{ROWS} rows: {seconds:.1f} s from upload to done, killed chunks {killed}")
    return BigJob(big, key, batch_id, submitted, final, killed, seconds, rows, done_by)


def test_the_report_lists_every_bad_row_before_anything_runs(batch_stack: BatchStack,
                                                             big_job: BigJob) -> None:
    big = big_job.file
    response = batch_stack.client.post(
        "/v1/batches", params={"validate_only": "true"}, headers={"x-api-key": big_job.key},
        files={"file": ("danh-sach.csv", big.data, "text/csv")})
    assert response.status_code == 200
    report = response.json()["report"]
    assert report == big_job.submitted["report"]
    invalid = {r["row"]: r["problems"] for r in report["invalid_rows"]}
    expected = {row: kind.split(":", 1)[1] for row, kind in big.kinds.items()
                if kind.startswith("invalid:")}
    assert {row: problems[0]["rule"] for row, problems in invalid.items()} == expected
    for row, problems in invalid.items():
        assert problems[0]["message_vi"] and problems[0]["message_en"]
        if expected[row] != "no_criterion":
            assert problems[0]["field"] in files.HEADER
    counts = report["rows"]
    assert counts["total"] == len(big.kinds) == ROWS
    assert counts["invalid"] == len(expected)
    duplicates = {d["row"]: d["duplicate_of"] for d in report["duplicates"]}
    for row, first in big.duplicate_of.items():
        if big.kinds[first] in ("good", "miss"):
            assert duplicates[row] <= first
    notes = {n["row"]: [note["rule"] for note in n["notes"]] for n in report["row_notes"]}
    assert all("scientific_notation" in notes[row] for row in big.rows_of("scientific"))
    assert all("numeric_cell" in notes[row] for row in big.rows_of("zero_fraction"))
    assert all("legacy_encoding" in notes[row] for row in big.rows_of("legacy"))
    assert [n["rule"] for n in report["notes"]] == ["ignored_column", "ignored_column"]


def test_killed_workers_lose_no_row_and_write_none_twice(batch_stack: BatchStack,
                                                         big_job: BigJob) -> None:
    final = big_job.final
    rows = final["rows"]
    assert final["status"] == "done"
    assert rows["done"] == rows["valid"] == ROWS - rows["invalid"]
    assert rows["errors"] == 0
    assert final["progress"]["percent"] == 100.0
    assert final["progress"]["rows_per_second"] > 0
    with batch_stack.connect() as conn:
        results = conn.execute("SELECT count(*), count(DISTINCT row_number) FROM batch_results"
                               " WHERE job_id = %s", (big_job.batch_id,)).fetchone()
        assert results == (rows["valid"], rows["valid"])
        attempts = dict(conn.execute(
            "SELECT chunk, attempts FROM batch_chunks WHERE job_id = %s AND chunk = ANY(%s)",
            (big_job.batch_id, big_job.killed_chunks)).fetchall())
        assert all(attempts[chunk] >= 2 for chunk in big_job.killed_chunks), attempts
        # the chunks were shared between the worker processes, and the ones still alive
        # finished every chunk the killed ones had taken
        chunks = conn.execute("SELECT count(*) FROM batch_chunks WHERE job_id = %s",
                              (big_job.batch_id,)).fetchone()
        done_by = big_job.chunks_done_by
        assert chunks is not None and sum(done_by.values()) >= chunks[0], (chunks, done_by)
        # (which surviving worker took how many is the broker's business: on a loaded
        # machine one of them can take every chunk before the other has started)
        # each distinct lookup was searched and stored once; every row refers to its own
        lookups = conn.execute("SELECT count(*) FROM batch_lookups WHERE job_id = %s",
                               (big_job.batch_id,)).fetchone()
        asked = conn.execute(
            "SELECT count(*), count(DISTINCT (c->>'criterion', c->>'party_type', c->>'value'))"
            " FROM batch_rows r, jsonb_array_elements(r.criteria) c"
            " WHERE r.job_id = %s AND r.chunk IS NOT NULL", (big_job.batch_id,)).fetchone()
        assert asked is not None and lookups is not None
        assert lookups[0] == asked[1] < asked[0]
        dangling = conn.execute(
            "SELECT count(*) FROM batch_results r, jsonb_array_elements(r.result->'criteria') c"
            " WHERE r.job_id = %s AND NOT EXISTS (SELECT 1 FROM batch_lookups l"
            " WHERE l.job_id = r.job_id AND l.key = c->>'lookup')",
            (big_job.batch_id,)).fetchone()
        assert dangling == (0,)
        states = conn.execute("SELECT state, count(*) FROM batch_chunks WHERE job_id = %s"
                              " GROUP BY state", (big_job.batch_id,)).fetchall()
        assert states == [("done", final["progress"]["chunks_total"])]
        ledger = conn.execute("SELECT kind, rows, fee_vnd FROM usage_ledger WHERE reference = %s",
                              (big_job.batch_id,)).fetchall()
    searched = rows["valid"] - rows["duplicate"]
    assert ledger == [("batch", searched, searched * stack.ROW_FEE_VND)]
    assert final["fee"] == {"rows_charged": searched, "fee_vnd": searched * stack.ROW_FEE_VND,
                            "free_ground": None}
    assert [r["row"] for r in big_job.jsonl] == sorted(big_job.file.kinds)
    statuses = Counter(r["status"] for r in big_job.jsonl)
    assert statuses == {"done": rows["valid"], "invalid": rows["invalid"]}


def _tiers(matches: list[Any]) -> list[tuple[str, str, tuple[str, ...], float]]:
    found = []
    for match in matches:
        if isinstance(match, dict):
            found.append((match["registration"]["registration_number"], match["tier"],
                          tuple(match["reasons"]), match["score"]))
        else:
            found.append((match.registration["registration_number"], match.tier,
                          tuple(match.reasons), round(match.score, 4)))
    return found


def test_every_good_row_gets_the_single_search_answer(batch_stack: BatchStack,
                                                      big_job: BigJob) -> None:
    from query.search import search

    settings = batch_stack.settings
    expected: dict[tuple[str, str, str | None], Any] = {}
    compared = 0
    for row in big_job.jsonl:
        if row["status"] != "done":
            continue
        for found in row["criteria"]:
            lookup = (found["criterion"], found["value"], found["party_type"])
            if lookup not in expected:
                expected[lookup] = search(batch_stack.es, settings.index_alias, *lookup,
                                          close_cap=settings.close_tier_cap)
            outcome = expected[lookup]
            assert found["normalised"] == outcome.normalised
            assert _tiers(found["exact"]["results"]) == _tiers(outcome.exact), (row["row"], lookup)
            assert _tiers(found["close"]["results"]) == _tiers(outcome.close), (row["row"], lookup)
            assert found["close"]["left_out"] == outcome.close_left_out
            compared += 1
    assert compared > ROWS * 0.9
    matched = sum(1 for outcome in expected.values() if outcome.exact or outcome.close)
    # a quarter of the corpus is deleted (not found by default); the rest is found
    assert matched > len(expected) * 0.6


def test_a_sample_agrees_with_post_v1_search(batch_stack: BatchStack, big_job: BigJob) -> None:
    done = [row for row in big_job.jsonl if row["status"] == "done"]
    for row in done[::len(done) // 40]:
        for found in row["criteria"]:
            body: dict[str, Any] = {found["criterion"]: found["value"], "exact_limit": 1000}
            if found["party_type"]:
                body["party_type"] = found["party_type"]
            single = batch_stack.client.post("/v1/search", json=body).json()
            assert single["exact"]["count"] == found["exact"]["count"]
            assert _tiers(single["exact"]["results"]) == _tiers(found["exact"]["results"])
            assert _tiers(single["close"]["results"]) == _tiers(found["close"]["results"])


def _in_force(registration: dict[str, Any]) -> bool:
    return bool(registration["status"] == "in_force")


def test_mangled_numbers_and_legacy_names_still_find_their_registrations(
        big_job: BigJob) -> None:
    by_row = {row["row"]: row for row in big_job.jsonl}

    def found(row: int) -> dict[str, set[str]]:
        numbers: dict[str, set[str]] = defaultdict(set)
        for criterion in by_row[row]["criteria"]:
            for tier in ("exact", "close"):
                for match in criterion[tier]["results"]:
                    numbers[match["registration"]["registration_number"]].update(
                        match["reasons"] or [tier])
        return numbers

    lost = [(row, reg) for row, reg in big_job.file.lost_zeros.items() if _in_force(reg)]
    assert len(lost) > 20
    for row, registration in lost:
        assert "leading_zeros" in found(row)[registration["registration_number"]], row
    legacy = [(row, name, reg) for row, (name, reg) in big_job.file.legacy.items()
              if _in_force(reg)]
    assert len(legacy) > 20
    for row, name, registration in legacy:
        assert registration["registration_number"] in found(row), (row, name)
    for row in big_job.file.rows_of("scientific"):
        assert by_row[row]["criteria"][0]["value"].isdigit()


def _cell(value: Any) -> str:
    """A cell as text, numbers compared as numbers (XLSX keeps 1.0 as 1)."""
    if value is None:
        return ""
    try:
        return repr(float(value))
    except ValueError:
        return str(value)


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_results_export_as_csv_xlsx_and_jsonl(batch_stack: BatchStack, big_job: BigJob) -> None:
    from batch.export import HEADER

    headers = {"x-api-key": big_job.key}
    url = f"/v1/batches/{big_job.batch_id}/results"
    as_csv = batch_stack.client.get(url, params={"format": "csv"}, headers=headers)
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    lines = _csv_rows(as_csv.text)
    assert lines[0] == HEADER
    column = {name: i for i, name in enumerate(HEADER)}
    per_row = Counter(int(line[0]) for line in lines[1:])
    assert set(per_row) == set(big_job.file.kinds)
    for row in big_job.jsonl:
        expected = 1
        if row["status"] == "done":
            expected = sum(max(1, len(c["exact"]["results"]) + len(c["close"]["results"]))
                           for c in row["criteria"])
        assert per_row[row["row"]] == expected, row["row"]
    tiers = Counter(line[column["Mức khớp / Tier"]] for line in lines[1:])
    assert tiers["exact"] and tiers["close"] and tiers["none"]

    as_xlsx = batch_stack.client.get(url, params={"format": "xlsx"}, headers=headers)
    assert as_xlsx.status_code == 200
    book = load_workbook(io.BytesIO(as_xlsx.content), read_only=True)
    sheet = book["Kết quả - Results"]
    width = len(HEADER)  # a row read back ends at its last non-empty cell
    cells = [[_cell(v) for v in values] + [""] * (width - len(values))
             for values in sheet.iter_rows(values_only=True)]
    assert cells == [[_cell(ILLEGAL_CHARACTERS_RE.sub("\ufffd", v)) for v in line]
                     for line in lines]
    summary: dict[Any, Any] = {row[0]: row[1] for row in
                               book["Tóm tắt - Summary"].iter_rows(values_only=True)}
    assert summary["Trạng thái / Status"] == "done"
    assert summary["Số dòng / Rows"] == ROWS


def test_csv_is_the_same_from_lookups_stored_without_csv_parts(batch_stack: BatchStack,
                                                               big_job: BigJob) -> None:
    """Lookups stored before their CSV parts were (or in another format version) are
    rendered from their results: the same CSV."""
    headers = {"x-api-key": big_job.key}
    url = f"/v1/batches/{big_job.batch_id}/results"
    before = batch_stack.client.get(url, params={"format": "csv"}, headers=headers).content
    with batch_stack.connect() as conn:
        conn.execute("UPDATE batch_lookups SET csv = CASE WHEN key < '8' THEN NULL"
                     " ELSE '[0,' || substr(csv, 4) END WHERE job_id = %s",
                     (big_job.batch_id,))
    after = batch_stack.client.get(url, params={"format": "csv"}, headers=headers).content
    assert after == before
