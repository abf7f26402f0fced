"""Checks of what people type about accounts and users (pure): each raises
``AccountInputError`` naming the field and the rule, in Vietnamese and English."""

from __future__ import annotations

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email

from accounts.errors import AccountInputError

#: Mã số thuế: 10 digits, or 10 digits, a hyphen and 3 digits for a dependent unit
#: (Thông tư 105/2020/TT-BTC).
TAX_CODE = re.compile(r"\d{10}(-\d{3})?")
MAX_NAME = 200
MAX_ADDRESS = 500
MAX_CONTACTS = 20
AGENCY_KINDS = ("court", "procuracy", "investigation", "enforcement", "other")
AGENCY_KIND_LABELS_VI = {
    "court": "Tòa án", "procuracy": "Viện kiểm sát", "investigation": "Cơ quan điều tra",
    "enforcement": "Cơ quan thi hành án dân sự",
    "other": "Cơ quan nhà nước có thẩm quyền khác",
}
ACCOUNT_ROLES = ("customer", "agency", "admin")
USER_ROLES = ("admin", "user")


def text(value: str, field: str, limit: int = MAX_NAME) -> str:
    """A one-line text: not empty, no control characters, at most ``limit`` characters."""
    cleaned = unicodedata.normalize("NFC", value.strip())
    if not cleaned:
        raise AccountInputError(field, "not_empty", "Không được để trống.", "Must not be empty.")
    if any(unicodedata.category(c) == "Cc" for c in cleaned):
        raise AccountInputError(field, "no_control_characters",
                                "Không được chứa ký tự điều khiển.",
                                "Must not contain control characters.")
    if len(cleaned) > limit:
        raise AccountInputError(field, "max_length", f"Dài quá {limit} ký tự.",
                                f"Longer than {limit} characters.")
    return cleaned


def email(value: str, field: str = "email") -> str:
    """The address, normalised (domain in lower case); the syntax checked, not the domain."""
    try:
        return str(validate_email(value.strip(), check_deliverability=False).normalized)
    except EmailNotValidError as exc:
        raise AccountInputError(field, "email", "Địa chỉ thư điện tử không hợp lệ.",
                                f"Not a valid e-mail address ({exc}).") from exc


def emails(values: list[str], field: str = "contact_emails") -> list[str]:
    if len(values) > MAX_CONTACTS:
        raise AccountInputError(field, "max_items", f"Tối đa {MAX_CONTACTS} địa chỉ.",
                                f"At most {MAX_CONTACTS} addresses.")
    found = [email(v, f"{field}.{i}") for i, v in enumerate(values)]
    return list(dict.fromkeys(found))


def tax_code(value: str, field: str = "tax_code") -> str:
    cleaned = value.strip()
    if not TAX_CODE.fullmatch(cleaned):
        raise AccountInputError(
            field, "tax_code",
            "Mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số.",
            "A tax code is 10 digits, or 10 digits, a hyphen and 3 digits.")
    return cleaned


def one_of(value: str, allowed: tuple[str, ...], field: str) -> str:
    if value not in allowed:
        listed = ", ".join(allowed)
        raise AccountInputError(field, "one_of", f"Phải là một trong các giá trị: {listed}.",
                                f"Must be one of: {listed}.")
    return value


def kind(role: str, agency_kind: str | None) -> None:
    """An agency has its kind; nothing else has one."""
    one_of(role, ACCOUNT_ROLES, "role")
    if role == "agency" and agency_kind is None:
        raise AccountInputError("agency_kind", "required_for_agency",
                                "Cơ quan phải có loại cơ quan.", "An agency needs its kind.")
    if role != "agency" and agency_kind is not None:
        raise AccountInputError("agency_kind", "only_for_agency",
                                "Chỉ cơ quan mới có loại cơ quan.",
                                "Only agencies have an agency kind.")
    if agency_kind is not None:
        one_of(agency_kind, AGENCY_KINDS, "agency_kind")
