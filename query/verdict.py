"""The verdict of the pair classifier: a tier, the reasons that apply and a score.

Shared by the rules for names (``query.classify_names``) and for numbers
(``query.classify_numbers``); ``query.classify`` puts them together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal

from rapidfuzz.distance import OSA

from query import reasons as r

Tier = Literal["exact", "close"]
_TIER_RANK: Final = {"exact": 0, "close": 1, None: 2}


@dataclass(frozen=True, slots=True)
class Classification:
    """Tier (None: no match), every reason that applies, and the score in [0, 1]."""

    tier: Tier | None
    reasons: tuple[str, ...]
    score: float

    def rank(self) -> tuple[int, float]:
        """Sort key: better results first."""
        return (_TIER_RANK[self.tier], -self.score)


NO_MATCH: Final = Classification(None, (), 0.0)

def verdict(tier: Tier, codes: Sequence[str]) -> Classification:
    """The (cached) classification of a tier and its reason codes."""
    return _cached_verdict(tier, tuple(codes))


@lru_cache(maxsize=1024)
def _cached_verdict(tier: Tier, codes: tuple[str, ...]) -> Classification:
    return Classification(tier, r.ordered(codes), r.score(codes))


def best(results: Sequence[Classification]) -> Classification:
    """The best of several results (NO_MATCH when there are none)."""
    best = NO_MATCH
    for result in results:
        if result.rank() < best.rank():
            best = result
    return best


def one_edit(a: str, b: str) -> bool:
    """At most one insert, delete, substitution or adjacent swap apart."""
    return OSA.distance(a, b, score_cutoff=1) <= 1
