"""Watch entries in the service database: add one or many, list, delete, replace.

Each entry is stored with its candidate keys (``watch.keys.entry_keys``) in
``watch_keys``, so the follower finds the entries a registration matches by key. A loan
book of hundreds of thousands of entries goes in by ``COPY`` in one transaction: the ids
are drawn from the sequence first, then entries and keys are copied (measured in
``benchmarks/bench_watch.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from normalizers import n2
from query.criteria import WATCHABLE_CRITERIA
from watch.keys import entry_keys, stored


@dataclass(frozen=True, slots=True)
class NewEntry:
    criterion: str
    value: str
    party_type: str | None = None
    client_reference: str | None = None
    alert_on_deletion: bool = False


@dataclass(frozen=True, slots=True)
class Prepared:
    entry: NewEntry
    normalised: str
    keys: list[str]


class NothingToWatchError(ValueError):
    """The value normalises to nothing: no key, nothing could ever match it."""

    def __init__(self, criterion: str) -> None:
        super().__init__(criterion)
        self.criterion = criterion


class LimitError(ValueError):
    """The account would watch more than its limit."""

    def __init__(self, limit: int, existing: int, adding: int) -> None:
        super().__init__(f"{existing} + {adding} > {limit}")
        self.limit, self.existing, self.adding = limit, existing, adding


def prepare(entry: NewEntry) -> Prepared:
    if entry.criterion not in WATCHABLE_CRITERIA:
        raise ValueError(f"unknown criterion {entry.criterion!r}")
    party_type = entry.party_type if entry.criterion == "debtor_name" else None
    normalised, keys = entry_keys(entry.criterion, entry.value, party_type)
    if not keys or not normalised.strip():
        raise NothingToWatchError(entry.criterion)
    return Prepared(NewEntry(entry.criterion, entry.value, party_type, entry.client_reference,
                             entry.alert_on_deletion), normalised, keys)


def count(conn: psycopg.Connection[Any], account_id: int) -> int:
    row = conn.execute("SELECT count(*) FROM watch_entries WHERE account_id = %s",
                       (account_id,)).fetchone()
    return int(row[0]) if row else 0


def _lock_account(conn: psycopg.Connection[Any], account_id: int) -> None:
    """Serialise writers of one account's list, so the limit holds under concurrency."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtext('regsearch_watch'), %s::int)",
                 (account_id % 2_147_483_647,))


def add(conn: psycopg.Connection[Any], account_id: int, prepared: Sequence[Prepared],
        limit: int, replace: bool = False) -> list[int]:
    """Store the entries (replacing the account's list with ``replace``) in one
    transaction; returns their ids. Raises LimitError, writing nothing."""
    with conn.transaction():
        _lock_account(conn, account_id)
        if replace:
            conn.execute("DELETE FROM watch_entries WHERE account_id = %s", (account_id,))
        existing = count(conn, account_id)
        if existing + len(prepared) > limit:
            raise LimitError(limit, existing, len(prepared))
        if not prepared:
            return []
        ids = [int(r[0]) for r in conn.execute(
            "SELECT nextval('watch_entries_id_seq') FROM generate_series(1, %s)",
            (len(prepared),)).fetchall()]
        with conn.cursor() as cur:
            with cur.copy("COPY watch_entries (id, account_id, criterion, value, party_type,"
                          " normalised, client_reference, alert_on_deletion) FROM STDIN") as cp:
                for entry_id, p in zip(ids, prepared, strict=True):
                    e = p.entry
                    cp.write_row((entry_id, account_id, e.criterion, e.value, e.party_type,
                                  p.normalised, e.client_reference, e.alert_on_deletion))
            with cur.copy("COPY watch_keys (key, entry_id) FROM STDIN") as cp:
                for entry_id, p in zip(ids, prepared, strict=True):
                    for key in set(map(stored, p.keys)):
                        cp.write_row((key, entry_id))
        # the follower's key filter reads this to learn the new keys (watch.keyfilter)
        conn.execute("INSERT INTO watch_key_log (first_entry, last_entry) VALUES (%s, %s)",
                     (min(ids), max(ids)))
        return ids


def identity(criterion: str, normalised: str) -> str:
    """What a bulk removal compares for an entry of ``criterion`` with normal form
    ``normalised``: a name folded (N2: no diacritics, so a file's ``NGUYEN VAN AN`` is the
    entry added as ``Nguyễn Văn An``), an ID number without its leading zeros (a
    spreadsheet drops them), a serial number in its serial form (already without ``*``,
    spaces or dashes)."""
    if criterion == "debtor_name":
        return n2(normalised)
    if criterion == "id_number":
        return normalised.lstrip("0") or "0"
    return normalised


def _same_name(file_form: str, entry_form: str) -> bool:
    """Two names of one identity (N2) are one entry unless both carry diacritics and
    differ in them: ``NGUYEN VAN HUNG`` removes both ``Nguyễn Văn Hùng`` and ``Nguyễn Văn
    Hưng``, but ``Nguyễn Văn Hùng`` only the first."""
    return (file_form == entry_form or n2(file_form) == file_form
            or n2(entry_form) == entry_form)


def remove_matching(conn: psycopg.Connection[Any], account_id: int,
                    prepared: Iterable[Prepared]) -> int:
    """Delete the account's entries of the same criterion and identity (``identity``) as
    any of ``prepared``, and of the same party type where both name one; returns how
    many. The account's entries of those criteria are read and compared here: a removal
    is rare, and the identity is not a stored column."""
    wanted: dict[tuple[str, str], list[tuple[str | None, str]]] = {}
    for p in prepared:
        key = (p.entry.criterion, identity(p.entry.criterion, p.normalised))
        wanted.setdefault(key, []).append((p.entry.party_type, p.normalised))
    if not wanted:
        return 0
    criteria = sorted({criterion for criterion, _ in wanted})
    with conn.transaction():
        _lock_account(conn, account_id)
        ids: list[int] = []
        with conn.cursor(name="watch_remove") as cur:
            cur.execute("SELECT id, criterion, normalised, party_type FROM watch_entries"
                        " WHERE account_id = %s AND criterion = ANY(%s)",
                        (account_id, criteria))
            for entry_id, criterion, normalised, party_type in cur:
                found = wanted.get((criterion, identity(criterion, normalised)), ())
                if any((party_type is None or kind is None or kind == party_type)
                       and (criterion != "debtor_name" or _same_name(form, normalised))
                       for kind, form in found):
                    ids.append(int(entry_id))
        if ids:
            conn.execute("DELETE FROM watch_entries WHERE id = ANY(%s)", (ids,))
        return len(ids)


def delete(conn: psycopg.Connection[Any], account_id: int, entry_id: int) -> bool:
    found = conn.execute("DELETE FROM watch_entries WHERE account_id = %s AND id = %s",
                         (account_id, entry_id))
    return found.rowcount > 0


def listing(conn: psycopg.Connection[Any], account_id: int, after: int = 0,
            limit: int = 100) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT id, criterion, value, party_type, normalised, client_reference,"
        " alert_on_deletion, created_at FROM watch_entries WHERE account_id = %s AND id > %s"
        " ORDER BY id LIMIT %s", (account_id, after, limit)).fetchall()
    return [{"id": r[0], "criterion": r[1], "value": r[2], "party_type": r[3],
             "normalised": r[4], "client_reference": r[5], "alert_on_deletion": r[6],
             "created_at": r[7].isoformat()} for r in rows]
