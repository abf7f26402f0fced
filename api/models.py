"""Response bodies of the search API (its request body is ``query.request.SearchRequest``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from certify.result_values import reasons_text
from freshness.watermark import Watermark


class MatchedField(BaseModel):
    role: Literal["grantor", "asset", "registration"]
    position: int
    field: str
    value_as_registered: str


class Wording(BaseModel):
    vi: str
    en: str


class PartLabels(BaseModel):
    """What the registration's parts are called for its kind: a seizure notice
    (``seizure_notice``) names a judgment debtor, an enforcement office, seized property
    and a seizure decision where a security interest names grantors, secured parties,
    collateral and a security agreement."""

    grantors: Wording
    secured_parties: Wording
    assets: Wording
    obligation: Wording
    matched_role: Wording = Field(description="The part the match was found in")


class ReasonText(BaseModel):
    code: str
    vi: str = Field(description="The reason in Vietnamese, as certificates word it")
    en: str


class SearchResult(BaseModel):
    tier: Literal["exact", "close"]
    score: float
    reasons: list[str]
    reasons_text: list[ReasonText] = Field(
        default_factory=list, description="The reasons in words, in the order of `reasons`")

    @model_validator(mode="before")
    @classmethod
    def _worded(cls, data: Any) -> Any:
        """``reasons_text`` follows from ``reasons`` when not given."""
        if isinstance(data, dict) and "reasons_text" not in data:
            data = {**data, "reasons_text": reasons_text(list(data.get("reasons") or []))}
        return data
    matched: MatchedField
    labels: PartLabels
    registration: dict[str, Any]


class ExactTier(BaseModel):
    count: int = Field(description="True count of exact matches; never capped")
    offset: int
    results: list[SearchResult]


class CloseTier(BaseModel):
    count: int = Field(description="Close matches found")
    offset: int = 0
    shown: int
    left_out: int = Field(description="Close matches found after the ones shown (cap)")
    complete: bool = Field(
        default=True, description="False when candidate retrieval hit its limit: the count "
        "is then a lower bound (the exact tier is always complete)")
    results: list[SearchResult]


class CriterionEcho(BaseModel):
    name: str
    value: str
    normalised: str
    party_type: str | None = None


class SearchResponse(BaseModel):
    criterion: CriterionEcho
    client_reference: str | None = Field(default=None, description="As given, if given")
    include_deleted: bool
    watermark: Watermark
    exact: ExactTier
    close: CloseTier
