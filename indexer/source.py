"""Read registrations from the registry in the interchange format.

The same query serves the snapshot copy and the change stream's read-back, so a
document is always built from a whole registration as the registry holds it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import orjson
import psycopg

_PARTIES = """
    coalesce((SELECT json_agg(json_build_object(
                 'party_type', p.party_type, 'name', p.name, 'id_type', p.id_type,
                 'id_number', p.id_number, 'address', p.address) ORDER BY p.position)
              FROM parties p WHERE p.registration_id = r.id AND p.role = '{role}'), '[]')
"""

REGISTRATION_SELECT = f"""
SELECT r.id,
       json_build_object(
         'registration_number', r.registration_number,
         'kind', r.kind,
         'registered_at', r.registered_at,
         'status', r.status,
         'obligation', r.obligation,
         'grantors', {_PARTIES.format(role="grantor")},
         'secured_parties', {_PARTIES.format(role="secured_party")},
         'assets', coalesce((SELECT json_agg(json_build_object(
                     'asset_type', a.asset_type, 'description', a.description,
                     'chassis_number', a.chassis_number, 'engine_number', a.engine_number,
                     'plate_number', a.plate_number) ORDER BY a.position)
                   FROM assets a WHERE a.registration_id = r.id), '[]'),
         'events', coalesce((SELECT json_agg(json_build_object(
                     'type', e.type, 'at', e.at, 'summary', e.summary) ORDER BY e.position)
                   FROM events e WHERE e.registration_id = r.id), '[]')
       )::text
FROM registrations r
"""

Registration = dict[str, Any]


def _clean(obj: Registration) -> Registration:
    """Drop null optional fields so the document matches the interchange format."""
    for key in ("grantors", "secured_parties", "assets"):
        obj[key] = [{k: v for k, v in item.items() if v is not None} for item in obj[key]]
    obj["events"] = [{k: v for k, v in e.items() if v is not None} for e in obj["events"]]
    if obj.get("obligation") is None:
        obj.pop("obligation", None)
    return obj


def parse(text: str) -> Registration:
    """A registration as the registry's query renders it (JSON text)."""
    return _clean(orjson.loads(text))


def prepare_session(conn: psycopg.Connection[Any]) -> None:
    """Registry times are rendered in Vietnam's time zone (+07:00)."""
    conn.execute("SET TIME ZONE 'Asia/Ho_Chi_Minh'")


def fetch_by_ids(
    conn: psycopg.Connection[Any], ids: Sequence[int]
) -> dict[int, Registration]:
    """The current state of the given registrations; absent ids were deleted outright."""
    rows = conn.execute(REGISTRATION_SELECT + " WHERE r.id = ANY(%s)", (list(ids),)).fetchall()
    return {int(row[0]): parse(row[1]) for row in rows}


def iter_raw(
    conn: psycopg.Connection[Any], batch_rows: int = 2000
) -> Iterator[list[tuple[int, str]]]:
    """Every registration as JSON text (see :func:`parse`), in id order, in batches
    (server-side cursor)."""
    with conn.cursor(name="regsearch_snapshot") as cur:
        cur.itersize = batch_rows
        cur.execute(REGISTRATION_SELECT + " ORDER BY r.id")
        while True:
            rows = cur.fetchmany(batch_rows)
            if not rows:
                return
            yield [(int(row[0]), row[1]) for row in rows]


def iter_all(
    conn: psycopg.Connection[Any], batch_rows: int = 2000
) -> Iterator[list[tuple[int, Registration]]]:
    """Every registration, in id order, in batches (server-side cursor)."""
    for batch in iter_raw(conn, batch_rows):
        yield [(reg_id, parse(text)) for reg_id, text in batch]
