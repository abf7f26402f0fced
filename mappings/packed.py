"""One binary doc value that carries what classification needs.

A candidate's whole registration lives in ``_source``; reading and filtering it is
most of what fetching thousands of candidates costs. Classification and ranking need
only the values the criterion matches, their positions and a summary, so each document
also carries them packed into one binary doc value (``packed``), and candidate
retrieval reads that instead. A binary doc value is read by its offset; keyword doc
values (mapping versions 2 and 3) look every value up in a terms dictionary, which was
most of Elasticsearch's time per hit.

The value is UTF-8 text in three groups separated by GS (``\\x1d``):

* the summary: registration id, content hash, registration number, kind, status and
  registration time;
* the grantors in registration order, separated by RS (``\\x1e``), each its party type,
  name and ID number;
* the assets likewise, each its type, chassis, engine and plate numbers.

Fields are separated by US (``\\x1f``); an absent field is empty; the three separators
inside a value become spaces. Elasticsearch returns it base64-encoded.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

FIELD = "packed"
UNIT = "\x1f"
RECORD = "\x1e"
GROUP = "\x1d"
GRANTOR_FIELDS = ("party_type", "name", "id_number")
ASSET_FIELDS = ("asset_type", "chassis_number", "engine_number", "plate_number")
SUMMARY_FIELDS = ("registration_number", "kind", "status", "registered_at")
_SEPARATORS = str.maketrans({UNIT: " ", RECORD: " ", GROUP: " "})


def _text(part: object) -> str:
    if part is None:
        return ""
    text = part if isinstance(part, str) else str(part)
    if UNIT in text or RECORD in text or GROUP in text:
        return text.translate(_SEPARATORS)
    return text


def _join(parts: Sequence[object]) -> str:
    return UNIT.join([_text(p) for p in parts])


def _items(items: Sequence[Mapping[str, Any]], keys: tuple[str, ...]) -> str:
    # one item has len(keys) - 1 separators, so only an empty list packs to ""
    return RECORD.join([_join([item.get(k) for k in keys]) for item in items])


def pack(registration: Mapping[str, Any], registration_id: int, content_hash: str
         ) -> dict[str, str]:
    """The packed field of one registration (added to its document), base64-encoded as
    Elasticsearch takes binary values."""
    summary = _join([registration_id, content_hash,
                     *[registration.get(k) for k in SUMMARY_FIELDS]])
    text = GROUP.join([summary, _items(registration.get("grantors", ()), GRANTOR_FIELDS),
                       _items(registration.get("assets", ()), ASSET_FIELDS)])
    return {FIELD: base64.b64encode(text.encode("utf-8")).decode("ascii")}


@dataclass(slots=True)  # not frozen: its __init__ is 5x cheaper (read millions a batch)
class Unpacked:
    registration_id: int
    content_hash: str
    #: Registration number, kind, status and registration time.
    summary: dict[str, Any]
    #: Packed grantors and assets, in registration order (see :func:`item_parts`).
    grantors: tuple[str, ...]
    assets: tuple[str, ...]


def unpack(value: str) -> Unpacked:
    """The packed field as Elasticsearch returns it (base64)."""
    summary, grantors, assets = binascii.a2b_base64(value).decode("utf-8").split(GROUP)
    registration_id, content_hash, number, kind, status, registered_at = summary.split(UNIT)
    return Unpacked(int(registration_id), content_hash,
                    {"registration_number": number, "kind": kind, "status": status,
                     "registered_at": registered_at},
                    tuple(grantors.split(RECORD)) if grantors else (),
                    tuple(assets.split(RECORD)) if assets else ())


#: Base64 characters that hold the summary's first two fields whatever they are: a
#: registration id of at most 19 digits, US, a 64-digit content hash, US (85 bytes).
_IDENTITY_CHARS = 4 * -(-85 // 3)


def identity(value: str) -> tuple[int, str]:
    """(registration id, content hash) of the packed field as Elasticsearch returns it,
    decoding only the start of it."""
    head = binascii.a2b_base64(value[:_IDENTITY_CHARS])
    registration_id, content_hash, _ = head.split(UNIT.encode(), 2)
    return int(registration_id), content_hash.decode("ascii")


def item_parts(items: Sequence[str]) -> Iterator[list[str]]:
    """Each packed grantor or asset split into its fields (in the order of
    ``GRANTOR_FIELDS`` or ``ASSET_FIELDS``); an empty string is an absent value."""
    for item in items:
        yield item.split(UNIT)


def registration_of(found: Unpacked) -> dict[str, Any]:
    """The partial registration the packed value holds (absent values left out)."""
    registration = dict(found.summary)
    for list_name, items, keys in (("grantors", found.grantors, GRANTOR_FIELDS),
                                   ("assets", found.assets, ASSET_FIELDS)):
        registration[list_name] = [{k: v for k, v in zip(keys, parts, strict=True) if v}
                                   for parts in item_parts(items)]
    return registration
