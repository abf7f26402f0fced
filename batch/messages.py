"""What a batch says to the person who sent the file, in Vietnamese and English.

Rules of a single search (empty, too long, control characters, nothing left to
search) keep the wording of ``query.problems``; these are the batch's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: code -> (Vietnamese, English); ``{name}`` fields are filled from the context.
TEXTS: dict[str, tuple[str, str]] = {
    # --- problems of one row ------------------------------------------------------------
    "no_criterion": (
        "Dòng không có tiêu chí tra cứu nào (tên, số giấy tờ, số khung, số máy, biển số, "
        "số đăng ký).",
        "The row has no search criterion (name, ID number, chassis, engine, plate or "
        "registration number)."),
    "unknown_party_type": (
        "Loại chủ thể “{value}” không rõ: phải là “cá nhân” hoặc “tổ chức”.",
        "Unknown party type “{value}”: must be “individual” or “organization”."),
    "not_json_object": (
        "Dòng không phải là một đối tượng JSON hợp lệ.", "The line is not a valid JSON object."),
    # --- notes on one row (the row still runs) ---------------------------------------------
    "numeric_cell": (
        "Ô kiểu số {original} được đọc thành “{value}”; số 0 ở đầu có thể đã bị bảng tính bỏ "
        "mất (kết quả gần đúng leading_zeros vẫn tìm được).",
        "Numeric cell {original} read as “{value}”; the spreadsheet may have dropped leading "
        "zeros (the close tier's leading_zeros still finds them)."),
    "scientific_notation": (
        "“{original}” (dạng số mũ của Excel) được đọc thành “{value}”; các chữ số cuối có thể "
        "đã mất, nên kiểm tra lại tệp gốc.",
        "“{original}” (Excel scientific notation) read as “{value}”; trailing digits may have "
        "been lost: check the source file."),
    "legacy_encoding": (
        "Tên gõ bằng bảng mã cũ (TCVN3/VNI) được đọc thành “{value}”.",
        "Name typed in a legacy encoding (TCVN3/VNI) read as “{value}”."),
    "duplicate_row": (
        "Trùng tiêu chí với dòng {row}: chỉ tra cứu một lần, dùng chung kết quả.",
        "Same criteria as row {row}: searched once, same result."),
    "party_type_ignored": (
        "Loại chủ thể chỉ dùng cho tiêu chí tên; đã bỏ qua ở dòng không có tên.",
        "The party type applies to names only; ignored on a row without a name."),
    # --- notes on the file ---------------------------------------------------------------
    "ignored_column": (
        "Cột “{column}” không phải tiêu chí tra cứu; đã bỏ qua.",
        "Column “{column}” is not a search criterion; ignored."),
    "not_utf8": (
        "Tệp không phải UTF-8; đã đọc theo Windows-1252 (tên gõ bằng bảng mã cũ được chuyển "
        "đổi khi tra cứu).",
        "The file is not UTF-8; read as Windows-1252 (names typed in legacy encodings are "
        "converted when searched)."),
    # --- the file, the limits and the job (HTTP errors) ------------------------------------
    "xls_not_supported": (
        "Tệp Excel 97-2003 (.xls) không được hỗ trợ: hãy lưu thành .xlsx hoặc CSV UTF-8.",
        "Excel 97-2003 files (.xls) are not supported: save as .xlsx or CSV UTF-8."),
    "unsupported_format": (
        "Định dạng tệp không được hỗ trợ: dùng CSV, XLSX hoặc JSONL.",
        "Unsupported file format: use CSV, XLSX or JSONL."),
    "empty_file": ("Tệp không có dòng dữ liệu nào.", "The file has no data rows."),
    "unreadable_file": ("Không đọc được tệp ({detail}).", "The file cannot be read ({detail})."),
    "no_known_column": (
        "Không nhận ra cột tiêu chí nào. Dùng tiêu đề như “Tên bên bảo đảm”, “Loại chủ thể”, "
        "“Số giấy tờ”, “Số khung”, “Số máy”, “Biển số”, “Số đăng ký”.",
        "No column holds a search criterion. Use headers such as debtor_name, party_type, "
        "id_number, chassis_number, engine_number, plate_number, registration_number."),
    "xlsx_too_large": (
        "Tệp XLSX khi giải nén lớn {size} byte, vượt giới hạn {limit} byte "
        "(xlsx_max_uncompressed_bytes); hãy chia nhỏ tệp hoặc dùng CSV.",
        "The XLSX file unpacks to {size} bytes, over the limit of {limit} bytes "
        "(xlsx_max_uncompressed_bytes); split the file or use CSV."),
    "xlsx_too_many_strings": (
        "Phần chuỗi dùng chung (sharedStrings) của tệp XLSX lớn {size} byte, vượt giới hạn "
        "{limit} byte (xlsx_max_shared_strings_bytes); hãy chia nhỏ tệp hoặc dùng CSV.",
        "The XLSX file's shared strings are {size} bytes, over the limit of {limit} bytes "
        "(xlsx_max_shared_strings_bytes); split the file or use CSV."),
    "xlsx_too_many_columns": (
        "Dòng {row} của trang tính có hơn {limit} ô, vượt giới hạn số cột (xlsx_max_columns "
        "= {limit}).",
        "Row {row} of the sheet has more than {limit} cells, over the limit of columns "
        "(xlsx_max_columns = {limit})."),
    "xlsx_too_many_cells": (
        "Trang tính có hơn {limit} ô (đến dòng {row}), vượt giới hạn số ô (xlsx_max_cells = "
        "{limit}); hãy chia nhỏ tệp.",
        "The sheet has more than {limit} cells (by row {row}), over the limit of cells "
        "(xlsx_max_cells = {limit}); split the file."),
    "csv_field_too_large": (
        "Một ô ở dòng {row} dài hơn {limit} ký tự, vượt giới hạn độ dài ô (csv_max_field); "
        "kiểm tra dấu ngoặc kép không đóng.",
        "A field in row {row} is longer than {limit} characters, over the limit of a field's "
        "length (csv_max_field); look for an unclosed quote."),
    "json_too_deep": (
        "Dòng {row} lồng nhau sâu hơn {limit} cấp, vượt giới hạn độ sâu JSON (json_max_depth).",
        "Line {row} is nested deeper than {limit} levels, over the limit of JSON nesting "
        "(json_max_depth)."),
    "more_notes": (
        "Còn {count} ghi chú khác cùng loại không được liệt kê.",
        "{count} more notes of the same kind are not listed."),
    "file_too_large": (
        "Tệp lớn hơn giới hạn {limit} byte.",
        "The file is larger than the limit of {limit} bytes."),
    "batch_too_many_rows": (
        "Tệp có hơn {limit} dòng, vượt giới hạn số dòng mỗi lô của tài khoản (max_batch_rows = "
        "{limit}); hãy chia nhỏ tệp.",
        "The file has more than {limit} rows, over the account's limit of rows per batch "
        "(max_batch_rows = {limit}); split the file."),
    "too_many_open_batches": (
        "Tài khoản đã có {limit} lô đang chạy, bằng giới hạn số lô đang mở (max_open_batches = "
        "{limit}); hãy chờ một lô xong hoặc hủy bớt.",
        "The account already has {limit} batches running, its limit of open batches "
        "(max_open_batches = {limit}); wait for one to finish or cancel one."),
    "batch_no_valid_rows": (
        "Không có dòng hợp lệ nào để tra cứu; xem báo cáo kiểm tra.",
        "No valid row to search; see the validation report."),
    "batch_not_found": ("Không tìm thấy lô tra cứu.", "No such batch."),
    "batch_finished": (
        "Lô đã kết thúc ({status}), không thể hủy.",
        "The batch has finished ({status}) and cannot be cancelled."),
    # --- the certificate for a whole batch (POST /v1/batches/{id}/certificate) -------------
    "batch_not_finished": (
        "Lô chưa tra cứu xong (trạng thái {status}): văn bản chứng nhận chỉ được cấp khi mọi "
        "dòng hợp lệ đã được tra cứu (trạng thái done). Hãy chờ lô hoàn tất rồi yêu cầu lại; "
        "yêu cầu này không bị tính phí.",
        "The batch has not finished (status {status}): a certificate is issued only once every "
        "valid row has been searched (status done). Wait for the batch to finish and ask "
        "again; you were not charged."),
    "batch_cancelled_no_certificate": (
        "Lô đã bị hủy nên không phải mọi dòng đều được tra cứu: không thể cấp văn bản chứng "
        "nhận cho cả lô. Hãy gửi các dòng chưa tra cứu trong một lô mới; yêu cầu này không bị "
        "tính phí.",
        "The batch was cancelled, so not every row was searched: no certificate can be issued "
        "for the whole batch. Send the rows not searched in a new batch; you were not charged."),
    "batch_failed_no_certificate": (
        "Một phần của lô không tra cứu được do lỗi hệ thống (trạng thái failed): không thể cấp "
        "văn bản chứng nhận cho cả lô. Hãy gửi lại tệp trong một lô mới; yêu cầu này không bị "
        "tính phí.",
        "Part of the batch could not be searched because of a system error (status failed): "
        "no certificate can be issued for the whole batch. Send the file again in a new batch; "
        "you were not charged."),
    "batch_certificate_not_requested": (
        "Chưa có yêu cầu cấp văn bản chứng nhận cho lô này. Gửi POST tới cùng địa chỉ để yêu "
        "cầu.",
        "No certificate has been asked for this batch. POST to the same address to ask for "
        "one."),
    "batch_certificate_failed": (
        "Không cấp được văn bản chứng nhận cho lô do lỗi hệ thống (mã tham chiếu {reference}). "
        "Gửi lại yêu cầu (POST) để thử lại; bạn chưa bị tính phí.",
        "The batch's certificate could not be issued because of a system error (reference "
        "{reference}). Ask again (POST) to retry; you were not charged."),
    "batch_watermark_unknown": (
        "Không xác định được thời điểm dữ liệu đăng ký mà một số dòng của lô được tra cứu: "
        "không thể chứng nhận. Hãy gửi lại tệp trong một lô mới; yêu cầu này không bị tính phí.",
        "The registry watermark some rows of the batch were searched at is not known: they "
        "cannot be certified. Send the file again in a new batch; you were not charged."),
    # --- results ---------------------------------------------------------------------------
    "no_match": ("Không có kết quả khớp.", "No match."),
    "row_pending": ("Dòng chưa được tra cứu xong.", "The row has not been searched yet."),
    "row_cancelled": ("Lô đã bị hủy trước khi tra cứu dòng này.",
                      "The batch was cancelled before this row was searched."),
    "row_error": ("Lỗi hệ thống khi tra cứu dòng này, mã tham chiếu {reference}.",
                  "System error while searching this row, reference {reference}."),
}


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def texts(code: str, **context: Any) -> tuple[str, str]:
    """The Vietnamese and English text of ``code`` with its context filled in."""
    vi, en = TEXTS[code]
    values = _Blank(context)
    return vi.format_map(values), en.format_map(values)


@dataclass(frozen=True)
class Message:
    """A problem (the row does not run) or a note (it does) about one row or the file."""

    code: str
    message_vi: str
    message_en: str
    field: str | None = None

    @classmethod
    def of(cls, code: str, field: str | None = None, **context: Any) -> Message:
        vi, en = texts(code, **context)
        return cls(code, vi, en, field)

    def as_dict(self) -> dict[str, str | None]:
        return {"field": self.field, "rule": self.code, "message_vi": self.message_vi,
                "message_en": self.message_en}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        return cls(str(data["rule"]), str(data["message_vi"]), str(data["message_en"]),
                   data.get("field"))
