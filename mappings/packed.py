"""Doc-value fields that carry what classification needs, packed into keywords.

A candidate's whole registration lives in ``_source``; reading and filtering it is
most of what fetching thousands of candidates costs. Classification and ranking need
only the matched values, their positions and a summary, so each document also carries
them as doc values, and candidate retrieval reads those instead:

* ``summary``: registration id, content hash, registration number, kind, status and
  registration time (so a candidate needs two doc-value fields, not four);
* ``grantor_values``: per grantor, its position, party type, name and ID number;
* ``asset_values``: per asset, its position, type, chassis, engine and plate numbers.

Values are joined with the ASCII unit separator; positions are zero-padded so the
sorted doc values keep registration order. ``unpack`` rebuilds the partial registration
the classifier reads (``query.search.registered_values``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SEPARATOR = "\x1f"
GRANTOR_FIELDS = ("party_type", "name", "id_number")
ASSET_FIELDS = ("asset_type", "chassis_number", "engine_number", "plate_number")
SUMMARY_FIELDS = ("registration_number", "kind", "status", "registered_at")
#: The doc-value fields a candidate needs, per criterion.
FIELDS_FOR = {"debtor_name": "grantor_values", "id_number": "grantor_values",
              "chassis_number": "asset_values", "engine_number": "asset_values",
              "plate_number": "asset_values"}
_LISTS = (("grantors", "grantor_values", GRANTOR_FIELDS), ("assets", "asset_values", ASSET_FIELDS))


def _text(part: object) -> str:
    if part is None:
        return ""
    text = part if isinstance(part, str) else str(part)
    return text.replace(SEPARATOR, " ") if SEPARATOR in text else text


def _join(parts: Sequence[object]) -> str:
    return SEPARATOR.join([_text(p) for p in parts])


def pack(registration: Mapping[str, Any], registration_id: int, content_hash: str
         ) -> dict[str, Any]:
    """The packed fields of one registration (added to its document)."""
    packed: dict[str, Any] = {"summary": _join(
        [registration_id, content_hash, *[registration.get(k) for k in SUMMARY_FIELDS]])}
    for list_name, field_name, keys in _LISTS:
        packed[field_name] = [_join([f"{i:04d}", *[item.get(k) for k in keys]])
                              for i, item in enumerate(registration.get(list_name, ()))]
    return packed


@dataclass(frozen=True, slots=True)
class Unpacked:
    registration_id: int
    content_hash: str
    #: The partial registration: the summary and the list the criterion reads.
    registration: dict[str, Any]


def _items(values: Sequence[str], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    # doc values come sorted, and the zero-padded position leads each value
    items = []
    for value in values:
        parts = value.split(SEPARATOR)
        items.append({k: v for k, v in zip(keys, parts[1:], strict=True) if v})
    return items


def unpack_summary(fields: Mapping[str, Sequence[Any]]) -> Unpacked:
    """The registration id, content hash and summary (number, kind, status, time)."""
    registration_id, content_hash, number, kind, status, registered_at = \
        fields["summary"][0].split(SEPARATOR)
    return Unpacked(int(registration_id), content_hash,
                    {"registration_number": number, "kind": kind, "status": status,
                     "registered_at": registered_at})


def item_parts(values: Sequence[str]) -> Iterator[list[str]]:
    """Each packed grantor or asset split into its position and fields (see the
    ``*_FIELDS`` tuples for their order); empty strings are absent values."""
    for value in values:
        yield value.split(SEPARATOR)


def unpack(fields: Mapping[str, Sequence[Any]]) -> Unpacked:
    """The registration id, content hash and partial registration the packed doc values
    hold (empty values are absent)."""
    found = unpack_summary(fields)
    registration = found.registration
    for list_name, field_name, keys in _LISTS:
        values = fields.get(field_name)
        if values is not None:
            registration[list_name] = _items(values, keys)
    return found
