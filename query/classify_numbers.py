"""The contract's rules for numbers: identity and tax numbers, serials (chassis,
engine, plate) and the registry's own registration numbers."""

from __future__ import annotations

from normalizers.identifiers import identifier_form, separator_pattern, tax_parent
from normalizers.keys import MIN_CLOSE_ID, MIN_CLOSE_SERIAL, MIN_SUFFIX
from normalizers.serials import serial_from_identifier
from query import reasons as r
from query.verdict import NO_MATCH, Classification, one_edit, verdict


def _separators(registered: str, query: str) -> list[str]:
    if separator_pattern(registered) != separator_pattern(query):
        return [r.SEPARATORS_IGNORED]
    return []


def classify_id(registered: str, query: str) -> Classification:
    a, b = identifier_form(registered), identifier_form(query)
    if not a or not b:
        return NO_MATCH
    if a == b:
        return verdict("exact", _separators(registered, query))
    if tax_parent(a) == b:
        return verdict("exact", [r.BRANCH_OF])
    if a.isdigit() and b.isdigit() and {len(a), len(b)} == {9, 12}:
        return NO_MATCH  # CMND and CCCD cannot be linked from the numbers alone
    if len(a) < MIN_CLOSE_ID or len(b) < MIN_CLOSE_ID:
        return NO_MATCH
    codes: list[str] = []
    if a.lstrip("0") == b.lstrip("0"):
        codes.append(r.LEADING_ZEROS)
    elif len(a) == len(b) and one_edit(a, b):
        codes.append(r.EDIT_DISTANCE)
    if not codes:
        return NO_MATCH
    return verdict("close", codes + _separators(registered, query))


def _is_suffix(registered: str, query: str) -> bool:
    return ((len(query) >= MIN_SUFFIX and registered.endswith(query))
            or (len(registered) >= MIN_SUFFIX and query.endswith(registered)))


def classify_serial(registered: str, query: str) -> Classification:
    id_a, id_b = identifier_form(registered), identifier_form(query)
    a, b = serial_from_identifier(id_a), serial_from_identifier(id_b)
    if not a or not b:
        return NO_MATCH
    separators = _separators(registered, query)
    if a == b:
        return verdict("exact", separators + ([r.CONFUSABLE_CHARS] if id_a != id_b else []))
    if len(b) < MIN_CLOSE_SERIAL:
        return NO_MATCH
    codes: list[str] = []
    if one_edit(a, b):
        codes.append(r.EDIT_DISTANCE)
        if not one_edit(id_a, id_b):
            codes.append(r.CONFUSABLE_CHARS)
    if _is_suffix(a, b):
        codes.append(r.SUFFIX_MATCH)
        if not _is_suffix(id_a, id_b):
            codes.append(r.CONFUSABLE_CHARS)
    if not codes:
        return NO_MATCH
    return verdict("close", codes + separators)


def classify_registration_number(registered: str, query: str) -> Classification:
    a, b = identifier_form(registered), identifier_form(query)
    if a and a == b:
        return verdict("exact", _separators(registered, query))
    return NO_MATCH
