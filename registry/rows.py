"""The rows a registration is written as: one function per table, shared by the loader
(``registry.loader``, statements) and the bulk path (``registry.copy_loader``, COPY), so
both write the same values."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from psycopg.types.json import Jsonb

from registry.format import Registration

RegistrationRow = tuple[str, str, datetime, str, Jsonb | None]
PartyRow = tuple[int, str, int, str, str, str | None, str | None, str | None]
AssetRow = tuple[int, int, str, str | None, str | None, str | None, str | None]
EventRow = tuple[int, int, str, datetime, str | None]

REGISTRATION_COLUMNS = "registration_number, kind, registered_at, status, obligation"
PARTY_COLUMNS = ("registration_id, role, position, party_type, name, id_type, id_number,"
                 " address")
ASSET_COLUMNS = ("registration_id, position, asset_type, description, chassis_number,"
                 " engine_number, plate_number")
EVENT_COLUMNS = "registration_id, position, type, at, summary"


def registration_row(reg: Registration) -> RegistrationRow:
    obligation = reg.obligation.model_dump(exclude_none=True) if reg.obligation else None
    return (reg.registration_number, reg.kind, reg.registered_at, reg.status,
            Jsonb(obligation) if obligation is not None else None)


def party_rows(ids: Sequence[int], regs: Sequence[Registration]) -> list[PartyRow]:
    return [
        (reg_id, role, pos, p.party_type, p.name, p.id_type, p.id_number, p.address)
        for reg_id, reg in zip(ids, regs, strict=True)
        for role, parties in (("grantor", reg.grantors), ("secured_party", reg.secured_parties))
        for pos, p in enumerate(parties)
    ]


def asset_rows(ids: Sequence[int], regs: Sequence[Registration]) -> list[AssetRow]:
    return [
        (reg_id, pos, a.asset_type, a.description, a.chassis_number, a.engine_number,
         a.plate_number)
        for reg_id, reg in zip(ids, regs, strict=True)
        for pos, a in enumerate(reg.assets)
    ]


def event_rows(ids: Sequence[int], regs: Sequence[Registration]) -> list[EventRow]:
    return [
        (reg_id, pos, e.type, e.at, e.summary)
        for reg_id, reg in zip(ids, regs, strict=True)
        for pos, e in enumerate(reg.events)
    ]
