"""Limits on what an uploaded file may make the API do, checked before the work.

* XLSX: the zip's declared uncompressed sizes are added up before openpyxl opens it
  (``zipfile`` never inflates a member past its declared size: it stops there and fails
  the CRC, so the declared sizes bound the work); then the first sheet's cells are
  counted by a streaming expat pass that keeps no tree, stopping at the first row wider
  than ``max_columns`` or the cell past ``max_cells`` (openpyxl, even read-only, builds
  a whole row before yielding it: a 223 KB file with 2 million cells in its header row
  took 38.8 s and its notes made a 37 MB response).
* CSV: a field longer than the csv module's limit, and JSONL: a line nested deeper than
  the interpreter's recursion limit, are refused naming the row (``FileProblemError``).
* Notes about the file are capped, the rest counted in one note.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any
from xml.parsers import expat

from batch.messages import Message

#: The csv module's field size limit (its default), in characters.
CSV_MAX_FIELD_CHARS = csv.field_size_limit()
#: Deepest JSON nesting read from a JSONL line: the interpreter's recursion limit.
JSON_MAX_DEPTH = 1000
_SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


class FileProblemError(Exception):
    """The file as a whole cannot be read; ``code`` names the reason (a ``messages``
    code), ``context`` fills its text."""

    def __init__(self, code: str, detail: str = "", **context: Any) -> None:
        super().__init__(code if not detail else f"{code}: {detail}")
        self.code, self.detail = code, detail
        self.context = {"detail": detail, **context}


@dataclass(frozen=True)
class Limits:
    xlsx_max_uncompressed_bytes: int = 160 * 1024 * 1024
    xlsx_max_shared_strings_bytes: int = 48 * 1024 * 1024
    xlsx_max_cells: int = 2_000_000
    xlsx_max_columns: int = 256
    max_file_notes: int = 20

    @classmethod
    def of(cls, settings: Any) -> Limits:
        return cls(settings.xlsx_max_uncompressed_bytes,
                   settings.xlsx_max_shared_strings_bytes, settings.xlsx_max_cells,
                   settings.xlsx_max_columns, settings.batch_max_file_notes)


def check_xlsx(source: IO[bytes], limits: Limits) -> None:
    """Refuse a workbook whose parts or first sheet are over the limits; reads no more of
    the first sheet than the limits allow."""
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
            total = sum(info.file_size for info in members)
            if total > limits.xlsx_max_uncompressed_bytes:
                raise FileProblemError("xlsx_too_large", limit=limits.xlsx_max_uncompressed_bytes,
                                       size=total)
            for info in members:
                if (info.filename.lower().endswith("sharedstrings.xml")
                        and info.file_size > limits.xlsx_max_shared_strings_bytes):
                    raise FileProblemError("xlsx_too_many_strings",
                                           limit=limits.xlsx_max_shared_strings_bytes,
                                           size=info.file_size)
            sheet = _first_sheet(archive)
            if sheet is not None:
                with archive.open(sheet) as stream:
                    _count_cells(stream, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, expat.ExpatError, OSError,
            EOFError, NotImplementedError) as exc:
        raise FileProblemError("unreadable_file", type(exc).__name__) from exc
    finally:
        source.seek(0)


def _first_sheet(archive: zipfile.ZipFile) -> str | None:
    """The part openpyxl reads as the first sheet (the workbook's order: sheet1 unless
    renamed; the first worksheet part otherwise)."""
    names = [n for n in archive.namelist()
             if n.lower().startswith("xl/worksheets/") and n.lower().endswith(".xml")]
    if not names:
        return None
    preferred = [n for n in names if n.lower() == "xl/worksheets/sheet1.xml"]
    return preferred[0] if preferred else sorted(names)[0]


class _Counter:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.cells = 0
        self.row_cells = 0
        self.rows = 0

    def start(self, name: str, _: Any) -> None:
        if name == f"{_SHEET_NS} c" or name == "c":
            self.cells += 1
            self.row_cells += 1
            if self.row_cells > self.limits.xlsx_max_columns:
                raise FileProblemError("xlsx_too_many_columns", row=self.rows,
                                       limit=self.limits.xlsx_max_columns)
            if self.cells > self.limits.xlsx_max_cells:
                raise FileProblemError("xlsx_too_many_cells", row=self.rows,
                                       limit=self.limits.xlsx_max_cells)
        elif name == f"{_SHEET_NS} row" or name == "row":
            self.rows += 1
            self.row_cells = 0


def _count_cells(stream: IO[bytes], limits: Limits) -> None:
    counter = _Counter(limits)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = counter.start
    while chunk := stream.read(1 << 16):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


def capped_notes(notes: Iterable[Message], limit: int) -> list[Message]:
    """The first ``limit`` notes, then one note counting the rest."""
    kept: list[Message] = []
    more = 0
    for note in notes:
        if len(kept) < limit:
            kept.append(note)
        else:
            more += 1
    if more:
        kept.append(Message.of("more_notes", count=more))
    return kept
