"""One search result (``api.models.SearchResult``) as plain values, in the model's field
order: written directly by the search response and the batch results, which make many of
them (the models cost a sixth of a name search's API CPU)."""

from __future__ import annotations

from typing import Any

from query.search import Match


def result_values(match: Match, registration: dict[str, Any]) -> dict[str, Any]:
    """The match as ``SearchResult.model_dump`` gives it, with ``registration`` shown."""
    return {"tier": match.tier, "score": round(match.score, 4), "reasons": list(match.reasons),
            "matched": {"role": match.role, "position": match.position, "field": match.field,
                        "value_as_registered": match.value_as_registered},
            "registration": registration}
