"""The validation report of a whole file: every row checked before anything runs.

Decisions (see ``docs/batch.md``):

* a row with a problem is listed with its row number, column and rule and is
  not searched (status ``invalid``); the other rows run;
* a row whose criteria equal an earlier row's (same criteria, values and party
  type) is a duplicate: it is searched once and gets the same result, with a
  note naming the first row;
* good rows are cut into chunks of ``chunk_rows`` distinct rows in file order;
  a duplicate belongs to the chunk of the row it repeats.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from batch.messages import Message
from batch.parse import Column, ParsedFile, Record
from batch.rows import CheckedRow, check_row


class TooManyRowsError(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} rows")
        self.limit = limit


@dataclass
class FileReport:
    format: str
    columns: list[Column]
    notes: list[Message]
    rows: list[CheckedRow] = field(default_factory=list)
    chunks: int = 0

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def invalid(self) -> int:
        return sum(1 for row in self.rows if not row.valid)

    @property
    def valid(self) -> int:
        return self.total - self.invalid

    @property
    def duplicates(self) -> int:
        return sum(1 for row in self.rows if row.duplicate_of is not None)

    @property
    def distinct(self) -> int:
        """Rows that are searched: valid and not a duplicate."""
        return self.valid - self.duplicates

    def counts(self) -> dict[str, int]:
        return {"total": self.total, "valid": self.valid, "invalid": self.invalid,
                "duplicate": self.duplicates, "searched": self.distinct}

    def file_part(self) -> dict[str, Any]:
        """What the report says about the file as a whole (kept with the job)."""
        return {"format": self.format,
                "columns": [{"header": c.header, "field": c.field} for c in self.columns],
                "notes": [note.as_dict() for note in self.notes]}

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.file_part(),
            "rows": self.counts(),
            "invalid_rows": [{"row": r.row, "problems": [p.as_dict() for p in r.problems]}
                             for r in self.rows if not r.valid],
            "row_notes": [{"row": r.row, "notes": [n.as_dict() for n in r.notes]}
                          for r in self.rows if r.notes],
            "duplicates": [{"row": r.row, "duplicate_of": r.duplicate_of}
                           for r in self.rows if r.duplicate_of is not None],
        }


def _checked(records: Iterator[Record], max_rows: int) -> Iterator[CheckedRow]:
    for count, record in enumerate(records, start=1):
        if count > max_rows:
            raise TooManyRowsError(max_rows)
        yield check_row(record)


def check_file(parsed: ParsedFile, max_rows: int, chunk_rows: int) -> FileReport:
    """Every row checked, duplicates found and chunks assigned; raises ``TooManyRowsError``."""
    report = FileReport(parsed.format, parsed.columns, parsed.notes,
                        list(_checked(parsed.records, max_rows)))
    first: dict[tuple[tuple[str, str, str], ...], CheckedRow] = {}
    distinct = 0
    for row in report.rows:
        if not row.valid:
            continue
        original = first.setdefault(row.duplicate_key(), row)
        if original is not row:
            row.duplicate_of, row.chunk = original.row, original.chunk
            row.notes.append(Message.of("duplicate_row", row=original.row))
            continue
        row.chunk = distinct // chunk_rows
        distinct += 1
    report.chunks = (distinct + chunk_rows - 1) // chunk_rows
    return report
