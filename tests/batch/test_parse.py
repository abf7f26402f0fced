"""Reading uploaded files: formats, headers in Vietnamese or English, row numbers."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook

from batch.columns import field_for
from batch.parse import FileProblemError, detect_format, parse


@pytest.mark.parametrize(("header", "field"), [
    ("Tên bên bảo đảm", "debtor_name"), ("Họ và tên", "debtor_name"), ("HO TEN", "debtor_name"),
    ("debtor_name", "debtor_name"), ("name", "debtor_name"), ("Loại chủ thể", "party_type"),
    ("party_type", "party_type"), ("Số giấy tờ", "id_number"), ("CCCD", "id_number"),
    ("CMND", "id_number"), ("Mã số thuế", "id_number"), ("Số CCCD/CMND", "id_number"),
    ("id_number", "id_number"), ("Số khung", "chassis_number"),
    ("chassis_number", "chassis_number"),
    ("Số máy", "engine_number"), ("engine_number", "engine_number"), ("Biển số", "plate_number"),
    ("plate_number", "plate_number"), ("Số đăng ký", "registration_number"),
    ("registration_number", "registration_number"), ("Ghi chú", None), ("STT", None),
])
def test_headers_in_vietnamese_and_english(header: str, field: str | None) -> None:
    assert field_for(header) == field


def test_format_from_extension_content_type_or_content() -> None:
    assert detect_format("a.CSV", None, b"x") == "csv"
    assert detect_format("a.xlsx", "text/plain", b"") == "xlsx"
    assert detect_format("a.jsonl", None, b"{") == "jsonl"
    assert detect_format("upload", "application/x-ndjson", b"") == "jsonl"
    assert detect_format("upload", None, b"PK\x03\x04rest") == "xlsx"
    assert detect_format(None, None, b'\xef\xbb\xbf{"name": 1}') == "jsonl"
    assert detect_format(None, None, b"name,cccd") == "csv"
    with pytest.raises(FileProblemError) as found:
        detect_format("old.xls", None, b"")
    assert found.value.code == "xls_not_supported"


def test_csv_rows_are_numbered_as_in_excel_and_trailing_blank_rows_are_not_rows() -> None:
    text = "Họ và tên;CCCD;Ghi chú\nNguyễn Văn An;001190012345;x\n;;\nTrần Thị Bình;;\n;;\n\n"
    parsed = parse(text.encode("utf-8-sig"), "csv")
    assert [(c.header, c.field) for c in parsed.columns] == [
        ("Họ và tên", "debtor_name"), ("CCCD", "id_number")]
    assert [n.code for n in parsed.notes] == ["ignored_column"]
    records = list(parsed.records)
    assert [r.row for r in records] == [2, 3, 4]
    assert records[1].is_blank
    assert [(c.field, v) for c, v in records[0].cells] == [
        ("debtor_name", "Nguyễn Văn An"), ("id_number", "001190012345")]


def test_csv_in_windows_1252_is_read_and_noted() -> None:
    parsed = parse("name\nNguyeãn Vaên An\n".encode("cp1252"), "csv")
    assert [n.code for n in parsed.notes] == ["not_utf8"]
    assert next(iter(parsed.records)).cells[0][1] == "Nguyeãn Vaên An"


def test_xlsx_keeps_numbers_as_numbers_for_the_row_checks() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Số CCCD", "Họ và tên"])
    sheet.append([1190012345, "Nguyễn Văn An"])
    sheet.append([None, None])
    sheet.append([1.2345e11, "Lê Thị Hoa"])
    buffer = io.BytesIO()
    book.save(buffer)
    records = list(parse(buffer.getvalue(), "xlsx").records)
    assert [r.row for r in records] == [2, 3, 4]
    assert records[0].cells[0][1] == 1190012345
    assert records[2].cells[0][1] == 1.2345e11


def test_jsonl_keys_are_headers_and_bad_lines_are_rows_with_a_problem() -> None:
    lines = [json.dumps({"debtor_name": "Nguyễn Văn An", "party_type": "individual",
                         "loan": "HD-1"}, ensure_ascii=False), "", "not json",
             json.dumps({"CCCD": "001190012345"})]
    parsed = parse("\n".join(lines).encode(), "jsonl")
    records = list(parsed.records)
    assert [r.row for r in records] == [1, 3, 4]
    assert records[1].problem is not None and records[1].problem.code == "not_json_object"
    assert [n.code for n in parsed.notes] == ["ignored_column"]


@pytest.mark.parametrize(("data", "kind", "code"), [
    (b"STT,Ghi chu\n1,x\n", "csv", "no_known_column"),
    (b"\n\n", "csv", "empty_file"),
    (b"not a workbook", "xlsx", "unreadable_file"),
    (b"\n", "jsonl", "empty_file"),
])
def test_files_that_cannot_be_read_say_why(data: bytes, kind: str, code: str) -> None:
    with pytest.raises(FileProblemError) as found:
        parse(data, kind)  # type: ignore[arg-type]
    assert found.value.code == code
