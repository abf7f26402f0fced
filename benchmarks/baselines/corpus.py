"""The corpus file (interchange-format JSON Lines) read into compact, index-addressed records.

A registration's position in the file is its index everywhere in the quality benchmark;
``Registration.number`` maps it back to the registry's own number (what the API returns).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import orjson


class Party(NamedTuple):
    name: str
    party_type: str | None
    id_type: str | None
    id_number: str | None


class Asset(NamedTuple):
    chassis_number: str | None
    engine_number: str | None
    plate_number: str | None


class Registration(NamedTuple):
    number: str
    status: str
    grantors: tuple[Party, ...]
    assets: tuple[Asset, ...]


SERIAL_CRITERIA = ("chassis_number", "engine_number", "plate_number")


def _party(raw: dict[str, Any]) -> Party:
    return Party(str(raw.get("name") or ""), raw.get("party_type"), raw.get("id_type"),
                 raw.get("id_number"))


def _asset(raw: dict[str, Any]) -> Asset:
    return Asset(raw.get("chassis_number"), raw.get("engine_number"), raw.get("plate_number"))


def parse_line(line: bytes) -> Registration:
    raw = orjson.loads(line)
    return Registration(
        str(raw["registration_number"]), str(raw.get("status") or "in_force"),
        tuple(_party(p) for p in raw.get("grantors") or ()),
        tuple(_asset(a) for a in raw.get("assets") or ()),
    )


def read(path: Path) -> Iterator[Registration]:
    with path.open("rb") as lines:
        for line in lines:
            if line.strip():
                yield parse_line(line)


def serial_values(registration: Registration, criterion: str) -> Iterator[str]:
    """The registration's values for one serial criterion (chassis, engine or plate)."""
    position = SERIAL_CRITERIA.index(criterion)
    for asset in registration.assets:
        value = asset[position]
        if value:
            yield value
