"""Candidate keys: examples and bounds (the guarantees are in test_keys_properties)."""

from __future__ import annotations

from normalizers.keys import (
    id_index_keys,
    id_query_keys,
    name_index_keys,
    name_query_keys,
    serial_index_keys,
    serial_query_keys,
)


def test_person_exact_key_is_n2_of_the_whole_name() -> None:
    assert name_index_keys("Nguyễn Văn Tú", "individual").exact == {"nguyen van tu"}
    assert name_query_keys("NGUYEN VAN TU", "individual").exact == {"nguyen van tu"}


def test_query_emits_the_reading_without_honorific() -> None:
    keys = name_query_keys("Ông Ích Khiêm", "individual")
    assert keys.exact == {"ong ich khiem", "ich khiem"}


def test_organisation_exact_key_is_the_core() -> None:
    index = name_index_keys("Công ty TNHH Thương mại Đông Á", "organization")
    assert "thuong mai dong a" in index.exact
    query = name_query_keys("Thương mại Đông Á", "organization")
    assert query.exact == {"thuong mai dong a"}


def test_no_party_type_emits_both_readings() -> None:
    keys = name_query_keys("Công ty TNHH ABC", None)
    assert keys.exact == {"cong ty tnhh abc", "abc"}


def test_close_keys_are_bounded() -> None:
    long_org = ("Công ty TNHH Thương mại Dịch vụ Xuất nhập khẩu Đầu tư Phát triển "
                "Hoàng Long Phát Đạt Sài Gòn")
    assert len(name_index_keys(long_org).close) < 200
    assert len(name_query_keys("Ông Nguyễn Thị Như Quỳnh").close) < 100
    assert len(name_index_keys("Nguyễn Văn An").close) < 30


def test_empty_names_have_no_keys() -> None:
    keys = name_index_keys("  ")
    assert not keys.exact and not keys.close


def test_id_keys() -> None:
    index = id_index_keys("0101234567-001")
    assert index.exact == {"0101234567001", "0101234567"}
    deletions = {f"d:{form[:i]}{form[i + 1:]}"
                 for form in ("0101234567001", "0101234567") for i in range(len(form))}
    assert index.close == {"z:101234567001"} | deletions
    query = id_query_keys("0101234567001")
    assert query.exact == {"0101234567001"}
    # a query gets the deletion keys of its own form only (not of a parent)
    own = "0101234567001"
    assert {k for k in query.close if k.startswith("d:")} == {
        "d:" + own[:i] + own[i + 1:] for i in range(len(own))}
    assert id_query_keys("1234567").close == frozenset()
    assert id_index_keys("--").exact == frozenset()


def test_serial_keys() -> None:
    index = serial_index_keys("RLHJC-5218-HY-O12345")
    assert index.exact == {"RLHJC5218HY012345"}
    assert index.reversed == ("543210YH8125CJHLR",)
    query = serial_query_keys("5218HY012345")
    assert query.tails == ("218HY012345", "18HY012345", "8HY012345", "HY012345")
    assert serial_query_keys("HY012345").tails == ()
    assert serial_query_keys("**").exact == frozenset()
