"""Packed doc values give back exactly what classification reads from a registration."""

from __future__ import annotations

import base64
from typing import Any

import orjson
from hypothesis import given
from hypothesis import strategies as st

from mappings.packed import identity, pack, registration_of, unpack
from query.search import packed_values, registered_values

CRITERIA = ("debtor_name", "id_number", "chassis_number", "engine_number", "plate_number",
            "registration_number")

text = st.text(st.characters(codec="utf-8"), max_size=30)
optional = st.one_of(st.none(), text)
party = st.fixed_dictionaries({"party_type": st.sampled_from(["individual", "organization"]),
                               "name": text}, optional={"id_number": optional})
asset = st.fixed_dictionaries({"asset_type": st.sampled_from(["motor_vehicle", "other"])},
                              optional={"chassis_number": optional, "engine_number": optional,
                                        "plate_number": optional})
registration = st.fixed_dictionaries({
    "registration_number": st.from_regex(r"20[0-9]{2}-[0-9]{10}", fullmatch=True),
    "kind": st.sampled_from(["mortgage", "pledge"]),
    "status": st.sampled_from(["in_force", "deleted"]),
    "registered_at": st.just("2024-03-01T09:00:00+07:00"),
    "grantors": st.lists(party, max_size=12),
    "assets": st.lists(asset, max_size=12),
})


def _present(value: str | None) -> str | None:
    return value or None


@given(registration, st.integers(min_value=1, max_value=2**63 - 1),
       st.text("0123456789abcdef", min_size=64, max_size=64))
def test_every_criterion_sees_the_same_values_at_the_same_positions(
        reg: dict[str, Any], registration_id: int, content_hash: str) -> None:
    value = pack(reg, registration_id, content_hash)["packed"]
    found = unpack(value)
    assert (found.registration_id, found.content_hash) == (registration_id, content_hash)
    assert identity(value) == (registration_id, content_hash)
    back = registration_of(found)
    for key in ("registration_number", "kind", "status", "registered_at"):
        assert back[key] == reg[key]
    assert (len(back["grantors"]), len(back["assets"])) == (len(reg["grantors"]),
                                                             len(reg["assets"]))
    for criterion in CRITERIA:
        expected = [(role, pos, field, _present(value), kind)
                    for role, pos, field, value, kind in registered_values(criterion, reg)]
        assert list(registered_values(criterion, back)) == expected
        assert packed_values(criterion, found) == expected


def test_a_known_registration() -> None:
    reg = {"registration_number": "2024-0000000001", "kind": "mortgage", "status": "in_force",
           "registered_at": "2024-03-01T09:00:00+07:00",
           "grantors": [{"party_type": "individual", "name": "Nguyễn Văn An",
                         "id_number": "001190012345"},
                        {"party_type": "organization", "name": "Công ty TNHH Á Đông"}],
           "assets": [{"asset_type": "motor_vehicle", "chassis_number": "RLHJC5218HY012345"}]}
    value = pack(reg, 7, "ab" * 32)["packed"]
    assert orjson.loads(base64.b64decode(value)) == [
        7, "ab" * 32, "2024-0000000001", "mortgage", "in_force", "2024-03-01T09:00:00+07:00",
        [["individual", "Nguyễn Văn An", "001190012345"],
         ["organization", "Công ty TNHH Á Đông", ""]],
        [["motor_vehicle", "RLHJC5218HY012345", "", ""]]]
    assert identity(value) == (7, "ab" * 32)
    # the longest registration id a long holds
    longest = pack({"registration_number": "", "kind": "", "status": "", "registered_at": ""},
                   2**63 - 1, "f" * 64)["packed"]
    assert identity(longest) == (2**63 - 1, "f" * 64)
    back = registration_of(unpack(value))
    assert back["grantors"] == reg["grantors"]
    assert back["assets"] == reg["assets"]
