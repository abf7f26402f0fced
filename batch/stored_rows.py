"""A batch job's rows read back in file order with their results, for the exports."""

from __future__ import annotations

import dataclasses
import uuid
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from psycopg.types.json import set_json_loads

from batch.csv_parts import CSV_FORMAT, CsvLookup, FewValues
from batch.results import expanded, lookup_refs
from batch.rows import RowCriterion
from batch.store import Conn


@dataclass(frozen=True)
class StoredRow:
    """One input row with whatever is known about it, for the exports."""

    row: int
    criteria: list[RowCriterion]
    problems: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    duplicate_of: int | None
    chunk_state: str | None
    chunk_error: str | None
    result: dict[str, Any] | None
    #: ``iter_rows(csv_parts=True)``: the CSV parts of the lookups ``result`` refers to
    #: (the result is then not expanded).
    csv_lookups: Mapping[str, CsvLookup] = dataclasses.field(default_factory=dict)
    #: The row's own reference (its file's ``client_reference`` column), whatever its status.
    client_reference: str | None = None


class _LookupCache:
    """One job's lookups as read (results, or ``CsvLookup`` for the CSV export), least
    recently used dropped first; bounded by the number of matches held. Rows asking the
    same lookup get the same objects."""

    def __init__(self, max_matches: int) -> None:
        self.max_matches = max_matches
        self.held = 0
        self.entries: OrderedDict[str, tuple[Any, int]] = OrderedDict()

    def get(self, key: str) -> Any:
        found = self.entries.get(key)
        if found is None:
            return None
        self.entries.move_to_end(key)
        return found[0]

    def put(self, key: str, value: Any, weight: int) -> None:
        self.entries[key] = (value, weight)
        self.held += weight
        while self.held > self.max_matches and len(self.entries) > 1:
            _, (_, dropped) = self.entries.popitem(last=False)
            self.held -= dropped


#: Matches of parsed lookups ``iter_rows`` keeps for rows further on (about 1 KB each).
LOOKUP_CACHE_MATCHES = 200_000
_ROWS_PER_FETCH = 2000


def _lookups(conn: Conn, job_id: uuid.UUID, keys: set[str], cache: _LookupCache,
             csv_parts: bool) -> dict[str, Any]:
    """Each lookup's result, or with ``csv_parts`` its ``CsvLookup`` (rendered from the
    result when not stored in the current format)."""
    found: dict[str, Any] = {}
    missing = []
    for key in keys:
        value = cache.get(key)
        if value is None:
            missing.append(key)
        else:
            found[key] = value
    if not missing:
        return found
    if not csv_parts:
        for key, text in conn.execute(
                "SELECT key, result::text FROM batch_lookups WHERE job_id = %s"
                " AND key = ANY(%s)", (job_id, missing)):
            found[key] = orjson.loads(text)
            cache.put(key, found[key], _matches_of(found[key]))
        return found
    few = FewValues()
    for key, lines, result in conn.execute(
            "SELECT key, csv, CASE WHEN csv IS NULL OR NOT starts_with(csv, %s)"
            " THEN result::text END FROM batch_lookups WHERE job_id = %s AND key = ANY(%s)",
            (f"[{CSV_FORMAT},", job_id, missing)):
        parts = CsvLookup.of_stored(orjson.loads(lines)) if result is None else None
        found[key] = parts or CsvLookup.of_result(orjson.loads(result), few)
        cache.put(key, found[key], 1 + len(found[key].lines))
    return found


def _matches_of(result: dict[str, Any]) -> int:
    return 1 + sum(len(result.get(tier, {}).get("results", ())) for tier in ("exact", "close"))


def iter_rows(conn: Conn, job_id: uuid.UUID, csv_parts: bool = False,
              lookup_cache_matches: int = LOOKUP_CACHE_MATCHES) -> Iterator[StoredRow]:
    """Every row of the job in file order (a server-side cursor: any size), each result
    with its lookups' tiers in place; with ``csv_parts``, the result as stored and the
    CSV parts of its lookups (``StoredRow.csv_lookups``), for the CSV export."""
    cache = _LookupCache(lookup_cache_matches)
    with conn.transaction(), conn.cursor(name=f"batch_rows_{job_id.hex}") as cur:
        set_json_loads(orjson.loads, cur)  # results are big: decode them with orjson
        # Each row's result and chunk are looked up by their whole keys (correlated
        # subqueries): a join let the planner, with statistics taken before a big job's
        # rows arrived, pair every row with every result of the job (measured: 70 s for
        # 20,000 rows, and quadratic).
        cur.execute(
            "SELECT r.row_number, r.criteria, r.problems, r.notes, r.duplicate_of,"
            " (SELECT c.state FROM batch_chunks c WHERE c.job_id = r.job_id"
            "  AND c.chunk = r.chunk),"
            " (SELECT c.error FROM batch_chunks c WHERE c.job_id = r.job_id"
            "  AND c.chunk = r.chunk),"
            " (SELECT res.result FROM batch_results res WHERE res.job_id = r.job_id"
            "  AND res.row_number = r.row_number), r.client_reference"
            " FROM batch_rows r WHERE r.job_id = %s ORDER BY r.row_number", (job_id,))
        while batch := cur.fetchmany(_ROWS_PER_FETCH):
            keys = {key for r in batch if r[7] for key in lookup_refs(r[7])}
            lookups = _lookups(conn, job_id, keys, cache, csv_parts) if keys else {}
            for r in batch:
                criteria = [RowCriterion.from_dict(c) for c in r[1]]
                if csv_parts:
                    yield StoredRow(int(r[0]), criteria, r[2], r[3], r[4], r[5], r[6], r[7],
                                    lookups, r[8])
                else:
                    yield StoredRow(int(r[0]), criteria, r[2], r[3], r[4], r[5], r[6],
                                    expanded(r[7], lookups) if r[7] else None,
                                    client_reference=r[8])


