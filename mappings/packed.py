"""One binary doc value that carries what classification needs.

Reading a candidate's whole registration (``registration_json``) is most of what fetching
thousands of candidates would cost. Classification and ranking need only the values the
criterion matches, their positions and a summary, so each document also carries them
packed into one binary doc value (``packed``), and candidate retrieval reads that instead.
A binary doc value is read by its offset; keyword doc values (mapping versions 2 and 3)
look every value up in a terms dictionary, which was most of Elasticsearch's time per hit.

Since mapping v9 the value is one JSON array, encoded by orjson::

    [registration_id, content_hash, registration_number, kind, status, registered_at,
     [[party_type, name, id_number], ...],                      # grantors, in order
     [[asset_type, chassis_number, engine_number, plate_number], ...]]   # assets

An absent value is ``""``. Elasticsearch takes and returns it base64-encoded.

Why JSON and not a format of its own: until v8 the value was UTF-8 text with its own
separators (US between fields, RS between items, GS between groups; a separator inside a
value became a space). Issue 20 asked to keep the simpler one if within 5%. Measured side
by side on 100,000 synthetic registrations, alternating the formats round by round, two
runs (``benchmarks/bench_packed.py``, 2026-12-06, 2 shared cores at load average 18-20;
figures and command in ``benchmarks/RESULTS.md``): the JSON array is 15% longer (362
against 314 base64 characters) but cheaper to encode (3.4-4.7 against 6.9-8.1 µs) and to
decode a candidate and read its values (3.1 against 3.5-3.9 µs), and Elasticsearch pages
reading it were no slower (2,000 candidates: 82 and 171 ms against 90 and 189; 150: 6.5 and
13.5 ms against 8.2 and 16.6; medians of 8 rounds). Reading only the id and content hash of
a hit (``identity``) costs about 2 µs instead of 0.8 (the whole value is decoded): at most
150 hits a page, 0.2 ms. So the separator format went, and with it its escaping, which
also made the packed values differ from the registration's when a value held a separator.
"""

from __future__ import annotations

import binascii
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

FIELD = "packed"
GRANTOR_FIELDS = ("party_type", "name", "id_number")
ASSET_FIELDS = ("asset_type", "chassis_number", "engine_number", "plate_number")
SUMMARY_FIELDS = ("registration_number", "kind", "status", "registered_at")


def _text(part: object) -> str:
    if part is None:
        return ""
    return part if isinstance(part, str) else str(part)


def _items(items: Sequence[Mapping[str, Any]], keys: tuple[str, ...]) -> list[list[str]]:
    return [[_text(item.get(k)) for k in keys] for item in items]


def pack(registration: Mapping[str, Any], registration_id: int, content_hash: str
         ) -> dict[str, str]:
    """The packed field of one registration (added to its document), base64-encoded as
    Elasticsearch takes binary values."""
    value = [registration_id, content_hash,
             *[_text(registration.get(k)) for k in SUMMARY_FIELDS],
             _items(registration.get("grantors", ()), GRANTOR_FIELDS),
             _items(registration.get("assets", ()), ASSET_FIELDS)]
    return {FIELD: binascii.b2a_base64(orjson.dumps(value), newline=False).decode("ascii")}


@dataclass(slots=True)  # not frozen: its __init__ is 5x cheaper (read millions a batch)
class Unpacked:
    registration_id: int
    content_hash: str
    #: Registration number, kind, status and registration time.
    summary: dict[str, Any]
    #: Grantors and assets in registration order, each a list of its fields in the order
    #: of ``GRANTOR_FIELDS`` or ``ASSET_FIELDS`` ("" for an absent value).
    grantors: Sequence[list[str]]
    assets: Sequence[list[str]]


def unpack(value: str) -> Unpacked:
    """The packed field as Elasticsearch returns it (base64)."""
    registration_id, content_hash, number, kind, status, registered_at, grantors, assets = (
        orjson.loads(binascii.a2b_base64(value)))
    return Unpacked(registration_id, content_hash,
                    {"registration_number": number, "kind": kind, "status": status,
                     "registered_at": registered_at},
                    grantors, assets)


def identity(value: str) -> tuple[int, str]:
    """(registration id, content hash) of the packed field as Elasticsearch returns it."""
    decoded = orjson.loads(binascii.a2b_base64(value))
    return decoded[0], decoded[1]


def item_parts(items: Sequence[list[str]]) -> Iterator[list[str]]:
    """Each packed grantor or asset as its fields (in the order of ``GRANTOR_FIELDS`` or
    ``ASSET_FIELDS``); an empty string is an absent value."""
    return iter(items)


def registration_of(found: Unpacked) -> dict[str, Any]:
    """The partial registration the packed value holds (absent values left out)."""
    registration = dict(found.summary)
    for list_name, items, keys in (("grantors", found.grantors, GRANTOR_FIELDS),
                                   ("assets", found.assets, ASSET_FIELDS)):
        registration[list_name] = [{k: v for k, v in zip(keys, parts, strict=True) if v}
                                   for parts in item_parts(items)]
    return registration
