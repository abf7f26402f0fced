"""Ground truth of the exact tier, computed without Elasticsearch and without the engine's keys.

The corpus file is scanned once. For each query, an *independent prefilter* picks every
registration that could possibly be an exact match, and the contract's pair classifier
(``query.classify.classify``) then decides each candidate. The prefilter must only be
complete (a superset), never precise:

* names: every grantor name is folded (``unidecode``, lower case, everything but ``a-z0-9``
  removed; VNI-Windows text is also decoded first, by the generator's own decoder, as a whole
  and word by word, since names mix Unicode and legacy words) and the
  folded names are joined into one text. An exact match has the query's words, in order, as
  its own words (the honorific, legal-form and branch words aside), so every run of
  query words outside a generous list of such words, folded and concatenated, occurs in the
  folded name of every exact match. Each occurrence of the rarest run names a candidate
  when the registration's folded names hold the other runs too.
* identity and tax numbers: equal identifier form, or a 13-digit number whose first 10 digits
  are the query (a branch and its parent).
* chassis, engine and plate numbers: equal serial form (identifier form, then O, Q → 0 and
  I → 1); registration numbers: equal identifier form.

Registrations written or changed in the registry after the corpus file was loaded (other
benchmarks share the benchmark registry) are read from the registry's tables
(:func:`registry_delta`) and checked the same way.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, Final

import psycopg
from unidecode import unidecode

from benchmarks.baselines.corpus import (
    SERIAL_CRITERIA,
    Asset,
    Party,
    Registration,
    serial_values,
)
from query.classify import classify
from registry.synthetic import vni

_WORD: Final = re.compile(r"[^\W_]+")
_NOT_FOLDED: Final = re.compile(r"[^a-z0-9]+")
_NOT_ID: Final = re.compile(r"[^A-Z0-9]+")
_SERIAL: Final = str.maketrans({"O": "0", "Q": "0", "I": "1"})

#: Words an exact match need not share with the query in place: honorifics, and every word of
#: a legal form or branch marker (Vietnamese, abbreviated and English). Generous on purpose.
_SKIP_TEXT: Final = (
    "ong ba anh chi mr mrs ms miss "
    "cong ty cty tnhh trach nhiem huu han mot hai thanh vien mtv co phan cp ctcp jsc jsco "
    "doanh nghiep tu nhan dntn hop tac xa htx ngan hang thuong mai tmcp nhtmcp nh nhanh branch "
    "company limited ltd llc liability joint stock member one tro len danh 1 2")
SKIP_WORDS: Final = frozenset(_SKIP_TEXT.split())


@lru_cache(maxsize=1 << 20)
def fold(text: str) -> str:
    return _NOT_FOLDED.sub("", unidecode(unicodedata.normalize("NFC", text)).lower())


def folded_words(text: str) -> list[str]:
    words = (fold(w) for w in _WORD.findall(unicodedata.normalize("NFC", text)))
    return [w for w in words if w]


#: Word-by-word readings of one name at most (a name of up to 6 legacy-looking words).
_MAX_READINGS = 64


@lru_cache(maxsize=1 << 20)
def _name_keys(name: str) -> tuple[str, ...]:
    """The folded name, its folded VNI reading when it decodes as VNI, and every reading
    with each word as written or decoded on its own: real names mix Unicode words and
    legacy-encoded ones ("Nguyeãn Hoàng Hoa"), and decoding the whole name would misread
    the Unicode words ("Hoàng" as VNI is "Hồng")."""
    keys = [fold(name)]
    if not name.isascii():
        decoded = vni.decode(name)
        if decoded and decoded != name and fold(decoded) != keys[0]:
            keys.append(fold(decoded))
        choices = []
        for word in _WORD.findall(unicodedata.normalize("NFC", name)):
            readings = {fold(word)}
            word_decoded = word if word.isascii() else vni.decode(word)
            if word_decoded and word_decoded != word:
                readings.add(fold(word_decoded))
            choices.append(sorted(readings))
        if math.prod(len(c) for c in choices) <= _MAX_READINGS:
            for reading in itertools.product(*choices):
                joined = "".join(reading)
                if joined not in keys:
                    keys.append(joined)
    return tuple(keys)


def readings(text: str) -> list[str]:
    """``text`` as written, decoded from VNI as a whole, and with each word as written or
    decoded on its own (at most ``_MAX_READINGS`` of those): the classifier reads legacy
    words in a query as it reads them in a registered name."""
    found = [text]
    if text.isascii():
        return found
    decoded = vni.decode(text)
    if decoded and decoded != text:
        found.append(decoded)
    choices = []
    for word in _WORD.findall(unicodedata.normalize("NFC", text)):
        word_decoded = word if word.isascii() else vni.decode(word)
        choices.append([word] if not word_decoded or word_decoded == word
                       else [word, word_decoded])
    if math.prod(len(c) for c in choices) <= _MAX_READINGS:
        for reading in itertools.product(*choices):
            joined = " ".join(reading)
            if joined not in found:
                found.append(joined)
    return found


def runs(query: str) -> list[str]:
    """The runs of query words outside ``SKIP_WORDS``, each folded and concatenated, the
    longest first (the first of equal length first)."""
    found, run = [], ""
    for word in folded_words(query):
        if word in SKIP_WORDS:
            found.append(run)
            run = ""
        else:
            run += word
    found.append(run)
    return sorted((r for r in found if r), key=len, reverse=True)


def needle(query: str) -> str:
    """The longest run of query words outside ``SKIP_WORDS``, folded and concatenated."""
    found = runs(query)
    return found[0] if found else ""


def id_form(text: str) -> str:
    upper = (text if text.isascii() else unidecode(text)).upper()
    return upper if upper.isalnum() and upper.isascii() else _NOT_ID.sub("", upper)


def serial_form(text: str) -> str:
    return id_form(text).translate(_SERIAL)


class ExactTruth:
    """Built from the corpus in one pass (:meth:`add`), then :meth:`freeze`."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._owners: list[int] = []
        self._starts: list[int] = []
        self._text = ""
        self._ids: defaultdict[str, set[int]] = defaultdict(set)
        self._serials: dict[str, defaultdict[str, set[int]]] = {
            c: defaultdict(set) for c in SERIAL_CRITERIA}
        self._numbers: dict[str, int] = {}

    def add(self, index: int, registration: Registration) -> None:
        for party in registration.grantors:
            for key in _name_keys(party.name):
                self._parts.append(key)
                self._owners.append(index)
            if party.id_number:
                form = id_form(party.id_number)
                self._ids[form].add(index)
                if len(form) == 13:
                    self._ids[form[:10]].add(index)
        for criterion in SERIAL_CRITERIA:
            for value in serial_values(registration, criterion):
                self._serials[criterion][serial_form(value)].add(index)
        self._numbers[id_form(registration.number)] = index

    def freeze(self) -> None:
        position = 0
        for part in self._parts:
            self._starts.append(position)
            position += len(part) + 1
        self._text = "\n".join(self._parts)
        self._parts = []

    def name_candidates(self, query: str) -> set[int] | None:
        """Registrations whose folded grantor names contain every run of one of the query's
        :func:`readings` (:func:`runs`); None when a reading has none (nothing but
        honorific or legal-form words)."""
        found: set[int] = set()
        for reading in readings(query):
            wanted = runs(reading)
            if not wanted:
                return None
            found |= self._holding_every_run(wanted)
        return found

    def _holding_every_run(self, wanted: list[str]) -> set[int]:
        """Registrations whose folded grantor names contain every run of ``wanted``. The
        rarest run is looked up, the others only checked where it occurs: the longest run
        alone can be a surname ("Nguyễn Công Vinh": "công" is a legal-form word), found in
        a third of all registrations."""
        if len(wanted) > 1:  # the rarest run first
            wanted.sort(key=self._text.count)
        first, rest = wanted[0], wanted[1:]
        found: set[int] = set()
        position = self._text.find(first)
        while position >= 0:
            entry = bisect.bisect_right(self._starts, position) - 1
            start, end = self._names_of(entry)
            if all(run in self._text[start:end] for run in rest):
                found.add(self._owners[entry])
            position = self._text.find(first, end)
        return found

    def _names_of(self, entry: int) -> tuple[int, int]:
        """Where the folded names of ``entry``'s registration are in the text (its entries
        are next to one another)."""
        owner, owners = self._owners[entry], self._owners
        low, high = entry, entry + 1
        while low > 0 and owners[low - 1] == owner:
            low -= 1
        while high < len(owners) and owners[high] == owner:
            high += 1
        return self._starts[low], (self._starts[high] - 1 if high < len(self._starts)
                                   else len(self._text))

    def candidates(self, criterion: str, query: str) -> set[int] | None:
        if criterion == "debtor_name":
            return self.name_candidates(query)
        if criterion == "id_number":
            return set(self._ids.get(id_form(query), ()))
        if criterion in SERIAL_CRITERIA:
            return set(self._serials[criterion].get(serial_form(query), ()))
        number = self._numbers.get(id_form(query))
        return set() if number is None else {number}

    def exact_set(self, criterion: str, query: str, party_type: str | None,
                  registrations: list[Registration]) -> set[int] | None:
        """Indices of the registrations the contract calls exact for the query
        (deleted ones too); None when the prefilter cannot bound the query."""
        candidates = self.candidates(criterion, query)
        if candidates is None:
            return None
        return {index for index in candidates
                if _is_exact(criterion, query, party_type, registrations[index])}


