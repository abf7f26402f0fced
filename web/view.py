"""What the public search page shows, made from the JSON search response: pure functions.

The page renders the very body ``POST /v1/search`` answers (see ``web.routes``), so what
an anonymous caller may see (masked ID numbers, no addresses of individuals) is decided
once, by the search use case, and the page only chooses words and layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from certify.wording import Bilingual, label, label_keys

#: Exact matches per page; the close tier is shown whole (it is capped by the search).
PAGE_SIZE = 20

#: The form's choices: (value, criterion, party type, wording).
CHOICES: tuple[tuple[str, str, str | None, Bilingual], ...] = (
    ("debtor_name", "debtor_name", None,
     Bilingual("Tên bên bảo đảm (mọi loại)", "Grantor's name")),
    ("debtor_name_individual", "debtor_name", "individual",
     Bilingual("Tên bên bảo đảm — cá nhân", "Individual's name")),
    ("debtor_name_organization", "debtor_name", "organization",
     Bilingual("Tên bên bảo đảm — tổ chức", "Organisation's name")),
    ("id_number", "id_number", None,
     Bilingual("Số giấy tờ (CCCD, hộ chiếu, MST…)", "ID or tax number")),
    ("chassis_number", "chassis_number", None, Bilingual("Số khung", "Chassis number (VIN)")),
    ("engine_number", "engine_number", None, Bilingual("Số máy", "Engine number")),
    ("plate_number", "plate_number", None, Bilingual("Biển số", "Plate number")),
    ("registration_number", "registration_number", None,
     Bilingual("Số đăng ký", "Registration number")),
)
CHOICE_VALUES = frozenset(choice[0] for choice in CHOICES)
#: What the value box says under it, by criterion.
HINTS = {
    "debtor_name": Bilingual(
        "Có thể gõ không dấu; tên có dấu vẫn được tìm thấy. Kết quả gần đúng nêu lý do.",
        "Diacritics may be left out; names with them are still found. Close matches say why."),
    "id_number": Bilingual("Dấu cách, dấu chấm và gạch nối được bỏ qua.",
                           "Spaces, dots and hyphens are ignored."),
    "registration_number": Bilingual("Ví dụ: 2024-0000123456", "For example 2024-0000123456"),
}
NUMBER_HINT = Bilingual("Dấu cách, dấu chấm, gạch nối và dấu * được bỏ qua.",
                        "Spaces, dots, hyphens and * are ignored.")

#: Seizure and enforcement notices: what each side of the registration is, when the
#: result does not say so itself.
NOTICE_KINDS = frozenset({"seizure_notice"})
_NOTICE_ROLES = {
    "grantors": Bilingual("Người phải thi hành án", "Judgment debtor"),
    "secured_parties": Bilingual("Cơ quan thi hành án", "Enforcement office"),
    "assets": Bilingual("Tài sản kê biên", "Seized property"),
}
_ROLES = {
    "grantors": Bilingual("Bên bảo đảm", "Grantor"),
    "secured_parties": Bilingual("Bên nhận bảo đảm", "Secured party"),
    "assets": Bilingual("Tài sản bảo đảm", "Collateral"),
}
_VIETNAM = timezone(timedelta(hours=7))


def choice(value: str) -> tuple[str, str | None]:
    """The criterion and party type of a form choice (``ValueError`` if unknown)."""
    for key, criterion, party_type, _ in CHOICES:
        if key == value:
            return criterion, party_type
    raise ValueError(value)


def hint(choice_value: str) -> Bilingual:
    """The hint under the value box for one of the form's choices."""
    criterion = choice(choice_value)[0] if choice_value in CHOICE_VALUES else "debtor_name"
    return HINTS.get(criterion, NUMBER_HINT)


@lru_cache(maxsize=512)
def worded(group: str, key: str | None) -> Bilingual:
    """A label of ``certify/data/labels.json``, or the key itself when it has none."""
    if key and key in label_keys(group):
        return label(group, key)
    return Bilingual(key or "—", key or "—")


def bi(pair: Bilingual | tuple[str, str]) -> Markup:
    """Vietnamese, then English marked as such (a function, not a template macro: a
    result page says several hundred of these, and a Jinja macro call costs ~20 µs)."""
    return _bi(pair[0], pair[1])


@lru_cache(maxsize=1024)
def _bi(vi: str, en: str) -> Markup:  # the same headings and reasons recur on every page
    return Markup(f'{escape(vi)} <span class="en" lang="en">{escape(en)}</span>')


def bi_label(group: str, key: object) -> Markup:
    """``bi`` of a label (``key`` as the result carries it: a code, or nothing)."""
    return _bi_label(group, key if isinstance(key, str) else None)


@lru_cache(maxsize=512)
def _bi_label(group: str, key: str | None) -> Markup:
    return bi(worded(group, key))  # kept: the same few labels recur on every card


#: A batch file's columns that are not search criteria.
_OTHER_COLUMNS = {
    "party_type": Bilingual("Loại chủ thể", "Party type"),
    "client_reference": Bilingual("Mã tham chiếu của khách hàng", "Client reference"),
}


def column_label(field: str | None) -> Markup:
    """What a recognised column of a batch file holds: a criterion's words, or a party
    type's or a client reference's."""
    if field in _OTHER_COLUMNS:
        return bi(_OTHER_COLUMNS[field])
    return bi_label("criterion", field)


def is_notice(registration: dict[str, Any]) -> bool:
    """A seizure notice: said by the result itself, else by the registration's kind."""
    said = registration.get("is_seizure_notice")
    if isinstance(said, bool):
        return said
    return registration.get("kind") in NOTICE_KINDS


def role_heading(registration: dict[str, Any], side: str) -> Bilingual:
    """The heading of one side (``grantors``, ``secured_parties``, ``assets``): the label
    the result carries (``labels`` / ``role_labels`` with vi and en) if any, else the
    notice's or the security interest's own words."""
    for key in ("role_labels", "labels"):
        carried = registration.get(key)
        if isinstance(carried, dict):
            entry = carried.get(side)
            if isinstance(entry, dict) and {"vi", "en"} <= entry.keys():
                return Bilingual(str(entry["vi"]), str(entry["en"]))
    return (_NOTICE_ROLES if is_notice(registration) else _ROLES)[side]


def local_time(iso: str | None) -> str:
    """An ISO time as Vietnam's clock shows it, ``dd/mm/yyyy HH:MM:SS (UTC+7)``."""
    if not iso:
        return "—"
    if len(iso) == 25 and iso.endswith("+07:00") and iso[10] == "T":  # as registered
        return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]} {iso[11:19]} (UTC+7)"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_VIETNAM).strftime("%d/%m/%Y %H:%M:%S") + " (UTC+7)"


def reasons_of(result: dict[str, Any]) -> list[Bilingual]:
    """A result's reasons in words, as the JSON carries them (``reasons_text``)."""
    texts = result.get("reasons_text") or []
    return [Bilingual(str(t["vi"]), str(t["en"])) for t in texts]


@dataclass(frozen=True)
class Pages:
    """Paging of the exact tier: page numbers start at 1."""

    current: int
    count: int

    @property
    def previous(self) -> int | None:
        return self.current - 1 if self.current > 1 else None

    @property
    def next(self) -> int | None:
        return self.current + 1 if self.current < self.count else None


def pages(total: int, current: int, size: int = PAGE_SIZE) -> Pages:
    count = max(1, -(-total // size))
    return Pages(current=min(max(1, current), count), count=count)


def offset_of(page: int, size: int = PAGE_SIZE) -> int:
    return (max(1, page) - 1) * size
