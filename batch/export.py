"""A batch's results as CSV, XLSX or JSON Lines.

CSV and XLSX have one line per match, keeping the input row number; a criterion
without a match has one line saying so, and an invalid, pending, cancelled or
failed row one line saying why. JSON Lines has one object per input row with
the whole result. Rows come in file order.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final

import orjson

from batch.csv_parts import CsvLookup, FewValues, match_values, neutralised
from batch.messages import Message, texts
from batch.results import LOOKUP_REF
from batch.stored_rows import StoredRow

#: (key, Vietnamese, English) of every CSV/XLSX column, in order.
COLUMNS: Final = (
    ("row", "Dòng", "Row"),
    ("row_status", "Trạng thái dòng", "Row status"),
    ("criterion", "Tiêu chí", "Criterion"),
    ("column", "Cột trong tệp", "Column in the file"),
    ("query_value", "Giá trị tra cứu", "Value searched"),
    ("tier", "Mức khớp", "Tier"),
    ("score", "Điểm", "Score"),
    ("reasons", "Lý do", "Reasons"),
    ("matched_role", "Bên hoặc tài sản khớp", "Matched party or asset"),
    ("matched_position", "Thứ tự", "Position"),
    ("matched_field", "Trường khớp", "Matched field"),
    ("value_as_registered", "Giá trị đã đăng ký", "Value as registered"),
    ("registration_number", "Số đăng ký", "Registration number"),
    ("registration_kind", "Loại đăng ký", "Registration kind"),
    ("registration_status", "Tình trạng đăng ký", "Registration status"),
    ("registered_at", "Thời điểm đăng ký", "Registered at"),
    ("exact_count", "Số kết quả chính xác", "Exact matches"),
    ("close_count", "Số kết quả gần đúng", "Close matches"),
    ("close_left_out", "Kết quả gần đúng không hiển thị", "Close matches left out"),
    ("duplicate_of", "Trùng với dòng", "Duplicate of row"),
    ("message", "Ghi chú", "Message"),
    ("registry_current_as_of", "Dữ liệu đăng ký tính đến", "Registry current as of"),
    # last, so that the columns before it keep their places
    ("client_reference", "Số tham chiếu của khách", "Client's own reference"),
)
HEADER: Final = [f"{vi} / {en}" for _, vi, en in COLUMNS]
KEYS: Final = [key for key, _, _ in COLUMNS]


def row_status(row: StoredRow, job_status: str) -> str:
    """done, invalid, error, cancelled or pending."""
    if row.problems:
        return "invalid"
    if row.result is not None:
        return "error" if row.result.get("error") else "done"
    if row.chunk_state == "failed":
        return "error"
    return "cancelled" if job_status == "cancelled" else "pending"


def _joined(messages: Iterable[dict[str, Any]]) -> str:
    parts = []
    for data in messages:
        message = Message.from_dict(data)
        prefix = f"{message.field}: " if message.field else ""
        parts.append(f"{prefix}{message.message_vi} / {message.message_en}")
    return " | ".join(parts)


def _text(code: str, **context: Any) -> str:
    vi, en = texts(code, **context)
    return f"{vi} / {en}"


def _status_texts(row: StoredRow, status: str) -> tuple[str, str]:
    if status == "error":
        reference = ((row.result or {}).get("error") or {}).get("reference") or row.chunk_error
        return texts("row_error", reference=reference)
    return texts("row_cancelled" if status == "cancelled" else "row_pending")


def _status_message(row: StoredRow, status: str) -> str:
    if status == "invalid":
        return _joined(row.problems)
    vi, en = _status_texts(row, status)
    return f"{vi} / {en}"


_INDEX: Final = {key: i for i, key in enumerate(KEYS)}
_MATCH_KEYS: Final = ("tier", "score", "reasons", "matched_role", "matched_position",
                      "matched_field", "value_as_registered", "registration_number",
                      "registration_kind", "registration_status", "registered_at")
_FIRST_MATCH_SLOT: Final = KEYS.index(_MATCH_KEYS[0])
# the match's columns are contiguous, so a match line is three slices
assert KEYS[_FIRST_MATCH_SLOT:_FIRST_MATCH_SLOT + len(_MATCH_KEYS)] == list(_MATCH_KEYS)


def _line(**values: Any) -> list[Any]:
    line: list[Any] = [""] * len(KEYS)
    for key, value in values.items():
        if value is not None:
            line[_INDEX[key]] = value
    return line


def _with_match(line: list[Any], match: dict[str, Any]) -> list[Any]:
    return [*line[:_FIRST_MATCH_SLOT], *("" if v is None else v for v in match_values(match)),
            *line[_FIRST_MATCH_SLOT + len(_MATCH_KEYS):]]


def line_values(row: StoredRow, job_status: str) -> Iterator[list[Any]]:
    """The CSV/XLSX lines of one input row, as values in column order (``KEYS``);
    an absent value is an empty string."""
    status = row_status(row, job_status)
    notes = _joined(row.notes)
    if status != "done" or row.result is None:
        yield _line(row=row.row, row_status=status, duplicate_of=row.duplicate_of,
                    client_reference=row.client_reference,
                    query_value="; ".join(c.value for c in row.criteria),
                    message=" | ".join(m for m in (_status_message(row, status), notes) if m))
        return
    for found in row.result["criteria"]:
        line = _criterion_line(row, found, notes)
        matches = found["exact"]["results"] + found["close"]["results"]
        if not matches:
            yield line
        for match in matches:
            yield _with_match(line, match)


def _criterion_line(row: StoredRow, found: dict[str, Any], notes: str,
                    tiers: CsvLookup | None = None) -> list[Any]:
    """A done row's line for one criterion, without a match's columns; for a criterion
    without a match, the line that says so. Counts from ``tiers`` when given (stored CSV
    parts), else from the criterion's result."""
    assert row.result is not None
    if tiers is None:
        exact, close = found["exact"], found["close"]
        counts = (exact["count"], close["count"], close["left_out"])
        matched = bool(exact["results"] or close["results"])
    else:
        counts = (tiers.exact_count, tiers.close_count, tiers.close_left_out)
        matched = bool(tiers.lines)
    line = _line(row=row.row, row_status="done", duplicate_of=row.duplicate_of,
                 client_reference=row.client_reference,
                 registry_current_as_of=row.result.get("registry_current_as_of"),
                 criterion=found["criterion"], column=found["column"],
                 query_value=found["value"], exact_count=counts[0], close_count=counts[1],
                 close_left_out=counts[2], message=notes)
    if not matched:
        line[_INDEX["tier"]] = "none"
        line[_INDEX["message"]] = " | ".join(m for m in (_text("no_match"), notes) if m)
    return line


