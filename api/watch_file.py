"""A watch list file: the batch's parser and row checker, each criterion one entry.

Shared by ``POST /v1/watch/entries/upload`` and ``regsearch watch upload``: the same
columns and the same validation report as a batch (``batch``), plus two rules of its
own (a registration number cannot be watched; a value must leave candidate keys).
"""

from __future__ import annotations

from typing import IO

from batch.limits import Limits
from batch.messages import Message
from batch.parse import detect_format, parse
from batch.report import FileReport, check_file
from core.settings import Settings
from query.criteria import WATCHABLE_CRITERIA
from watch import entries

NOTHING = ("Giá trị không còn chữ hoặc số nào để theo dõi sau khi chuẩn hóa.",
           "Nothing left to watch for after normalisation (no letters or digits).")
_WATCHABLE = ", ".join(WATCHABLE_CRITERIA)
NOT_WATCHABLE = (f"Tiêu chí này không theo dõi được (chỉ: {_WATCHABLE}).",
                 f"This criterion cannot be watched (only: {_WATCHABLE}).")


def check(source: IO[bytes], head: bytes, filename: str | None, content_type: str | None,
          settings: Settings) -> tuple[FileReport, list[entries.Prepared]]:
    """The report and the entries of the valid rows of the file ``source`` (read as a
    stream; ``head``: its first bytes). Raises the batch parser's ``FileProblemError`` and
    ``TooManyRowsError`` (over ``watch_max_entries`` rows)."""
    kind = detect_format(filename, content_type, head)
    report = check_file(parse(source, kind, Limits.of(settings)),
                        max_rows=settings.watch_max_entries, chunk_rows=settings.batch_chunk_rows)
    return report, file_entries(report)


def file_entries(report: FileReport) -> list[entries.Prepared]:
    """Every criterion of every row as an entry; problems go into the report's rows."""
    found: list[entries.Prepared] = []
    for row in report.rows:
        for criterion in row.criteria if row.valid else ():
            if criterion.criterion not in WATCHABLE_CRITERIA:
                row.problems.append(Message("not_watchable", *NOT_WATCHABLE,
                                            field=criterion.column))
                continue
            try:
                found.append(entries.prepare(entries.NewEntry(
                    criterion.criterion, criterion.value, criterion.party_type,
                    row.client_reference)))
            except entries.NothingToWatchError:
                row.problems.append(Message("no_watchable_characters", *NOTHING,
                                            field=criterion.column))
    return found
