"""The stored result of one row: per criterion, the single search's exact and close tiers.

A match keeps what the exports show (tier, score, reasons, the party or asset
and field that matched with the value as registered) and a summary of its
registration: number, kind, status and registration time.

A job searches each distinct lookup (criterion, value as written, party type) once:
its tiers are stored once per job (``lookup_result``, table ``batch_lookups``) and
every row that asks it refers to it by ``lookup_key`` (``row_result``). Readers get
the row's result with the tiers in place (``expanded``), as one search would give.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import orjson

from batch.rows import RowCriterion
from certify.result_values import result_values
from query.multi import Lookup
from query.search import REGISTRATION_SUMMARY, Match, SearchOutcome

#: The key of a criterion's entry that refers to its lookup's stored tiers.
LOOKUP_REF = "lookup"


def lookup_of(criterion: RowCriterion) -> Lookup:
    return Lookup(criterion.criterion, criterion.value, criterion.party_type)


def lookup_key(lookup: Lookup) -> str:
    """A stable key of the lookup within a job (the value exactly as written: reasons
    such as a changed case or dropped diacritics depend on it)."""
    text = orjson.dumps([lookup.criterion, lookup.party_type, lookup.value])
    return hashlib.blake2b(text, digest_size=16).hexdigest()


def match_dict(match: Match) -> dict[str, Any]:
    """A search result (``api.models.SearchResult``, as ``model_dump`` gives it) with the
    registration's summary in place of the whole registration; built directly, since a
    batch writes millions of them."""
    return result_values(match, {key: match.registration.get(key)
                                 for key in REGISTRATION_SUMMARY})


def lookup_result(outcome: SearchOutcome) -> dict[str, Any]:
    """What one lookup found: its normal form and both tiers."""
    return {
        "normalised": outcome.normalised,
        "exact": {"count": len(outcome.exact),
                  "results": [match_dict(m) for m in outcome.exact]},
        "close": {"count": len(outcome.close) + outcome.close_left_out,
                  "shown": len(outcome.close), "left_out": outcome.close_left_out,
                  "results": [match_dict(m) for m in outcome.close]},
    }


def row_result(criteria: list[RowCriterion], failed: Mapping[Lookup, str],
               duplicate_of: int | None) -> dict[str, Any]:
    """The row's result as stored: each criterion refers to its lookup's tiers; ``error``
    names the reference of a criterion whose search failed. The watermark is added when
    the chunk is written (the earliest of the lookups it uses)."""
    errors = [failed[lookup_of(c)] for c in criteria if lookup_of(c) in failed]
    return {
        "criteria": [] if errors else [{**c.as_dict(), LOOKUP_REF: lookup_key(lookup_of(c))}
                                       for c in criteria],
        "duplicate_of": duplicate_of,
        "error": {"reference": errors[0]} if errors else None,
    }


def lookup_refs(result: Mapping[str, Any]) -> list[str]:
    """The lookup keys a stored row result refers to."""
    return [c[LOOKUP_REF] for c in result.get("criteria", ()) if LOOKUP_REF in c]


def expanded(result: dict[str, Any], lookups: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """The row's result with each criterion's tiers in place of its reference (results
    stored before lookups were shared hold their tiers already and come back as they are).
    Rows asking the same lookup share its tier objects: treat them as read-only."""
    criteria = result.get("criteria")
    if not criteria or not any(LOOKUP_REF in c for c in criteria):
        return result
    whole = []
    for found in criteria:
        key = found.get(LOOKUP_REF)
        if key is not None:
            found = {k: v for k, v in found.items() if k != LOOKUP_REF}
            found.update(lookups[key])
        whole.append(found)
    return {**result, "criteria": whole}
