"""The stored result of one row: per criterion, the single search's exact and close tiers.

A match keeps what the exports show (tier, score, reasons, the party or asset
and field that matched with the value as registered) and a summary of its
registration: number, kind, status and registration time.
"""

from __future__ import annotations

from typing import Any

from api.batch.rows import Criterion
from query.multi import Lookup
from query.search import REGISTRATION_SUMMARY, Match, SearchOutcome


def lookup_of(criterion: Criterion) -> Lookup:
    return Lookup(criterion.criterion, criterion.value, criterion.party_type)


def match_dict(match: Match) -> dict[str, Any]:
    """A search result (``api.models.SearchResult``, as ``model_dump`` gives it) with the
    registration's summary in place of the whole registration; built directly, since a
    batch writes millions of them."""
    return {
        "tier": match.tier,
        "score": round(match.score, 4),
        "reasons": list(match.reasons),
        "matched": {"role": match.role, "position": match.position, "field": match.field,
                    "value_as_registered": match.value_as_registered},
        "registration": {key: match.registration.get(key) for key in REGISTRATION_SUMMARY},
    }


def criterion_result(criterion: Criterion, outcome: SearchOutcome) -> dict[str, Any]:
    return {
        **criterion.as_dict(),
        "normalised": outcome.normalised,
        "exact": {"count": len(outcome.exact),
                  "results": [match_dict(m) for m in outcome.exact]},
        "close": {"count": len(outcome.close) + outcome.close_left_out,
                  "shown": len(outcome.close), "left_out": outcome.close_left_out,
                  "results": [match_dict(m) for m in outcome.close]},
    }


def row_result(criteria: list[Criterion], outcomes: dict[Lookup, SearchOutcome],
               failed: dict[Lookup, str], duplicate_of: int | None,
               registry_current_as_of: str | None) -> dict[str, Any]:
    """The row's result; ``error`` names the reference of a criterion whose search failed."""
    errors = [failed[lookup_of(c)] for c in criteria if lookup_of(c) in failed]
    return {
        "criteria": [] if errors else [criterion_result(c, outcomes[lookup_of(c)])
                                       for c in criteria],
        "duplicate_of": duplicate_of,
        "registry_current_as_of": registry_current_as_of,
        "error": {"reference": errors[0]} if errors else None,
    }