def json_object(row: StoredRow, job_status: str) -> dict[str, Any]:
    """The JSON Lines object of one input row."""
    status = row_status(row, job_status)
    result = row.result or {}
    criteria = (result.get("criteria") if status == "done" else None) or [
        c.as_dict() for c in row.criteria]
    obj: dict[str, Any] = {"row": row.row, "client_reference": row.client_reference,
                           "status": status, "criteria": criteria,
                           "duplicate_of": row.duplicate_of, "problems": row.problems,
                           "notes": row.notes,
                           "registry_current_as_of": result.get("registry_current_as_of")}
    if status not in ("done", "invalid"):
        obj["message_vi"], obj["message_en"] = _status_texts(row, status)
    return obj


class _CsvFields:
    """Values → one CSV line's text without its line end, quoted exactly as ``csv.writer``
    quotes them (each field on its own, so lines can be put together from parts), every
    text that could start a formula ``neutralised``."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer)

    def __call__(self, values: Iterable[Any]) -> str:
        self.writer.writerow([neutralised(value) for value in values])
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text[:-2]  # the writer's "\r\n"


class _CsvLines:
    """The CSV lines of rows: each criterion's columns around each match's columns, the
    latter as the workers stored them with the lookup (``csv_parts``), or rendered here
    from the criterion's result (results stored before)."""

    def __init__(self) -> None:
        self.fields = _CsvFields()
        self.few = FewValues()

    def row(self, row: StoredRow, job_status: str, out: list[str]) -> None:
        """Append the row's lines, the same text ``csv.writer`` gives for ``line_values``."""
        if row_status(row, job_status) != "done" or row.result is None:
            out.extend(f"{self.fields(line)}\r\n" for line in line_values(row, job_status))
            return
        notes = _joined(row.notes)
        for found in row.result["criteria"]:
            parts = row.csv_lookups.get(found.get(LOOKUP_REF, ""))
            if parts is None:
                parts = CsvLookup.of_result(found, self.few)
            line = _criterion_line(row, found, notes, parts)
            if not parts.lines:
                out.append(f"{self.fields(line)}\r\n")
                continue
            before = self.fields(line[:_FIRST_MATCH_SLOT])
            after = self.fields(line[_FIRST_MATCH_SLOT + len(_MATCH_KEYS):])
            out.extend([f"{before},{fragment},{after}\r\n" for fragment in parts.lines])


def csv_chunks(rows: Iterable[StoredRow], job_status: str) -> Iterator[bytes]:
    """UTF-8 with a byte order mark, so that Excel shows Vietnamese correctly."""
    lines = _CsvLines()
    out = ["\ufeff", f"{lines.fields(HEADER)}\r\n"]
    for count, row in enumerate(rows, start=1):
        lines.row(row, job_status, out)
        if count % 500 == 0:
            yield "".join(out).encode("utf-8")
            out = []
    yield "".join(out).encode("utf-8")


def json_objects(rows: Iterable[StoredRow], job_status: str) -> Iterator[dict[str, Any]]:
    """The JSON Lines object of every row, in file order."""
    for row in rows:
        yield json_object(row, job_status)


def jsonl_chunks(rows: Iterable[StoredRow], job_status: str) -> Iterator[bytes]:
    return jsonl_encode(json_objects(rows, job_status))


def jsonl_encode(objects: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """JSON Lines in UTF-8, a line per object (the bytes a batch certificate embeds);
    compact JSON, written by orjson (a 100,000-row batch's 1.35 GB took 30 s with the
    standard library)."""
    batch: list[bytes] = []
    for obj in objects:
        batch.append(orjson.dumps(obj, option=orjson.OPT_APPEND_NEWLINE))
        if len(batch) >= 500:
            yield b"".join(batch)
            batch = []
    if batch:
        yield b"".join(batch)


def write_xlsx(rows: Iterable[StoredRow], job_status: str, summary: list[tuple[str, Any]]
               ) -> Path:
    """The workbook in a temporary file (the caller deletes it): results, then a summary.
    Strings stay strings: never a formula, never a character XLSX cannot hold."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)

    def cell(sheet: Any, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
        text.data_type = "s"
        return text

    sheet = book.create_sheet("Kết quả - Results")
    sheet.append(HEADER)
    for row in rows:
        for line in line_values(row, job_status):
            sheet.append([cell(sheet, None if value == "" else value) for value in line])
    about = book.create_sheet("Tóm tắt - Summary")
    for label, value in summary:
        about.append([cell(about, label), cell(about, value)])
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as handle:
        path = Path(handle.name)
    book.save(path)
    return path
