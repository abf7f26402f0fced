"""Candidate keys in reverse: a watch entry is keyed like a query, a registered value like
a document, and the two meet in the table ``watch_keys``.

The forward search (``query.candidates``) looks up a query's keys among the index's
keyword fields, plus two server-side lookups for ``suffix_match`` on serial numbers. The
reverse lookup turns each of those into a plain key lookup, namespaced by criterion:

* names, ID numbers: the entry stores ``name_query_keys``/``id_query_keys`` (exact and
  close); a registered value looks up ``name_index_keys``/``id_index_keys``. The same
  functions the indexer and the query use, so the guarantees of ``normalizers.keys``
  (every exact or close pair shares a key) carry over unchanged.
* serial numbers: the entry stores ``serial_query_keys`` (exact, close) and its ``tails``
  (the query's tails of 8 or more characters); a registered value looks up its
  ``serial_index_keys`` (exact, close, where its exact form meets an entry's tail) and its
  own proper tails of 8 or more characters (where the forward search ran ``prefix`` on the
  reversed form: the entry is a tail of the registered number).

Pure functions; ``tests/watch/test_keys.py`` checks by property that every pair the
classifier calls exact or close shares a key.
"""

from __future__ import annotations

import hashlib
from typing import Final

from normalizers import keys
from query.criteria import SERIAL_CRITERIA, WATCHABLE_CRITERIA

#: Each criterion an entry may watch (``query.criteria.WATCHABLE_CRITERIA``, in its order)
#: and its namespace in ``watch_keys``.
NAMESPACES: Final[dict[str, str]] = {
    "debtor_name": "n", "id_number": "i", "chassis_number": "c", "engine_number": "e",
    "plate_number": "p"}


def stored(key: str) -> int:
    """The 64-bit form a key is stored and looked up by in ``watch_keys``. A collision
    only adds a candidate, which the classifier then refuses; 8 bytes a key in the table
    and its index where the text keys take 10 to 40."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big",
                          signed=True)


def _spaced(criterion: str, found: set[str] | frozenset[str]) -> list[str]:
    space = NAMESPACES[criterion]
    return sorted(f"{space}|{key}" for key in found)


def entry_keys(criterion: str, value: str, party_type: str | None) -> tuple[str, list[str]]:
    """The normalised form of a watched value and its keys (empty: it normalises to
    nothing and cannot be watched)."""
    if criterion == "debtor_name":
        name = keys.name_query_keys(value, party_type)
        return name.normalised, _spaced(criterion, name.exact | name.close)
    if criterion == "id_number":
        number = keys.id_query_keys(value)
        return number.normalised, _spaced(criterion, number.exact | number.close)
    if criterion in SERIAL_CRITERIA:
        serial = keys.serial_query_keys(value)
        return serial.normalised, _spaced(
            criterion, serial.exact | serial.close | set(serial.tails))
    raise ValueError(f"unknown criterion {criterion!r}; expected one of {WATCHABLE_CRITERIA}")


def registered_keys(criterion: str, value: str) -> list[str]:
    """The keys a registered value is looked up by, among the entries of ``criterion``."""
    if criterion == "debtor_name":
        name = keys.name_index_keys(value)
        return _spaced(criterion, name.exact | name.close)
    if criterion == "id_number":
        number = keys.id_index_keys(value)
        return _spaced(criterion, number.exact | number.close)
    if criterion in SERIAL_CRITERIA:
        serial = keys.serial_index_keys(value)
        form = serial.normalised
        tails = {form[start:] for start in range(1, len(form) - keys.MIN_SUFFIX + 1)}
        return _spaced(criterion, serial.exact | serial.close | tails)
    raise ValueError(f"unknown criterion {criterion!r}; expected one of {WATCHABLE_CRITERIA}")