#: The registry's rows a ground truth reads: grantors and assets of the registrations picked
#: by a condition on ``registration_id`` (a list of ids, or a range of them).
_GRANTORS_SQL: Final = (
    "SELECT registration_id, party_type, name, id_type, id_number FROM parties"
    " WHERE role = 'grantor' AND {where} ORDER BY registration_id, position")
_ASSETS_SQL: Final = (
    "SELECT registration_id, chassis_number, engine_number, plate_number FROM assets"
    " WHERE {where} ORDER BY registration_id, position")

Head = tuple[Any, Any, Any]  # registrations' (id, registration_number, status)


def rows_to_registrations(heads: Sequence[Head], grantor_rows: Iterable[Sequence[Any]],
                          asset_rows: Iterable[Sequence[Any]]) -> list[Registration]:
    """Registrations (in the order of ``heads``) from the registry's rows: ``heads`` as
    (id, number, status), grantors as (registration id, party type, name, id type, id
    number) and assets as (registration id, chassis, engine, plate), each in position order."""
    grantors: defaultdict[int, list[Party]] = defaultdict(list)
    for rid, party_type, name, id_type, id_number in grantor_rows:
        grantors[int(rid)].append(Party(str(name), party_type, id_type, id_number))
    assets: defaultdict[int, list[Asset]] = defaultdict(list)
    for rid, chassis, engine, plate in asset_rows:
        assets[int(rid)].append(Asset(chassis, engine, plate))
    return [Registration(str(number), str(status), tuple(grantors[int(rid)]),
                         tuple(assets[int(rid)])) for rid, number, status in heads]


