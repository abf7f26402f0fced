"""The registration as registered, in a binary doc value beside ``_source``.

A name search's page reads up to 150 whole registrations. Read from ``_source``, each hit
decompresses a block of stored fields (the hits of a name are spread over the whole
index, so every one is another block); a binary doc value is read by its offset. The value
is the registration's JSON (UTF-8, orjson, keys in registration order as in ``_source``);
Elasticsearch takes and returns it base64-encoded.
"""

from __future__ import annotations

import binascii
from collections.abc import Mapping
from typing import Any

import orjson

FIELD = "registration_json"


def encode(registration: Mapping[str, Any]) -> dict[str, str]:
    """The field of one registration (added to its document)."""
    return {FIELD: binascii.b2a_base64(orjson.dumps(registration), newline=False)
            .decode("ascii")}


def decode(value: str) -> dict[str, Any]:
    """The registration from the field as Elasticsearch returns it."""
    registration: dict[str, Any] = orjson.loads(binascii.a2b_base64(value))
    return registration
