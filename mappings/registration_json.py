"""The registration as registered, in a binary doc value: the only copy in the index.

A name search's page reads up to 150 whole registrations. Read from ``_source``, each hit
would decompress a block of stored fields (the hits of a name are spread over the whole
index, so every one is another block); a binary doc value is read by its offset. Since
mapping v8 every reader takes the registration from here, and ``_source`` no longer
holds it (sending it twice cost the copy 0.02-0.04 ms of Elasticsearch CPU a document).
The value is the registration's JSON (UTF-8, orjson, keys in registration order);
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
