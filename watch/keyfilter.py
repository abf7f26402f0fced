"""The stored keys of every watch entry, in the follower's memory as a Bloom filter, so
that a registration's keys that no entry holds are never looked up in ``watch_keys``.

Why (measured, ``benchmarks/HISTORY.md``, issue 24): at 1,000,000 entries (13.7 million
distinct keys, 18 million rows) a registration has about 86 lookup keys and only 11 of
them are held by any entry; each probe of the 540 MB key index costs tens of
microseconds once it is out of PostgreSQL's cache, so the absent keys were most of the
lookup. The filter answers for all 86 in about 30 µs (``rbloom``; made for twice the
rows of ``watch_keys`` at 0.1% false positives: about 65 MB at 18 million rows, where a
Python set of the 13.7 million keys would take about 1 GB). A false positive only costs
the probe it would have cost anyway; a key must never be missing. Loading it reads the
whole key column once at start (18 million rows: minutes on the loaded shared machine;
the slot keeps the changes meanwhile).

Keeping it complete while entries are added (``watch.entries.add`` logs each adding
transaction's range of entry ids in ``watch_key_log``, under its transaction id):

* before it reads anything, the filter notes the oldest transaction still running
  (``pg_snapshot_xmin`` of the current snapshot, the *horizon*);
* a transaction that commits after that read was running then or began later, so its
  transaction id is at or above the horizon;
* so :meth:`KeyFilter.refresh` reads the log rows at or above the horizon it noted last
  time (noting the new horizon first), and adds the keys of their entry ranges.

The follower refreshes before each round's lookup: an entry committed before the round
began is in the filter when the round looks. Deleted entries' keys stay (a false
positive each, until the follower restarts).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import psycopg
from rbloom import Bloom

#: The filter's room: it is made for this many keys at least, or twice the keys there are.
MIN_CAPACITY = 1_000_000
FALSE_POSITIVE_RATE = 0.001


def _horizon(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
                       ).fetchone()
    assert row is not None
    return int(row[0])


def parse_keys(chunks: Iterable[bytes | bytearray | memoryview]) -> Iterator[int]:
    """The integers of a text COPY of one bigint column, read in chunks that may cut a
    line anywhere."""
    rest = b""
    for chunk in chunks:
        data = rest + bytes(chunk)
        cut = data.rfind(b"\n") + 1
        rest = data[cut:]
        yield from map(int, data[:cut].split())
    if rest.strip():
        yield int(rest)


class KeyFilter:
    """Whether any entry may hold a key (by its stored 64-bit form)."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        """Loads every stored key; ``conn`` is the service database (autocommit)."""
        self.horizon = _horizon(conn)
        row = conn.execute("SELECT reltuples::bigint FROM pg_class"
                           " WHERE oid = 'watch_keys'::regclass").fetchone()
        capacity = max(MIN_CAPACITY, 2 * int(row[0] if row else 0))
        self._bloom = Bloom(capacity, FALSE_POSITIVE_RATE)
        with conn.cursor() as cur, cur.copy("COPY watch_keys (key) TO STDOUT") as copy:
            self._bloom.update(parse_keys(copy))
        self._applied: set[tuple[int, int, int]] = set()
        self.refresh(conn)

    def refresh(self, conn: psycopg.Connection[Any]) -> int:
        """Add the keys of entries added since the last look; returns how many."""
        horizon = _horizon(conn)
        rows = conn.execute("SELECT xid::text::bigint, first_entry, last_entry"
                            " FROM watch_key_log WHERE xid >= %s::text::xid8",
                            (str(self.horizon),)).fetchall()
        self.horizon = horizon
        new = [(int(x), int(a), int(b)) for x, a, b in rows
               if (int(x), int(a), int(b)) not in self._applied]
        # a row seen before stays readable while an older transaction runs; forget it
        # once the horizon has passed it
        self._applied = {r for r in self._applied if r[0] >= horizon} | set(new)
        added = 0
        for _xid, first, last in new:
            for (key,) in conn.execute("SELECT key FROM watch_keys WHERE entry_id"
                                       " BETWEEN %s AND %s", (first, last)):
                self._bloom.add(int(key))
                added += 1
        return added

    def __contains__(self, key: object) -> bool:
        return key in self._bloom

    @property
    def approx_keys(self) -> int:
        return round(self._bloom.approx_items)
