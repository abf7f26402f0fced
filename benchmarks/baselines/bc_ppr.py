"""Baseline (c): British Columbia PPR's published exact and similar-match rules.

Implemented from the rules BC publishes (their PPR system, bcgov/ppr on GitHub), adapted to
Vietnamese names as the benchmark brief says; no code copied.

* Serial numbers (chassis, engine, plate; also applied to identity and tax numbers, which BC
  has no search for): exact = equal after removing every non-alphanumeric character (upper
  case); similar = equal *search key*: the last 6 alphanumeric characters, left-padded with
  ``0`` to 6, mapped I→1, L→1, Z→2, H→4, Y→4, S→5, C→6, G→6, B→8, O→0, any other letter → 0.
* Names: keys are upper case, diacritics stripped (``Đ`` → ``D``), punctuation removed,
  white space collapsed.

  - Business (organisation) debtors: the key also loses its legal-form designations, as
    BC's business search key drops ``INC``, ``LTD``, ``COMPANY``, ``CORP`` …: here the
    Vietnamese and English forms (``CONG TY``, ``CTY``, ``TNHH``, ``TRACH NHIEM HUU HAN``,
    ``CO PHAN``, ``CP``, ``CTCP``, ``MTV``, ``DNTN``, ``HTX``, ``TMCP``, ``CO LTD``, ``JSC`` …,
    see ``DESIGNATIONS``); when nothing else is left the whole key is kept. Without this, every
    key opens with ``CONG TY TNHH`` and a pilot run returned BC's 1,000-row cap for almost
    every organisation query. Similar when ``query <% registered`` (pg_trgm
    ``word_similarity(query, registered) >= 0.6``, the default word-similarity threshold BC's
    index condition uses) and ``word_similarity(registered, query) >= 0.60``; exact when the
    keys are equal.
  - Individual debtors: the surname is the first word and the given name the last;
    similar when ``similarity(surname, query surname) >= 0.29`` and
    ``word_similarity(query given name, given name) >= 0.4``; exact when surname and given
    name keys are both equal (middle names do not count, as in BC). BC's further branches
    (nicknames, initials, hyphenated-name splits) have no Vietnamese counterpart and are left
    out.
* Registration numbers: exact only, on the identifier form.
* Results are ordered exact first, then by name, and capped at 1,000 (BC's maximum).

Where it runs: the trigram tests run in PostgreSQL with pg_trgm, in a database of its own
(``baseline_bench``), over the *distinct* surname, given-name and business-name keys (GIN
trigram indexes); the keys are then mapped to registrations by in-memory postings. Serial keys
are plain equality, done with in-memory dictionaries.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from benchmarks.baselines.corpus import SERIAL_CRITERIA, Registration, serial_values
from benchmarks.baselines.simple import identifier_key, strip_diacritics

DATABASE: Final = "baseline_bench"
MAX_RESULTS: Final = 1000
SEARCH_KEY_LENGTH: Final = 6
_SEARCH_KEY_MAP: Final = {"I": "1", "L": "1", "Z": "2", "H": "4", "Y": "4", "S": "5", "C": "6",
                          "G": "6", "B": "8", "O": "0"}
_SEARCH_KEY_TABLE: Final = str.maketrans(
    {letter: _SEARCH_KEY_MAP.get(letter, "0") for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"})
_PUNCTUATION: Final = re.compile(r"[^\w\s]+|_")
_SPACE: Final = re.compile(r"\s+")
SURNAME_SIMILARITY: Final = 0.29
GIVEN_WORD_SIMILARITY: Final = 0.4
BUSINESS_WORD_SIMILARITY: Final = 0.60


def serial_exact_key(text: str) -> str:
    """Upper case, non-alphanumerics removed."""
    return identifier_key(text)


def serial_search_key(text: str) -> str:
    """BC's serial search key: last 6 alphanumerics, left-padded with 0, letters mapped."""
    return search_key_of_exact(serial_exact_key(text))


def search_key_of_exact(exact_key: str) -> str:
    """:func:`serial_search_key` of a value already in exact-key form."""
    tail = exact_key[-SEARCH_KEY_LENGTH:]
    if not tail:
        return ""
    return tail.translate(_SEARCH_KEY_TABLE).rjust(SEARCH_KEY_LENGTH, "0")