def read_registrations(conn: psycopg.Connection[Any], heads: Sequence[Head], where: str,
                       params: Sequence[Any]) -> list[Registration]:
    """``heads``' registrations, their grantors and assets read with the condition ``where``
    on ``registration_id`` (it must pick every one of ``heads``)."""
    grantors = conn.execute(_GRANTORS_SQL.format(where=where), params).fetchall()
    assets = conn.execute(_ASSETS_SQL.format(where=where), params).fetchall()
    return rows_to_registrations(heads, grantors, assets)


def registry_delta(dsn: str, after_number: str) -> list[Registration]:
    """Registrations the registry wrote or changed after it loaded ``after_number`` (the last
    registration of the corpus file): other benchmarks write to the same registry, so the
    ground truth is the file plus these, read from the registry's own tables."""
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT updated_at FROM registrations WHERE registration_number = %s",
                           (after_number,)).fetchone()
        if row is None:
            return []
        heads = conn.execute(
            "SELECT id, registration_number, status FROM registrations WHERE updated_at > %s",
            (row[0],)).fetchall()
        return read_registrations(conn, heads, "registration_id = ANY(%s)",
                                  ([int(h[0]) for h in heads],))


def _values(criterion: str, registration: Registration) -> Iterable[tuple[str, str | None]]:
    if criterion == "debtor_name":
        return ((p.name, p.party_type) for p in registration.grantors if p.name)
    if criterion == "id_number":
        return ((p.id_number, None) for p in registration.grantors if p.id_number)
    if criterion in SERIAL_CRITERIA:
        return ((v, None) for v in serial_values(registration, criterion))
    return ((registration.number, None),)


def _is_exact(criterion: str, query: str, party_type: str | None,
              registration: Registration) -> bool:
    for value, registered_type in _values(criterion, registration):
        if party_type is not None and registered_type is not None \
                and registered_type != party_type:
            continue
        if classify(criterion, value, query, registered_type or party_type).tier == "exact":
            return True
    return False
