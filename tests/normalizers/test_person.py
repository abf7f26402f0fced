"""Person-name tokens, honorifics and the y/i variant."""

from __future__ import annotations

import pytest

from normalizers.person import has_y_i_syllable, name_tokens, query_readings, y_i_folded


def test_tokens_pair_n1_and_n2() -> None:
    tokens = name_tokens("Nguyễn  Van-TÚ")
    assert [t.exact for t in tokens] == ["nguyễn", "van", "tú"]
    assert [t.folded for t in tokens] == ["nguyen", "van", "tu"]
    assert [t.accented for t in tokens] == [True, False, True]


def test_empty_name_has_no_tokens() -> None:
    assert name_tokens(" -- ") == ()


@pytest.mark.parametrize(("query", "readings"), [
    ("Ông Nguyễn Văn Tú", [["ông", "nguyễn", "văn", "tú"], ["nguyễn", "văn", "tú"]]),
    ("ONG NGUYEN VAN TU", [["ong", "nguyen", "van", "tu"], ["nguyen", "van", "tu"]]),
    ("Mrs. Mai", [["mrs", "mai"], ["mai"]]),
    ("Bá Kiến", [["bá", "kiến"]]),
    ("Ông", [["ông"]]),
    ("Nguyễn Văn Ông", [["nguyễn", "văn", "ông"]]),
])
def test_query_readings(query: str, readings: list[list[str]]) -> None:
    assert [list(reading.exact) for reading in query_readings(query)] == readings


@pytest.mark.parametrize(("token", "folded"), [
    ("ly", "li"), ("my", "mi"), ("ky", "ki"), ("sy", "si"), ("thy", "thi"), ("quy", "qui"),
    ("quynh", "quinh"), ("huy", "huy"), ("tuy", "tuy"), ("hay", "hay"), ("y", "y"),
    ("duy", "duy"), ("li", "li"), ("yen", "yen"),
])
def test_y_i_folded(token: str, folded: str) -> None:
    assert y_i_folded(token) == folded


def test_has_y_i_syllable() -> None:
    assert has_y_i_syllable("ly") and has_y_i_syllable("li")
    assert not has_y_i_syllable("huy") and not has_y_i_syllable("y")
