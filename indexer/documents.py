"""Registration (interchange format) → Elasticsearch document.

The document keeps the registration exactly as registered, for display and
certificates, in a binary doc value (``mappings.registration_json``) and, beside it,
the keys candidate retrieval looks up, all computed by ``normalizers`` — the same
functions the query side uses — and the packed doc value classification reads
(``mappings.packed``). Keys and doc values are indexed but left out of ``_source``,
which holds the registration's id, number, status, times, position and content hash.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from mappings.name_value import name_value
from mappings.packed import pack
from mappings.registration_json import encode as registration_json
from normalizers import keys
from normalizers.identifiers import identifier_form

SERIAL_FIELDS = (("chassis_number", "chassis"), ("engine_number", "engine"),
                 ("plate_number", "plate"))


def content_hash(registration: dict[str, Any]) -> str:
    """A stable hash of the registration's content, for ``index verify``."""
    return hashlib.sha256(orjson.dumps(registration, option=orjson.OPT_SORT_KEYS)).hexdigest()


def build(registration_id: int, registration: dict[str, Any], lsn: str) -> dict[str, Any]:
    name_exact: set[str] = set()
    name_close: set[str] = set()
    id_exact: set[str] = set()
    id_close: set[str] = set()
    name_values: set[str] = set()
    for party in registration.get("grantors", []):
        name_values.add(name_value(party.get("party_type"), party["name"]))
        name_keys = keys.name_index_keys(party["name"], party.get("party_type"))
        name_exact.update(name_keys.exact)
        name_close.update(name_keys.close)
        if party.get("id_number"):
            id_keys = keys.id_index_keys(party["id_number"])
            id_exact.update(id_keys.exact)
            id_close.update(id_keys.close)
    digest = content_hash(registration)
    doc: dict[str, Any] = {
        "registration_id": registration_id,
        "registration_number": registration["registration_number"],
        "registration_key": identifier_form(registration["registration_number"]),
        "kind": registration["kind"],
        "status": registration["status"],
        "registered_at": registration["registered_at"],
        "source_lsn": lsn,
        "content_hash": digest,
        "name_exact": sorted(name_exact),
        "name_close": sorted(name_close),
        "name_value": sorted(name_values),
        "id_exact": sorted(id_exact),
        "id_close": sorted(id_close),
        **pack(registration, registration_id, digest),
        **registration_json(registration),
    }
    for source_field, prefix in SERIAL_FIELDS:
        exact: set[str] = set()
        close: set[str] = set()
        reversed_forms: set[str] = set()
        for asset in registration.get("assets", []):
            value = asset.get(source_field)
            if value:
                serial_keys = keys.serial_index_keys(value)
                exact.update(serial_keys.exact)
                close.update(serial_keys.close)
                reversed_forms.update(serial_keys.reversed)
        doc[f"{prefix}_exact"] = sorted(exact)
        doc[f"{prefix}_close"] = sorted(close)
        doc[f"{prefix}_reversed"] = sorted(reversed_forms)
    return doc
