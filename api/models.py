"""Request and response bodies of the search API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from api.problems import CRITERIA
from api.result_values import reasons_text

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


class Watermark(BaseModel):
    registry_current_as_of: str | None = Field(
        description="Commit time of the last registry change the index has applied")
    applied_lsn: str
    checked_upto_lsn: str
    verified_current_at: str | None = Field(
        default=None,
        description="When the indexer last confirmed it had applied every registry commit")


class MatchedField(BaseModel):
    role: Literal["grantor", "asset", "registration"]
    position: int
    field: str
    value_as_registered: str


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
