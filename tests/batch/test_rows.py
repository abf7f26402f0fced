"""Row checks before anything runs: the single search's rules, Excel-mangled numbers,
legacy encodings, duplicates and chunks."""

from __future__ import annotations

from typing import Any

import pytest

from batch.cells import cell_text
from batch.parse import Column, ParsedFile, Record
from batch.report import TooManyRowsError, check_file
from batch.rows import check_row
from normalizers.legacy import encode_tcvn3, encode_vni

NAME = Column("Họ và tên", "debtor_name")
TYPE = Column("Loại chủ thể", "party_type")
ID = Column("Số CCCD", "id_number")
CHASSIS = Column("Số khung", "chassis_number")


def record(row: int, *cells: tuple[Column, Any]) -> Record:
    return Record(row, list(cells))


@pytest.mark.parametrize(("value", "text", "note"), [
    (1190012345, "1190012345", "numeric_cell"),
    (119001234500.0, "119001234500", "numeric_cell"),
    ("1.19001E+11", "119001000000", "scientific_notation"),
    ("1,19001E+11", "119001000000", "scientific_notation"),
    ("12345678901.0", "12345678901", "numeric_cell"),
    ("001190012345", "001190012345", None),
    ("C1234567", "C1234567", None),
    ("  ", None, None),
])
def test_numbers_excel_rewrote_are_read_back_as_digits(value: Any, text: str | None,
                                                       note: str | None) -> None:
    cell = cell_text(value, "id_number", "Số CCCD")
    assert cell.text == text
    assert (cell.note.code if cell.note else None) == note
    if cell.note:
        assert cell.note.field == "Số CCCD" and f"“{text}”" in cell.note.message_en


def test_a_name_that_looks_like_a_number_is_left_alone() -> None:
    assert cell_text("1.5E+3", "debtor_name", "Tên").text == "1.5E+3"


def test_a_good_row_carries_each_criterion_on_its_own() -> None:
    checked = check_row(record(2, (NAME, "Nguyễn Văn An"), (TYPE, "cá nhân"),
                               (ID, 1190012345), (CHASSIS, "RLHJC5218HY012345")))
    assert checked.valid
    assert [(c.criterion, c.value, c.party_type) for c in checked.criteria] == [
        ("debtor_name", "Nguyễn Văn An", "individual"), ("id_number", "1190012345", None),
        ("chassis_number", "RLHJC5218HY012345", None)]
    assert [n.code for n in checked.notes] == ["numeric_cell"]


@pytest.mark.parametrize(("cells", "field", "rule"), [
    ((), None, "no_criterion"),
    (((NAME, ""), (ID, None)), None, "no_criterion"),
    (((NAME, "Nguyễn " * 40),), "Họ và tên", "max_length"),
    (((NAME, "Nguy\x07ễn Văn An"),), "Họ và tên", "no_control_characters"),
    (((NAME, "Nguyễn Văn An"), (TYPE, "hộ kinh doanh")), "Loại chủ thể", "unknown_party_type"),
    (((NAME, "*** ---"),), "Họ và tên", "no_searchable_characters"),
    (((ID, "--"),), "Số CCCD", "no_searchable_characters"),
    (((ID, True),), "Số CCCD", "must_be_string"),
])
def test_bad_rows_name_the_column_and_the_rule_in_both_languages(
        cells: tuple[tuple[Column, Any], ...], field: str | None, rule: str) -> None:
    checked = check_row(record(7, *cells))
    assert not checked.valid
    found = checked.problems[0]
    assert (found.field, found.code) == (field, rule)
    assert found.message_vi and found.message_en and found.message_vi != found.message_en


def test_legacy_encoded_names_are_noted_with_what_the_normaliser_reads() -> None:
    for encoded in (encode_vni("Nguyễn Văn Hùng"), encode_tcvn3("Trần Văn Thành")):
        checked = check_row(record(3, (NAME, encoded)))
        assert checked.valid
        assert [n.code for n in checked.notes] == ["legacy_encoding"]
    assert "“Nguyễn Văn Hùng”" in check_row(
        record(3, (NAME, encode_vni("Nguyễn Văn Hùng")))).notes[0].message_vi


def test_a_party_type_without_a_name_is_noted_not_refused() -> None:
    checked = check_row(record(4, (TYPE, "Tổ chức"), (ID, "0101234567")))
    assert checked.valid and [n.code for n in checked.notes] == ["party_type_ignored"]


def _parsed(records: list[Record]) -> ParsedFile:
    return ParsedFile("csv", [NAME, ID], iter(records))


def test_duplicates_are_searched_once_and_belong_to_their_first_rows_chunk() -> None:
    rows = [record(n, (NAME, f"Nguyễn Văn {n}x")) for n in range(2, 7)]
    rows.append(record(7, (NAME, "Nguyễn Văn 3x")))
    rows.append(record(8, (NAME, "")))
    report = check_file(_parsed(rows), max_rows=100, chunk_rows=2)
    assert report.counts() == {"total": 7, "valid": 6, "invalid": 1, "duplicate": 1,
                               "searched": 5}
    assert report.chunks == 3
    assert [(r.row, r.chunk, r.duplicate_of) for r in report.rows] == [
        (2, 0, None), (3, 0, None), (4, 1, None), (5, 1, None), (6, 2, None), (7, 0, 3),
        (8, None, None)]
    assert report.rows[5].notes[-1].code == "duplicate_row"
    body = report.as_dict()
    assert body["invalid_rows"] == [{"row": 8, "problems": [report.rows[6].problems[0]
                                                            .as_dict()]}]
    assert body["duplicates"] == [{"row": 7, "duplicate_of": 3}]


def test_more_rows_than_the_account_may_send_is_refused() -> None:
    with pytest.raises(TooManyRowsError) as found:
        check_file(_parsed([record(n, (NAME, "An")) for n in range(2, 14)]), max_rows=10,
                   chunk_rows=5)
    assert found.value.limit == 10
