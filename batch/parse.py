"""Read an uploaded CSV, XLSX or JSONL file into numbered records of mapped cells.

Row numbers are the ones the person sees: in a CSV or XLSX file the header is
row 1 and the first data row is row 2 (as Excel numbers them); in a JSONL file
a row is its line number. Blank rows between data rows are kept (and reported
as rows without a criterion); blank rows after the last data row are not rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Literal

from batch.columns import field_for
from batch.limits import (
    CSV_MAX_FIELD_CHARS,
    JSON_MAX_DEPTH,
    FileProblemError,
    Limits,
    capped_notes,
    check_xlsx,
)
from batch.messages import Message

__all__ = ["Column", "FileProblemError", "ParsedFile", "Record", "detect_format", "parse"]

Format = Literal["csv", "xlsx", "jsonl"]

_EXTENSIONS: dict[str, Format] = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
}
_CONTENT_TYPES: dict[str, Format] = {
    "text/csv": "csv", "text/tab-separated-values": "csv", "application/csv": "csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/jsonl": "jsonl", "application/x-ndjson": "jsonl",
    "application/x-jsonlines": "jsonl", "application/jsonlines": "jsonl",
}
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls


@dataclass(frozen=True)
class Column:
    header: str
    field: str


@dataclass
class Record:
    """One data row: its number and its mapped cells (column, raw value)."""

    row: int
    cells: list[tuple[Column, object]] = field(default_factory=list)
    problem: Message | None = None

    @property
    def is_blank(self) -> bool:
        return self.problem is None and all(
            value is None or (isinstance(value, str) and not value.strip())
            for _, value in self.cells)


@dataclass
class ParsedFile:
    format: Format
    columns: list[Column]
    records: Iterator[Record]
    notes: list[Message] = field(default_factory=list)


def detect_format(filename: str | None, content_type: str | None, head: bytes) -> Format:
    """From the extension, else the content type, else the first bytes."""
    name = (filename or "").lower()
    for extension, kind in _EXTENSIONS.items():
        if name.endswith(extension):
            return kind
    if name.endswith(".xls") or head.startswith(_OLE_MAGIC):
        raise FileProblemError("xls_not_supported")
    declared = _CONTENT_TYPES.get((content_type or "").split(";")[0].strip().lower())
    if declared is not None:
        return declared
    if head.startswith(_ZIP_MAGIC):
        return "xlsx"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return "jsonl"
    return "csv"


def parse(data: bytes | IO[bytes], kind: Format, limits: Limits | None = None) -> ParsedFile:
    """``data``: the file's bytes or a seekable binary file (an upload spooled to disk is
    read as a stream: memory follows a row, not the file)."""
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    limits = limits or Limits()
    if kind == "xlsx":
        return _parse_xlsx(source, limits)
    if kind == "jsonl":
        return _parse_jsonl(source, limits)
    return _parse_csv(source, limits)


def _encoding(source: IO[bytes]) -> tuple[str, list[Message]]:
    """UTF-8 if the whole file is (checked a chunk at a time, keeping no text)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    source.seek(0)
    try:
        while chunk := source.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf-8-sig", []
    except UnicodeDecodeError:
        # Legacy files: Windows-1252 is how the normaliser expects TCVN3/VNI text to look.
        return "cp1252", [Message.of("not_utf8")]
    finally:
        source.seek(0)


def _lines(source: IO[bytes], encoding: str) -> Iterator[str]:
    """The file's lines with their line ends, decoded as they are read."""
    source.seek(0)
    text = io.TextIOWrapper(source, encoding=encoding, errors="replace", newline="")
    try:
        yield from text
    finally:
        if not source.closed:  # (closed: the request ended before the lines were read)
            text.detach()  # leave the file open: a second pass may read it again


def _header_columns(headers: Iterable[object], limits: Limits
                    ) -> tuple[list[Column | None], list[Message]]:
    columns: list[Column | None] = []
    notes: list[Message] = []
    for raw in headers:
        header = "" if raw is None else str(raw).strip()
        mapped = field_for(header) if header else None
        columns.append(Column(header, mapped) if mapped else None)
        if header and not mapped:
            notes.append(Message.of("ignored_column", column=header))
    if not any(columns):
        raise FileProblemError("no_known_column")
    return columns, capped_notes(notes, limits.max_file_notes)


