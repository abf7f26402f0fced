"""One search result (``api.models.SearchResult``) as plain values, in the model's field
order: written directly by the search response and the batch results, which make many of
them (the models cost a sixth of a name search's API CPU)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from certify.wording import part_label, reason, reason_codes
from query.search import Match

PARTS = ("grantors", "secured_parties", "assets", "obligation")


@lru_cache(maxsize=64)
def part_labels(kind: str, role: str) -> dict[str, dict[str, str]]:
    """What the registration's parts are called for its kind, and the part matched (a
    seizure notice: judgment debtor, enforcement office, seized property, seizure
    decision). One shared dict per kind and role: callers must not change it."""
    named = {part: part_label(kind, part) for part in PARTS}
    named["matched_role"] = part_label(kind, f"role_{role}")
    return {part: {"vi": text.vi, "en": text.en} for part, text in named.items()}


@lru_cache(maxsize=64)
def _worded(code: str) -> dict[str, str]:
    if code not in reason_codes():  # a code without wording yet: the code itself
        return {"code": code, "vi": code, "en": code}
    words = reason(code)
    return {"code": code, "vi": words.vi, "en": words.en}


def reasons_text(codes: tuple[str, ...] | list[str]) -> list[dict[str, str]]:
    """The reasons in words, as certificates word them (``certify/data/reasons.json``);
    the dicts are shared between results: read them, never change them."""
    return [_worded(code) for code in codes]


def result_values(match: Match, registration: dict[str, Any]) -> dict[str, Any]:
    """The match as ``SearchResult.model_dump`` gives it, with ``registration`` shown."""
    return {"tier": match.tier, "score": round(match.score, 4), "reasons": list(match.reasons),
            "reasons_text": reasons_text(match.reasons),
            "matched": {"role": match.role, "position": match.position, "field": match.field,
                        "value_as_registered": match.value_as_registered},
            "labels": part_labels(str(match.registration.get("kind") or ""), match.role),
            "registration": registration}
