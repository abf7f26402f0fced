"""The registration interchange format (JSON Lines), as typed models.

Field names and codes follow ``docs/registration-format.md``. Values are kept
exactly as declared: nothing here normalises a name or a number.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

Kind = Literal[
    "mortgage",
    "retention_of_title",
    "lease",
    "financial_lease",
    "receivables_assignment",
    "seizure_notice",
    "enforcement_notice",
]
Status = Literal["in_force", "deleted"]
PartyType = Literal["individual", "organization"]
IdType = Literal["cmnd", "cccd", "passport", "tax_code", "business_reg", "decision", "other"]
AssetType = Literal[
    "motor_vehicle",
    "inland_vessel",
    "fishing_vessel",
    "machinery",
    "goods",
    "receivables",
    "securities",
    "capital_contribution",
    "property_right",
    "other",
]
EventType = Literal["amendment", "correction", "enforcement_notice", "deletion"]

KIND_LABELS_VI: dict[str, str] = {
    "mortgage": "Thế chấp",
    "retention_of_title": "Bảo lưu quyền sở hữu",
    "lease": "Thuê tài sản",
    "financial_lease": "Cho thuê tài chính",
    "receivables_assignment": "Chuyển giao quyền đòi nợ",
    "seizure_notice": "Thông báo kê biên tài sản thi hành án",
    "enforcement_notice": "Văn bản thông báo xử lý tài sản bảo đảm",
}

_TEXT_MAX = 2000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


def _no_control(value: str | None) -> str | None:
    if value is not None and any(ord(ch) < 32 and ch not in "\t" for ch in value):
        raise ValueError("must not contain control characters")
    return value


class Party(_Strict):
    party_type: PartyType
    name: str = Field(min_length=1, max_length=_TEXT_MAX)
    id_type: IdType | None = None
    id_number: str | None = Field(default=None, min_length=1, max_length=64)
    address: str | None = Field(default=None, max_length=_TEXT_MAX)

    _clean = field_validator("name", "id_number", "address")(_no_control)

    @field_validator("name")
    @classmethod
    def _name_has_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class Asset(_Strict):
    asset_type: AssetType
    description: str | None = Field(default=None, max_length=_TEXT_MAX)
    chassis_number: str | None = Field(default=None, min_length=1, max_length=64)
    engine_number: str | None = Field(default=None, min_length=1, max_length=64)
    plate_number: str | None = Field(default=None, min_length=1, max_length=32)

    _clean = field_validator("description", "chassis_number", "engine_number", "plate_number")(
        _no_control
    )


class Obligation(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    contract_number: str | None = None
    signed_at: str | None = None


class Event(_Strict):
    type: EventType
    at: datetime
    summary: str | None = Field(default=None, max_length=_TEXT_MAX)

    @field_validator("at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("must carry a time zone offset, e.g. +07:00")
        return value


class Registration(_Strict):
    registration_number: str = Field(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z\-/.]+$")
    kind: Kind
    registered_at: datetime
    status: Status = "in_force"
    grantors: list[Party] = Field(min_length=1)
    secured_parties: list[Party] = Field(default_factory=list)
    assets: list[Asset] = Field(default_factory=list)
    obligation: Obligation | None = None
    events: list[Event] = Field(default_factory=list)

    @field_validator("registered_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("must carry a time zone offset, e.g. +07:00")
        return value


def describe_errors(error: ValidationError) -> list[str]:
    """Plain one-line problems, each naming the field (dotted path) and the rule."""
    problems: list[str] = []
    for item in error.errors():
        path = ".".join(
            f"[{part}]" if isinstance(part, int) else str(part) for part in item["loc"]
        ).replace(".[", "[")
        problems.append(f"{path or '(record)'}: {item['msg']}")
    return problems


def parse_registration(obj: Any) -> Registration:
    """Validate one decoded JSON object; raises ``ValidationError``."""
    return Registration.model_validate(obj)