@lru_cache(maxsize=1 << 20)
def name_key(text: str) -> str:
    """Upper case, diacritics stripped, punctuation removed, white space collapsed."""
    return _SPACE.sub(" ", _PUNCTUATION.sub("", strip_diacritics(text).upper())).strip()


#: Legal-form designations removed from business keys (word sequences, longest first).
DESIGNATIONS: Final = tuple(sorted((tuple(phrase.split()) for phrase in (
    "CONG TY", "CTY", "TRACH NHIEM HUU HAN", "TNHH", "CO PHAN", "CP", "CTCP", "MOT THANH VIEN",
    "MTV", "HAI THANH VIEN TRO LEN", "DOANH NGHIEP TU NHAN", "DNTN", "HOP TAC XA", "HTX",
    "THUONG MAI CO PHAN", "TMCP", "NHTMCP", "CO LTD", "COMPANY", "LIMITED", "LTD", "JSC",
    "JOINT STOCK", "CORPORATION", "CORP", "LLC")), key=lambda words: -len(words)))


@lru_cache(maxsize=1 << 20)
def business_key(text: str) -> str:
    """:func:`name_key` without legal-form designations (all of it if nothing else is left)."""
    words = name_key(text).split()
    kept: list[str] = []
    position = 0
    while position < len(words):
        for phrase in DESIGNATIONS:
            if tuple(words[position:position + len(phrase)]) == phrase:
                position += len(phrase)
                break
        else:
            kept.append(words[position])
            position += 1
    return " ".join(kept or words)


def person_parts(key: str) -> tuple[str, str] | None:
    """(surname, given name) of a person-name key: its first and last words."""
    words = key.split()
    return (words[0], words[-1]) if words else None


@dataclass
class BCResult:
    exact: list[int]
    similar: list[int]
    total: int  # before the 1,000 cap


def _admin_dsn(dsn: str, database: str) -> str:
    params = conninfo_to_dict(dsn)
    params["dbname"] = database
    return make_conninfo("", **params)


