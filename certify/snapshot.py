"""The certified-search snapshot: the immutable record that is stored, hashed and rendered.

A snapshot holds everything a certificate says, and nothing is looked up again
when it is rendered: the registrations appear as they were at the time of the
search. :func:`canonical_json` is the stored form and :func:`content_hash` its
SHA-256, printed on the certificate.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Annotated, Literal, Self, get_args
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from certify.numbering import is_valid_number, new_number, parse_number
from query.criteria import CriterionName
from registry.format import AssetType, EventType, IdType, Kind, PartyType, Status

__all__ = [
    "REASON_CODES",
    "SCHEMA_VERSION",
    "VN_TZ",
    "Asset",
    "CertificateFee",
    "CertificateSnapshot",
    "CertifiedCriterion",
    "CertifiedMatch",
    "ClientReference",
    "Event",
    "Issuer",
    "Lsn",
    "MatchedValue",
    "Obligation",
    "Party",
    "Registration",
    "RegistryWatermark",
    "Requester",
    "canonical_json",
    "content_hash",
    "is_valid_number",
    "new_number",
    "parse_number",
    "snapshot_from_json",
]

SCHEMA_VERSION: Literal[1] = 1
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

Tier = Literal["exact", "close"]
ReasonCode = Literal[
    "abbreviation",
    "branch_of",
    "confusable_chars",
    "diacritics_differ",
    "edit_distance",
    "extra_token",
    "joined_syllables",
    "leading_zeros",
    "legal_form_differs",
    "legal_form_ignored",
    "missing_token",
    "separators_ignored",
    "suffix_match",
    "token_order",
    "y_i_variant",
]
REASON_CODES: frozenset[str] = frozenset(get_args(ReasonCode))

# The interchange format's vocabulary, from its one definition.
RegistrationKind = Kind
RegistrationStatus = Status
MatchedRole = Literal["grantor", "asset", "registration"]
MatchedField = Literal[
    "name", "id_number", "chassis_number", "engine_number", "plate_number", "registration_number"
]
RequesterRole = Literal["public", "customer", "agency"]

_FIELDS_OF_ROLE: dict[str, frozenset[str]] = {
    "grantor": frozenset({"name", "id_number"}),
    "asset": frozenset({"chassis_number", "engine_number", "plate_number"}),
    "registration": frozenset({"registration_number"}),
}


def _to_vn(value: datetime) -> datetime:
    return value.astimezone(VN_TZ)


VnDatetime = Annotated[AwareDatetime, AfterValidator(_to_vn)]
"""A timezone-aware instant, held in Asia/Ho_Chi_Minh so the stored form is uniform."""

Text = Annotated[str, Field(min_length=1)]
ClientReference = Annotated[str, Field(min_length=1, max_length=64)] | None
"""The requester's own reference (loan or file number; ``core.client_reference`` checked
it), printed on the certificate; left out of the stored form when there is none, so a
certificate issued before references existed keeps its content hash."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Party(_Frozen):
    party_type: PartyType
    name: Text
    id_type: IdType | None = None
    id_number: str | None = None
    address: str | None = None


class Asset(_Frozen):
    asset_type: AssetType
    description: str | None = None
    chassis_number: str | None = None
    engine_number: str | None = None
    plate_number: str | None = None


class Obligation(_Frozen):
    contract_number: str | None = None
    signed_at: date | None = None


class Event(_Frozen):
    type: EventType
    at: VnDatetime
    summary: str | None = None


class Registration(_Frozen):
    """A registration as it stood at the time of the search (registration format)."""

    registration_number: Text
    kind: RegistrationKind
    registered_at: VnDatetime
    status: RegistrationStatus
    grantors: tuple[Party, ...]
    secured_parties: tuple[Party, ...] = ()
    assets: tuple[Asset, ...] = ()
    obligation: Obligation | None = None
    events: tuple[Event, ...] = ()


class MatchedValue(_Frozen):
    """Which party or asset, and which of its fields, matched; value exactly as registered."""

    role: MatchedRole
    field: MatchedField
    value_as_registered: str
    index: Annotated[int, Field(ge=0)] | None = None
    """Position of the matching party in ``grantors`` or asset in ``assets``."""

    @model_validator(mode="after")
    def _field_fits_role(self) -> Self:
        if self.field not in _FIELDS_OF_ROLE[self.role]:
            raise ValueError(f"field {self.field!r} does not belong to role {self.role!r}")
        if self.role == "registration" and self.index is not None:
            raise ValueError("a registration-number match has no index")
        return self


class CertifiedMatch(_Frozen):
    tier: Tier
    score: Annotated[float, Field(ge=0.0, le=1.0)]
    reasons: tuple[ReasonCode, ...] = ()
    matched: MatchedValue
    registration: Registration

    @model_validator(mode="after")
    def _index_in_range(self) -> Self:
        m, reg = self.matched, self.registration
        if m.index is not None:
            items = reg.grantors if m.role == "grantor" else reg.assets
            if m.index >= len(items):
                raise ValueError(
                    f"matched index {m.index} out of range for {m.role} "
                    f"of {reg.registration_number}"
                )
        return self


