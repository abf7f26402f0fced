"""Which column of an uploaded file holds which criterion, from its header.

Headers are compared in the contract's folded form (N2: case, diacritics and
punctuation ignored), so ``Số CCCD``, ``so cccd`` and ``SO_CCCD`` are one header.
"""

from __future__ import annotations

from typing import Final

from normalizers import n2

#: The fields a column can hold: the search criteria and the name's party type.
PARTY_TYPE = "party_type"
#: The customer's own reference of the row (a loan or file number): not a criterion.
CLIENT_REFERENCE = "client_reference"

_HEADERS: Final[dict[str, tuple[str, ...]]] = {
    "debtor_name": (
        "ten ben bao dam", "ben bao dam", "ho va ten", "ho ten", "ten", "name", "debtor name",
        "debtor", "grantor", "grantor name", "full name", "ten ca nhan", "ten to chuc",
        "ten ca nhan to chuc", "ten doanh nghiep", "ten khach hang", "customer name",
    ),
    PARTY_TYPE: (
        "loai chu the", "chu the", "loai ben bao dam", "party type", "loai khach hang",
    ),
    CLIENT_REFERENCE: (
        "client reference", "ma tham chieu", "so tham chieu", "ma ho so", "so ho so",
        "so hop dong", "ma khoan vay", "loan number", "reference",
    ),
    "id_number": (
        "so giay to", "so giay to tuy than", "giay to tuy than", "cccd", "so cccd", "cmnd",
        "so cmnd", "cmnd cccd", "so cmnd cccd", "cccd cmnd", "so cccd cmnd", "ma so thue",
        "mst", "so dinh danh", "ma so doanh nghiep", "so ho chieu", "ho chieu", "id number",
        "id no", "id", "tax code", "passport", "passport number",
    ),
    "chassis_number": (
        "so khung", "so khung vin", "chassis", "chassis number", "chassis no", "vin", "so vin",
    ),
    "engine_number": ("so may", "engine", "engine number", "engine no"),
    "plate_number": (
        "bien so", "bien so xe", "bien kiem soat", "plate", "plate number", "plate no",
        "license plate", "licence plate",
    ),
    "registration_number": (
        "so dang ky", "so dang ky giao dich bao dam", "so dang ky gdbd", "registration number",
        "registration no",
    ),
}

_BY_HEADER: Final = {header: field for field, headers in _HEADERS.items() for header in headers}


def field_for(header: str) -> str | None:
    """The criterion (or ``party_type``) a header names; None for any other column."""
    return _BY_HEADER.get(n2(header).strip())


def accepted_headers() -> dict[str, tuple[str, ...]]:
    """The recognised headers of each field (folded), for error messages and docs."""
    return dict(_HEADERS)
