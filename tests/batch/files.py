"""Batch files as banks send them, built from the test corpus, with what each row is.

The big file mixes good rows of every criterion (as registered, upper case,
without diacritics, with separators, several criteria on one row), rows that
match nothing, Excel-mangled ID numbers (leading zeros lost, scientific
notation, ``.0``), names typed in VNI or TCVN3, duplicates, and bad rows
(empty, too long, control characters, unknown party type, nothing to search).
"""

from __future__ import annotations

import csv
import io
import random
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from normalizers import n1
from normalizers.legacy import encode_tcvn3, encode_vni

HEADER = ["STT", "Họ và tên", "Loại chủ thể", "Số CCCD/CMND", "Số khung", "Số máy", "Biển số",
          "Số đăng ký", "Ghi chú"]
NAME, TYPE, ID, CHASSIS, ENGINE, PLATE, NUMBER = range(1, 8)
PARTY_TYPE_TEXT = {"individual": "Cá nhân", "organization": "Tổ chức"}


@dataclass
class BatchFile:
    data: bytes
    #: row number (as in the file) -> what the row is: "good", "miss", "lost_zeros",
    #: "scientific", "zero_fraction", "legacy", "duplicate", "invalid:<rule>", "blank"
    kinds: dict[int, str] = field(default_factory=dict)
    duplicate_of: dict[int, int] = field(default_factory=dict)
    #: rows whose ID lost its leading zeros -> the registration it came from
    lost_zeros: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: legacy-encoded rows -> (the Unicode name, the registration it came from)
    legacy: dict[int, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def rows_of(self, prefix: str) -> list[int]:
        return sorted(row for row, kind in self.kinds.items() if kind.startswith(prefix))


def _excel_scientific(digits: str) -> str:
    """How Excel shows a long number in a General cell, and exports it to CSV."""
    mantissa, exponent = f"{Decimal(digits):.5E}".split("E")
    return f"{mantissa.rstrip('0').rstrip('.')}E+{int(exponent):02d}"


def _without_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _legacy(name: str, rng: random.Random) -> str | None:
    """The name in VNI or TCVN3 when the normaliser reads it back, else None."""
    name = unicodedata.normalize("NFC", name)
    encoded = (encode_vni if rng.random() < 0.5 else encode_tcvn3)(name)
    return encoded if encoded != name and n1(encoded) == n1(name) else None


class _Builder:
    def __init__(self, corpus: list[dict[str, Any]], seed: int) -> None:
        self.rng = random.Random(seed)
        self.registrations = [r for r in corpus if r["grantors"]]
        self.lines: list[list[str]] = []
        self.file = BatchFile(b"")
        self.good: list[tuple[int, list[str]]] = []

    @property
    def next_row(self) -> int:
        return len(self.lines) + 2  # the header is row 1

    def add(self, kind: str, cells: list[str]) -> int:
        row = self.next_row
        cells[0] = str(row - 1)
        self.lines.append(cells)
        self.file.kinds[row] = kind
        if kind in ("good", "miss"):
            self.good.append((row, cells))
        return row

    def blank(self) -> list[str]:
        return [""] * len(HEADER)

    def pick(self) -> tuple[dict[str, Any], dict[str, Any]]:
        registration = self.rng.choice(self.registrations)
        return registration, self.rng.choice(registration["grantors"])

    def name_cells(self) -> list[str]:
        _, grantor = self.pick()
        cells = self.blank()
        name = grantor["name"]
        style = self.rng.random()
        if style < 0.2:
            name = name.upper()
        elif style < 0.35:
            name = _without_diacritics(name)
        elif style < 0.4 and grantor["party_type"] == "individual":
            name = "Ông " + name
        cells[NAME] = name
        if self.rng.random() < 0.7:
            cells[TYPE] = PARTY_TYPE_TEXT[grantor["party_type"]]
        return cells

    def asset_cells(self, key: str, column: int) -> list[str] | None:
        registration = self.rng.choice(self.registrations)
        values = [a[key] for a in registration.get("assets", []) if a.get(key)]
        if not values:
            return None
        value = self.rng.choice(values)
        if self.rng.random() < 0.3:
            value = value.lower()
        if self.rng.random() < 0.2 and len(value) > 6:
            value = f"{value[:4]}-{value[4:]}"
        cells = self.blank()
        cells[column] = value
        return cells

    def good_row(self) -> None:
        choice = self.rng.random()
        cells: list[str] | None
        if choice < 0.4:
            cells = self.name_cells()
        elif choice < 0.55:
            cells = self.blank()
            cells[ID] = self.pick()[1]["id_number"]
        elif choice < 0.7:
            cells = self.asset_cells("chassis_number", CHASSIS)
        elif choice < 0.76:
            cells = self.asset_cells("engine_number", ENGINE)
        elif choice < 0.82:
            cells = self.asset_cells("plate_number", PLATE)
        elif choice < 0.87:
            cells = self.blank()
            cells[NUMBER] = self.rng.choice(self.registrations)["registration_number"]
        else:  # several criteria on one row: one person and their vehicle
            registration, grantor = self.pick()
            cells = self.blank()
            cells[NAME], cells[ID] = grantor["name"], grantor["id_number"]
            cells[TYPE] = PARTY_TYPE_TEXT[grantor["party_type"]]
            chassis = [a["chassis_number"] for a in registration.get("assets", [])
                       if a.get("chassis_number")]
            if chassis:
                cells[CHASSIS] = chassis[0]
        if cells is not None:
            self.add("good", cells)

    def miss_row(self) -> None:
        cells = self.blank()
        if self.rng.random() < 0.5:
            cells[NAME] = self.rng.choice(["Nguyễn", "Phạm", "Lò"]) + " Văn Không Có " + str(
                self.rng.randint(1, 99))
        else:
            cells[CHASSIS] = "ZZTEST" + "".join(self.rng.choices("0123456789", k=11))
        self.add("miss", cells)

    def mangled_id_row(self) -> None:
        registration, grantor = self.pick()
        number = grantor["id_number"]
        cells = self.blank()
        if number.startswith("0") and number.isdigit():
            cells[ID] = number.lstrip("0")
            kind = "lost_zeros"
            if self.rng.random() < 0.3:
                cells[ID] += ".0"
                kind = "zero_fraction"
            self.file.lost_zeros[self.add(kind, cells)] = registration
        elif number.isdigit() and len(number) >= 9:
            cells[ID] = _excel_scientific(number)
            self.add("scientific", cells)

    def legacy_row(self) -> None:
        registration, grantor = self.pick()
        encoded = _legacy(grantor["name"], self.rng)
        if encoded is None:
            return
        cells = self.blank()
        cells[NAME] = encoded
        row = self.add("legacy", cells)
        self.file.legacy[row] = (grantor["name"], registration)

    def duplicate_row(self) -> None:
        if not self.good:
            return
        row, cells = self.rng.choice(self.good)
        self.file.duplicate_of[self.add("duplicate", list(cells))] = row

    def invalid_row(self) -> None:
        cells = self.name_cells()
        kind = self.rng.choice(["max_length", "no_control_characters", "unknown_party_type",
                                "no_searchable_characters", "no_criterion"])
        if kind == "max_length":
            cells[NAME] = (cells[NAME] + " ") * (201 // max(len(cells[NAME]), 1) + 1)
        elif kind == "no_control_characters":
            cells[NAME] = cells[NAME][:3] + "\x07" + cells[NAME][3:]
        elif kind == "unknown_party_type":
            cells[TYPE] = "Hộ kinh doanh"
        elif kind == "no_searchable_characters":
            cells[NAME], cells[TYPE] = "*** ---", ""
        else:
            cells = self.blank()
            cells[8] = "dòng trống / empty row"
        self.add(f"invalid:{kind}", cells)

    def build(self, rows: int) -> BatchFile:
        makers = [(0.70, self.good_row), (0.74, self.miss_row), (0.80, self.mangled_id_row),
                  (0.83, self.legacy_row), (0.91, self.duplicate_row), (1.0, self.invalid_row)]
        while len(self.lines) < rows:
            draw = self.rng.random()
            next(make for limit, make in makers if draw < limit)()
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(HEADER)
        writer.writerows(self.lines)
        buffer.write("\n")  # a trailing blank line is not a row
        self.file.data = buffer.getvalue().encode("utf-8")
        return self.file


def big_file(corpus: list[dict[str, Any]], rows: int = 5000, seed: int = 7) -> BatchFile:
    return _Builder(corpus, seed).build(rows)


def simple_csv(corpus: list[dict[str, Any]], rows: int, seed: int = 3) -> bytes:
    """Good rows only: a name with its party type, and its ID number."""
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Tên bên bảo đảm", "Loại chủ thể", "Số giấy tờ"])
    for _ in range(rows):
        grantor = rng.choice(rng.choice(corpus)["grantors"])
        writer.writerow([grantor["name"], PARTY_TYPE_TEXT[grantor["party_type"]],
                         grantor["id_number"]])
    return buffer.getvalue().encode("utf-8")