Lsn = Annotated[str, Field(pattern=r"^[0-9A-F]{1,8}/[0-9A-F]{1,8}$")]
"""A registry log position (PostgreSQL LSN), e.g. ``0/16B3748``."""


class RegistryWatermark(_Frozen):
    """The last registry change the index had applied: "registry current as of"."""

    commit_time: VnDatetime
    lsn: Lsn


class CertifiedCriterion(_Frozen):
    name: CriterionName
    party_type: PartyType | None = None
    id_type: IdType | None = None
    value_as_entered: Text
    value_normalised: str


class Requester(_Frozen):
    account_id: Text
    display_name: Text
    role: RequesterRole
    agency_ground: str | None = None
    """For a state agency's free search: the ground of its request."""

    @model_validator(mode="after")
    def _ground_only_for_agency(self) -> Self:
        if self.agency_ground is not None and self.role != "agency":
            raise ValueError("agency_ground is only for role 'agency'")
        return self


class CertificateFee(_Frozen):
    """The fee a certificate states, validated: a free certificate names its legal ground
    (what a use costs an account, before it is printed, is ``accounts.Fee``)."""

    amount_vnd: Annotated[int, Field(ge=0, strict=True)]
    free_ground: str | None = None
    """Legal ground of a free certificate, e.g. "Điều 59 khoản 2 Nghị định 102/2017/NĐ-CP"."""

    @model_validator(mode="after")
    def _free_needs_ground(self) -> Self:
        if self.amount_vnd == 0 and not self.free_ground:
            raise ValueError("a free certificate must state its free_ground")
        if self.amount_vnd > 0 and self.free_ground is not None:
            raise ValueError("free_ground is only for a certificate with no fee")
        return self


class Issuer(_Frozen):
    """The issuing body, printed in the heading."""

    parent_vi: str = "BỘ TƯ PHÁP"
    parent_en: str = "Ministry of Justice"
    name_vi: str = "CỤC ĐĂNG KÝ QUỐC GIA GIAO DỊCH BẢO ĐẢM"
    name_en: str = "National Registration Agency for Secured Transactions"
    place: str = "Hà Nội"


def check_number(number: str, issued_at: datetime) -> None:
    """A certificate number is well formed and of the year it was issued (ICT)."""
    if not is_valid_number(number):
        raise ValueError(f"not a valid certificate number: {number!r}")
    if parse_number(number).year != issued_at.year:
        raise ValueError("certificate number year differs from the year of issued_at (ICT)")


class CertificateSnapshot(_Frozen):
    """Everything one certified search result says. Immutable; stored as :func:`canonical_json`."""

    schema_version: Literal[1] = SCHEMA_VERSION
    number: str
    issued_at: VnDatetime
    registry_current_as_of: RegistryWatermark
    criterion: CertifiedCriterion
    requester: Requester
    fee: CertificateFee
    search_logic_version: Text
    include_deleted: bool
    exact: tuple[CertifiedMatch, ...]
    close: tuple[CertifiedMatch, ...]
    exact_count: Annotated[int, Field(ge=0)]
    close_count: Annotated[int, Field(ge=0)]
    close_left_out: Annotated[int, Field(ge=0)]
    issuer: Issuer = Issuer()
    client_reference: ClientReference = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        check_number(self.number, self.issued_at)
        if self.registry_current_as_of.commit_time > self.issued_at:
            raise ValueError("registry_current_as_of is later than issued_at")
        if any(m.tier != "exact" for m in self.exact):
            raise ValueError("every match in 'exact' must have tier 'exact'")
        if any(m.tier != "close" for m in self.close):
            raise ValueError("every match in 'close' must have tier 'close'")
        if self.exact_count != len(self.exact):
            raise ValueError("exact_count must equal the number of exact matches (never capped)")
        if self.close_count != len(self.close) + self.close_left_out:
            raise ValueError("close_count must equal len(close) + close_left_out")
        if self.criterion.name == "registration_number" and self.close_count:
            raise ValueError("a registration-number search has no close tier")
        if not self.include_deleted and any(
            m.registration.status == "deleted" for m in (*self.exact, *self.close)
        ):
            raise ValueError("deleted registrations present although include_deleted is false")
        return self


def canonical_json(snapshot: BaseModel) -> bytes:
    """The stored, hashed form: UTF-8 JSON, keys sorted, no insignificant white space.

    Any certificate snapshot: a single search's (:class:`CertificateSnapshot`) or a
    batch's (:class:`certify.batch_snapshot.BatchCertificateSnapshot`)."""
    data = snapshot.model_dump(mode="json")
    if data.get("client_reference", "") is None:
        del data["client_reference"]
    return json.dumps(
        data,
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        allow_nan=False,
    ).encode("utf-8")


def content_hash(snapshot: BaseModel) -> str:
    """SHA-256 (lower-case hex) of :func:`canonical_json`; printed on the certificate."""
    return hashlib.sha256(canonical_json(snapshot)).hexdigest()


def snapshot_from_json(data: bytes | str) -> CertificateSnapshot:
    """Load a stored snapshot; ``canonical_json(snapshot_from_json(b)) == b`` for stored ``b``."""
    return CertificateSnapshot.model_validate_json(data)
