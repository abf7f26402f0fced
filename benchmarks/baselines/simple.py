"""Baseline (a): exact equality after a simple normalisation, as the public search does today.

Names: lower case, diacritics stripped (``đ`` → ``d``), runs of white space collapsed to one
space; the whole name must be equal. Numbers (identity, tax, chassis, engine, plate and
registration numbers): equal in identifier form (upper-case ASCII letters and digits only).
No tiers: everything it finds is an exact match. Built in memory from the corpus file.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import Final

from benchmarks.baselines.corpus import SERIAL_CRITERIA, Registration, serial_values

_SPACE: Final = re.compile(r"\s+")
_NOT_ID: Final = re.compile(r"[^A-Z0-9]+")
_D: Final = str.maketrans({"đ": "d", "Đ": "D"})


class _StripTable(dict[int, str]):
    """``str.translate`` table, filled one character at a time as characters are seen."""

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFD", chr(code).translate(_D))
        stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        self[code] = stripped
        return stripped


_STRIP: Final = _StripTable()


def strip_diacritics(text: str) -> str:
    """Combining marks removed after NFD, and ``đ``/``Đ`` → ``d`` (NFD keeps ``đ``)."""
    return text if text.isascii() else unicodedata.normalize("NFC", text).translate(_STRIP)


@lru_cache(maxsize=1 << 20)
def simple_name_key(text: str) -> str:
    """Lower case, diacritics stripped, white space collapsed and trimmed."""
    return _SPACE.sub(" ", strip_diacritics(text).lower()).strip()


def identifier_key(text: str) -> str:
    """Upper-case ASCII letters and digits only: ``0101234567-001`` → ``0101234567001``."""
    upper = text.upper() if text.isascii() else strip_diacritics(text).upper()
    return upper if upper.isalnum() and upper.isascii() else _NOT_ID.sub("", upper)


class SimpleIndex:
    """Dictionaries from key to registration indices, one per criterion."""

    def __init__(self) -> None:
        self._maps: dict[str, defaultdict[str, list[int]]] = {
            criterion: defaultdict(list) for criterion in (
                "debtor_name", "id_number", *SERIAL_CRITERIA, "registration_number")}

    def _add(self, criterion: str, key: str, index: int) -> None:
        if key:
            postings = self._maps[criterion][key]
            if not postings or postings[-1] != index:
                postings.append(index)

    def add(self, index: int, registration: Registration) -> None:
        for party in registration.grantors:
            self._add("debtor_name", simple_name_key(party.name), index)
            if party.id_number:
                self._add("id_number", identifier_key(party.id_number), index)
        for criterion in SERIAL_CRITERIA:
            for value in serial_values(registration, criterion):
                self._add(criterion, identifier_key(value), index)
        self._add("registration_number", identifier_key(registration.number), index)

    def build(self, registrations: Iterable[Registration]) -> None:
        for index, registration in enumerate(registrations):
            self.add(index, registration)

    def search(self, criterion: str, value: str) -> list[int]:
        key = simple_name_key(value) if criterion == "debtor_name" else identifier_key(value)
        return list(self._maps[criterion].get(key, ()))
