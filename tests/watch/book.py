"""A bank's loan book to watch and a registry's day of changes, for the watch tests.

The book: names watched without diacritics (registered with them), 12-digit ID numbers
watched with their leading zero lost (as a spreadsheet drops it), chassis numbers
watched between ``*`` (as printed on papers). The expected alerts are worked out by brute
force: every entry against every registered value through ``query.search.best_match``
(no keys), so the follower's key lookup is checked for completeness, not assumed.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from normalizers import n2
from query.search import best_match, registered_values

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
MIDDLES = ["Văn", "Thị", "Minh", "Quốc", "Đức", "Thanh", "Hữu", "Ngọc"]
GIVENS = ["Hùng", "Tuấn", "Hương", "Lan", "Phương", "Thảo", "Long", "Khánh", "Quang", "Bảo"]
NAMES = [f"{s} {m} {g}" for s in SURNAMES for m in MIDDLES for g in GIVENS]
WATCHED_NAMES = NAMES[::2][:400]
IDS = [f"0{79_000_000_000 + i * 7_919_311:011d}" for i in range(300)]
CHASSIS = [f"RL{chr(65 + i % 26)}{chr(65 + (i // 26) % 26)}C{i * 7_919:07d}HY{i:03d}"
           for i in range(300)]


def book_csv() -> bytes:
    """999 rows, one criterion each, with the bank's file number as client reference."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Tên bên bảo đảm", "Loại chủ thể", "Số CCCD", "Số khung", "Mã hồ sơ"])
    for i, name in enumerate(WATCHED_NAMES):
        writer.writerow([n2(name).upper(), "cá nhân", "", "", f"HS-N{i}"])
    for i, number in enumerate(IDS):
        writer.writerow(["", "", number.lstrip("0"), "", f"HS-I{i}"])
    for i, chassis in enumerate(CHASSIS[:299]):
        writer.writerow(["", "", "", f"*{chassis}*", f"HS-C{i}"])
    return out.getvalue().encode()


#: The 1,000th entry, added alone: it asks for deletions too.
DELETION_WATCH = {"criterion": "chassis_number", "value": f"*{CHASSIS[299]}*",
                  "client_reference": "HS-C299", "alert_on_deletion": True}


def registration(number: str, *, names: list[str], ids: list[str | None] | None = None,
                 chassis: list[str] | None = None, kind: str = "mortgage",
                 status: str = "in_force", events: list[dict[str, Any]] | None = None
                 ) -> dict[str, Any]:
    ids = ids or [None] * len(names)
    grantors = [{"party_type": "individual", "name": name,
                 **({"id_type": "cccd", "id_number": number_} if number_ else {})}
                for name, number_ in zip(names, ids, strict=True)]
    return {
        "registration_number": number, "kind": kind, "status": status,
        "registered_at": "2026-12-06T10:00:00+07:00", "grantors": grantors,
        "secured_parties": [{"party_type": "organization", "name": "Ngân hàng TMCP Á Châu"}],
        "assets": [{"asset_type": "motor_vehicle", "chassis_number": c}
                   for c in (chassis or [])],
        "events": events or [],
    }


@dataclass(frozen=True)
class WatchedEntry:
    id: int
    criterion: str
    value: str
    party_type: str | None
    alert_on_deletion: bool


def matched_values(entries: list[WatchedEntry], reg: dict[str, Any]
                   ) -> dict[int, set[tuple[str, str]]]:
    """Per entry that matches the registration: the (criterion, value) pairs it matches."""
    found: dict[int, set[tuple[str, str]]] = {}
    for entry in entries:
        for value in registered_values(entry.criterion, reg):
            if best_match(entry.criterion, entry.value, entry.party_type, 0, reg,
                          values=[value]) is not None:
                found.setdefault(entry.id, set()).add((entry.criterion, value[3]))
    return found
