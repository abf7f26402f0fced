"""The name_value keyword: party type and name as registered, read back unchanged."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mappings.name_value import SEPARATOR, name_value, parse_name_value

_NAMES = st.text(alphabet=st.characters(blacklist_characters=SEPARATOR,
                                        blacklist_categories=("Cs",)), min_size=1)


@given(st.sampled_from([None, "individual", "organization"]), _NAMES)
def test_a_value_reads_back_as_written(party_type: str | None, name: str) -> None:
    assert parse_name_value(name_value(party_type, name)) == (party_type, name)


def test_values_of_different_party_types_differ() -> None:
    assert name_value("individual", "Nguyễn Văn An") != name_value("organization",
                                                                    "Nguyễn Văn An")
    assert name_value(None, "An") == "\x1fAn"
