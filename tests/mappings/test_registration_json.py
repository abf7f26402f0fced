"""The registration doc value gives back the registration exactly, keys in their order."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import given
from hypothesis import strategies as st

from mappings.registration_json import FIELD, decode, encode

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.text(st.characters(codec="utf-8")),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(st.characters(codec="utf-8"), max_size=8), inner, max_size=4),
    max_leaves=20)


@given(st.dictionaries(st.text(st.characters(codec="utf-8"), max_size=12), json_values,
                       max_size=8))
def test_decode_gives_back_what_was_encoded(registration: dict[str, Any]) -> None:
    value = encode(registration)[FIELD]
    assert value.isascii() and "\n" not in value
    again = decode(value)
    assert again == registration
    assert list(again) == list(registration)


def test_a_registration_as_registered() -> None:
    registration = {"registration_number": "2024-0000000001", "status": "in_force",
                    "grantors": [{"party_type": "individual", "name": "Nguyễn Văn Tư",
                                  "id_number": "001090012345"}], "assets": []}
    value = encode(registration)[FIELD]
    assert decode(value) == registration
    assert orjson.dumps(decode(value)) == orjson.dumps(registration)