@dataclass
class BCIndex:
    """In-memory postings; :meth:`load_database` puts the distinct keys into PostgreSQL."""

    persons: defaultdict[tuple[str, str], list[int]] = field(
        default_factory=lambda: defaultdict(list))
    businesses: defaultdict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    serial_exact: dict[str, defaultdict[str, list[int]]] = field(default_factory=dict)
    serial_search: dict[str, defaultdict[str, list[int]]] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)
    conn: psycopg.Connection[tuple[object, ...]] | None = None

    def __post_init__(self) -> None:
        for criterion in (*SERIAL_CRITERIA, "id_number"):
            self.serial_exact[criterion] = defaultdict(list)
            self.serial_search[criterion] = defaultdict(list)

    @staticmethod
    def _post(postings: list[int], index: int) -> None:
        if not postings or postings[-1] != index:
            postings.append(index)

    def _add_serial(self, criterion: str, value: str, index: int) -> None:
        exact = serial_exact_key(value)
        if exact:
            self._post(self.serial_exact[criterion][exact], index)
            self._post(self.serial_search[criterion][search_key_of_exact(exact)], index)

    def add(self, index: int, registration: Registration) -> None:
        for party in registration.grantors:
            if party.party_type == "organization":
                key = business_key(party.name)
                if key:
                    self._post(self.businesses[key], index)
            else:
                parts = person_parts(name_key(party.name))
                if parts:
                    self._post(self.persons[parts], index)
            if party.id_number:
                self._add_serial("id_number", party.id_number, index)
        for criterion in SERIAL_CRITERIA:
            for value in serial_values(registration, criterion):
                self._add_serial(criterion, value, index)
        self.numbers[identifier_key(registration.number)] = index

    # --- the database of distinct keys ---------------------------------------------------

    def _key_tables(self) -> dict[str, set[str]]:
        return {"bc_surname": {s for s, _ in self.persons},
                "bc_given": {g for _, g in self.persons},
                "bc_business": set(self.businesses)}

    def load_database(self, dsn: str, rebuild: bool) -> bool:
        """Create ``baseline_bench`` and load the distinct keys; returns True if it loaded
        (False: the tables were already there with the same row counts)."""
        tables = self._key_tables()
        with psycopg.connect(_admin_dsn(dsn, "postgres"), autocommit=True) as admin:
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                   (DATABASE,)).fetchone()
            if not exists:
                admin.execute(f'CREATE DATABASE "{DATABASE}"')
        with psycopg.connect(_admin_dsn(dsn, DATABASE), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            if not rebuild and all(_count(conn, t) == len(keys) for t, keys in tables.items()):
                return False
            for table, keys in tables.items():
                conn.execute(f"DROP TABLE IF EXISTS {table}")
                conn.execute(f"CREATE TABLE {table} (key text PRIMARY KEY)")
                with conn.cursor().copy(f"COPY {table} (key) FROM STDIN") as copy:
                    for key in keys:
                        copy.write_row((key,))
                conn.execute(f"CREATE INDEX {table}_trgm ON {table} USING gin (key gin_trgm_ops)")
                conn.execute(f"ANALYZE {table}")
        return True

    def connect(self, dsn: str) -> None:
        self.conn = psycopg.connect(_admin_dsn(dsn, DATABASE), autocommit=True)
        self.conn.execute(f"SET pg_trgm.word_similarity_threshold = {BUSINESS_WORD_SIMILARITY}")

    # --- searches ----------------------------------------------------------------------------

    def _keys(self, sql: str, *params: str) -> list[str]:
        assert self.conn is not None, "connect() first"
        return [str(row[0]) for row in self.conn.execute(sql, params).fetchall()]

    def search_person(self, query: str) -> BCResult:
        parts = person_parts(name_key(query))
        if parts is None:
            return BCResult([], [], 0)
        surname, given = parts
        surnames = self._keys("SELECT key FROM bc_surname WHERE similarity(key, %s) >= "
                              f"{SURNAME_SIMILARITY}", surname)
        givens = set(self._keys("SELECT key FROM bc_given WHERE word_similarity(%s, key) >= "
                                f"{GIVEN_WORD_SIMILARITY}", given))
        ranked: list[tuple[int, tuple[str, str], int]] = []
        for s in surnames:
            for g in givens:
                postings = self.persons.get((s, g))
                if postings:
                    tier = 0 if (s, g) == parts else 1
                    ranked.extend((tier, (s, g), index) for index in postings)
        return _capped(ranked)

    def search_business(self, query: str) -> BCResult:
        key = business_key(query)
        if not key:
            return BCResult([], [], 0)
        keys = self._keys("SELECT key FROM bc_business WHERE %s <%% key AND "
                          f"word_similarity(key, %s) >= {BUSINESS_WORD_SIMILARITY}", key, key)
        ranked = [(0 if k == key else 1, (k, ""), index) for k in keys
                  for index in self.businesses[k]]
        return _capped(ranked)

    def search_serial(self, criterion: str, query: str) -> BCResult:
        exact_key = serial_exact_key(query)
        if not exact_key:
            return BCResult([], [], 0)
        exact = self.serial_exact[criterion].get(exact_key, [])
        seen = set(exact)
        similar = [i for i in self.serial_search[criterion].get(serial_search_key(query), [])
                   if i not in seen]
        ranked = [(0, ("", ""), i) for i in exact] + [(1, ("", ""), i) for i in similar]
        return _capped(ranked)

    def search(self, criterion: str, query: str, party_type: str | None) -> BCResult:
        if criterion == "debtor_name":
            if party_type == "organization":
                return self.search_business(query)
            return self.search_person(query)
        if criterion == "registration_number":
            number = self.numbers.get(identifier_key(query))
            return BCResult([] if number is None else [number], [], int(number is not None))
        return self.search_serial(criterion, query)


def _count(conn: psycopg.Connection[tuple[object, ...]], table: str) -> int:
    exists = conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()
    if not exists or exists[0] is None:
        return -1
    row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(str(row[0])) if row else -1


def _capped(ranked: list[tuple[int, tuple[str, str], int]]) -> BCResult:
    ranked.sort()
    total = len(ranked)
    shown = ranked[:MAX_RESULTS]
    return BCResult([i for tier, _, i in shown if tier == 0],
                    [i for tier, _, i in shown if tier == 1], total)
