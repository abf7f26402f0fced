"""Request and response bodies of the search API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from freshness.watermark import Watermark
from query.criteria import CRITERIA

MAX_VALUE_LENGTH = 200


_WHITESPACE = frozenset("\t\n\r")


def _has_control(value: str) -> bool:
    """Control characters other than tab and line breaks (which are white space)."""
    return any(((ord(ch) < 32) and ch not in _WHITESPACE) or (0x7F <= ord(ch) < 0xA0)
               for ch in value)


class SearchRequest(BaseModel):
    """Exactly one criterion, with its options."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"debtor_name": "Nguyen Van Tu", "party_type": "individual"},
                     {"chassis_number": "RLHJC5218HY012345"}]})

    debtor_name: str | None = Field(default=None, max_length=MAX_VALUE_LENGTH)
    party_type: Literal["individual", "organization"] | None = None
    id_number: str | None = Field(default=None, max_length=MAX_VALUE_LENGTH)
    id_type: Literal["cmnd", "cccd", "passport", "tax_code", "business_reg", "other"] | None = None
    chassis_number: str | None = Field(default=None, max_length=MAX_VALUE_LENGTH)
    engine_number: str | None = Field(default=None, max_length=MAX_VALUE_LENGTH)
    plate_number: str | None = Field(default=None, max_length=MAX_VALUE_LENGTH)
    registration_number: str | None = Field(default=None, max_length=MAX_VALUE_LENGTH)
    include_deleted: bool = False
    exact_offset: int = Field(default=0, ge=0, le=1_000_000)
    exact_limit: int = Field(default=100, ge=1, le=1000)
    close_offset: int = Field(default=0, ge=0, le=100_000)
    close_limit: int | None = Field(
        default=None, ge=1, le=1000, description="Close matches per page (default: the cap)")

    @model_validator(mode="after")
    def _one_criterion(self) -> SearchRequest:
        given = [name for name in CRITERIA if getattr(self, name) is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                "exactly_one_criterion", "exactly one criterion", {"field": "criteria"})
        name = given[0]
        value: str = getattr(self, name)
        if not value.strip():
            raise PydanticCustomError("not_empty", "empty", {"field": name})
        if _has_control(value):
            raise PydanticCustomError("no_control_characters", "control", {"field": name})
        if self.party_type is not None and name != "debtor_name":
            raise PydanticCustomError(
                "only_with_debtor_name", "party_type", {"field": "party_type"})
        if self.id_type is not None and name != "id_number":
            raise PydanticCustomError("only_with_id_number", "id_type", {"field": "id_type"})
        return self

    @property
    def criterion(self) -> tuple[str, str]:
        for name in CRITERIA:
            value = getattr(self, name)
            if value is not None:
                return name, str(value)
        raise AssertionError("validated request without a criterion")


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


class SearchResult(BaseModel):
    tier: Literal["exact", "close"]
    score: float
    reasons: list[str]
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
    include_deleted: bool
    watermark: Watermark
    exact: ExactTier
    close: CloseTier