def _table_records(rows: Iterator[tuple[int, tuple[object, ...]]],
                   columns: list[Column | None]) -> Iterator[Record]:
    blank_run: list[Record] = []
    for number, values in rows:
        record = Record(number, [(column, values[i] if i < len(values) else None)
                                 for i, column in enumerate(columns) if column is not None])
        if record.is_blank:
            blank_run.append(record)  # a row only if a data row follows
            continue
        yield from blank_run
        blank_run = []
        yield record


def _first_row(rows: Iterator[tuple[int, tuple[object, ...]]]) -> tuple[object, ...]:
    for _, values in rows:
        if any(v is not None and str(v).strip() for v in values):
            return values
    raise FileProblemError("empty_file")


def _sniff_delimiter(first_line: str) -> str:
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(reader: Iterator[list[str]]) -> Iterator[tuple[int, tuple[object, ...]]]:
    number = 0
    try:
        for number, values in enumerate(reader, start=1):
            yield number, tuple(values)
    except csv.Error as exc:  # the one csv.Error of a non-strict reader: a field too long
        raise FileProblemError("csv_field_too_large", str(exc), row=number + 1,
                               limit=CSV_MAX_FIELD_CHARS) from exc


def _parse_csv(source: IO[bytes], limits: Limits) -> ParsedFile:
    encoding, notes = _encoding(source)
    lines = _lines(source, encoding)
    first = next(lines, "")
    reader = csv.reader(itertools.chain([first], lines), delimiter=_sniff_delimiter(first))
    rows = _csv_rows(reader)
    columns, column_notes = _header_columns(_first_row(rows), limits)
    return ParsedFile("csv", [c for c in columns if c], _table_records(rows, columns),
                      notes + column_notes)


def _parse_xlsx(source: IO[bytes], limits: Limits) -> ParsedFile:
    from openpyxl import load_workbook

    check_xlsx(source, limits)
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileProblemError("unreadable_file", type(exc).__name__) from exc
    sheet = book.worksheets[0]
    rows = ((number, tuple(values)) for number, values in enumerate(
        sheet.iter_rows(min_row=1, values_only=True), start=1))
    columns, column_notes = _header_columns(_first_row(rows), limits)
    return ParsedFile("xlsx", [c for c in columns if c], _table_records(rows, columns),
                      column_notes)


def _json_lines(source: IO[bytes], encoding: str
                ) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """(line number, its object or None when not a JSON object) of every non-blank line."""
    for number, line in enumerate(_lines(source, encoding), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            obj = None
        except RecursionError as exc:
            raise FileProblemError("json_too_deep", row=number, limit=JSON_MAX_DEPTH) from exc
        yield number, obj if isinstance(obj, dict) else None


def _parse_jsonl(source: IO[bytes], limits: Limits) -> ParsedFile:
    """Two passes over the file: its columns (every key of every line), then its records;
    no line's object is kept past its record."""
    encoding, notes = _encoding(source)
    columns: dict[str, Column] = {}
    ignored: dict[str, None] = {}
    lines = 0
    for _, obj in _json_lines(source, encoding):
        lines += 1
        for key in obj or ():
            if key in columns or key in ignored:
                continue
            mapped = field_for(str(key))
            if mapped:
                columns[key] = Column(str(key), mapped)
            else:
                ignored[key] = None
    if not lines:
        raise FileProblemError("empty_file")
    if not columns:
        raise FileProblemError("no_known_column")
    notes += capped_notes((Message.of("ignored_column", column=key) for key in ignored),
                          limits.max_file_notes)

    def records() -> Iterator[Record]:
        for number, obj in _json_lines(source, encoding):
            if obj is None:
                yield Record(number, problem=Message.of("not_json_object"))
            else:
                yield Record(number, [(columns[key], value) for key, value in obj.items()
                                      if key in columns])

    return ParsedFile("jsonl", list(columns.values()), records(), notes)
