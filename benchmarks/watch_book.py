"""A loan book of watch entries for ``bench_watch``, made and loaded quickly.

A million entries went in at about 1,700 a second through ``watch.entries.add`` (one
transaction per account, keys COPYed into a table whose primary key, entry index and
foreign key are checked row by row: ten minutes and more). The benchmark needs the
entries, not the upload path (``tests/watch`` test that), so here:

* each synthetic registration gives three entries (its first grantor's name and ID
  number, its first chassis number), a third of the registrations ``_book`` read before;
* each distinct (criterion, value, party type) is prepared once (``watch.entries.
  prepare``), in a pool of processes, and the result is cached on disk
  (``--book-cache``), so a second run starts at the COPY;
* one binary COPY for the entries and one for the keys, with ``watch_keys``'s
  constraints and index dropped first and made again after, from their own definitions
  (one sort instead of 16 million index insertions and foreign-key checks).
"""

from __future__ import annotations

import multiprocessing
import pickle
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg

from registry.synthetic.generator import iter_registrations
from watch import entries
from watch.keys import stored

Value = tuple[str, str, str | None]


def book(count: int, seed: int) -> Iterator[entries.NewEntry]:
    """``count`` entries: the first grantor's name and ID number and the first chassis
    number of synthetic registrations."""
    made = 0
    for i, registration in enumerate(iter_registrations(count=count, seed=seed)):
        grantor = registration["grantors"][0]
        chassis = next((a["chassis_number"] for a in registration.get("assets", [])
                        if a.get("chassis_number")), None)
        picks: list[Value] = [("debtor_name", grantor["name"], grantor["party_type"])]
        if grantor.get("id_number"):
            picks.append(("id_number", grantor["id_number"], None))
        if chassis:
            picks.append(("chassis_number", chassis, None))
        for criterion, value, party_type in picks:
            yield entries.NewEntry(criterion, value, party_type, f"L{i}")
            made += 1
            if made == count:
                return


def _prepare(values: list[Value]) -> list[tuple[str, list[int]]]:
    out = []
    for criterion, value, party_type in values:
        p = entries.prepare(entries.NewEntry(criterion, value, party_type))
        out.append((p.normalised, sorted(set(map(stored, p.keys)))))
    return out


def prepared(count: int, seed: int, cache: Path | None
             ) -> tuple[list[entries.NewEntry], dict[Value, tuple[str, list[int]]], float]:
    """The book, each distinct value's normal form and stored keys, and the seconds it
    took (0 from the cache)."""
    if cache is not None and cache.exists():
        with cache.open("rb") as f:
            found: tuple[list[entries.NewEntry], dict[Value, tuple[str, list[int]]]] = \
                pickle.load(f)
        return found[0], found[1], 0.0
    started = time.monotonic()
    made = list(book(count, seed))
    distinct = sorted({(e.criterion, e.value, e.party_type) for e in made},
                      key=lambda v: (v[0], v[1], v[2] or ""))
    chunks = [distinct[i:i + 5_000] for i in range(0, len(distinct), 5_000)]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.map(_prepare, chunks)
    keyed = dict(zip(distinct, (r for chunk in results for r in chunk), strict=True))
    if cache is not None:
        with cache.open("wb") as f:
            pickle.dump((made, keyed), f, protocol=pickle.HIGHEST_PROTOCOL)
    return made, keyed, time.monotonic() - started


def _constraints(conn: psycopg.Connection[Any]) -> tuple[list[tuple[str, str]], list[str]]:
    cons = conn.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                        " WHERE conrelid = 'watch_keys'::regclass").fetchall()
    indexes = conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'watch_keys'"
        " AND indexname NOT IN (SELECT conname FROM pg_constraint"
        " WHERE conrelid = 'watch_keys'::regclass)").fetchall()
    return [(str(n), str(d)) for n, d in cons], [str(d) for _n, d in indexes] + [
        f'DROP INDEX "{n}"' for n, _d in indexes]


def copy_in(conn: psycopg.Connection[Any], account_ids: list[int],
            made: list[entries.NewEntry], keyed: dict[Value, tuple[str, list[int]]]
            ) -> float:
    """Entries spread evenly over the accounts, and their keys; returns the seconds."""
    started = time.monotonic()
    cons, indexes = _constraints(conn)
    creates, drops = indexes[:len(indexes) // 2], indexes[len(indexes) // 2:]
    share = (len(made) + len(account_ids) - 1) // len(account_ids)
    with conn.transaction(), conn.cursor() as cur:
        for name, _definition in cons:
            cur.execute(f'ALTER TABLE watch_keys DROP CONSTRAINT "{name}"')
        for drop in drops:
            cur.execute(drop)
        with cur.copy("COPY watch_entries (id, account_id, criterion, value, party_type,"
                      " normalised, client_reference, alert_on_deletion) FROM STDIN") as cp:
            for n, e in enumerate(made):
                cp.write_row((n + 1, account_ids[n // share], e.criterion, e.value,
                              e.party_type, keyed[(e.criterion, e.value, e.party_type)][0],
                              e.client_reference, n % 10 == 0))
        with cur.copy("COPY watch_keys (key, entry_id) FROM STDIN (FORMAT BINARY)") as cp:
            cp.set_types(["int8", "int8"])
            for n, e in enumerate(made):
                for key in keyed[(e.criterion, e.value, e.party_type)][1]:
                    cp.write_row((key, n + 1))
        cur.execute("SELECT setval('watch_entries_id_seq', %s)", (len(made),))
        cur.execute("SET LOCAL maintenance_work_mem = '1GB'")
        for name, definition in cons:
            cur.execute(f'ALTER TABLE watch_keys ADD CONSTRAINT "{name}" {definition}')
        for create in creates:
            cur.execute(create)
    conn.execute("VACUUM ANALYZE watch_keys")
    conn.execute("VACUUM ANALYZE watch_entries")
    return time.monotonic() - started
