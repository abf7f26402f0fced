"""Request bodies of the account API (``api.account_routes``, ``api.staff_routes``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

_TEXT = Field(default=None, max_length=500)


class AccountChange(BaseModel):
    """The details an account's administrator (or staff) may change; absent: unchanged."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, max_length=200)
    tax_code: str | None = Field(default=None, max_length=20)
    address: str | None = _TEXT
    contact_emails: list[str] | None = Field(default=None, max_length=20)


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "Trần Thị Bình", "email": "binh@nganhang.vn", "role": "user"}]})
    name: str = Field(max_length=200)
    email: str = Field(max_length=254)
    role: Literal["admin", "user"] = "user"
    password: str | None = Field(default=None, max_length=1024)


class UserChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    role: Literal["admin", "user"] | None = None
    disabled: bool | None = None


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: str | None = Field(default=None, max_length=1024)
    new_password: str = Field(max_length=1024)


class NewAccount(BaseModel):
    """An account opened by registry staff, with its first administrator."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "Ngân hàng TMCP Thử Nghiệm", "kind": "customer", "tax_code": "0101234567",
        "address": "1 Tràng Tiền, Hà Nội", "contact_emails": ["ketoan@nganhang.vn"],
        "admin_name": "Nguyễn Văn An", "admin_email": "an@nganhang.vn"}]})
    name: str = Field(max_length=200)
    kind: Literal["customer", "agency"] = "customer"
    agency_kind: Literal["court", "procuracy", "investigation", "enforcement",
                         "other"] | None = None
    tax_code: str | None = Field(default=None, max_length=20)
    address: str | None = _TEXT
    contact_emails: list[str] = Field(default_factory=list, max_length=20)
    admin_name: str = Field(max_length=200)
    admin_email: str = Field(max_length=254)
    admin_password: str | None = Field(default=None, max_length=1024)


class StatusChange(BaseModel):
    """Staff suspend, reopen or close an account by hand, with the reason."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "status": "suspended", "reason_vi": "Theo yêu cầu của khách hàng.",
        "reason_en": "At the customer's request."}]})
    status: Literal["active", "suspended", "closed"]
    reason_vi: str = Field(min_length=1, max_length=1000)
    reason_en: str = Field(min_length=1, max_length=1000)
    reason_code: str = Field(default="manual", min_length=1, max_length=50,
                             pattern=r"^[a-z][a-z0-9_]*$")
