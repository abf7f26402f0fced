"""Limits before work: hostile files refused naming the row and the rule, never a 500
(issue 19, items 5 and 6). Pure parsing: no services."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
from functools import cache

import pytest
from openpyxl import Workbook

from batch.limits import CSV_MAX_FIELD_CHARS, FileProblemError, Limits, capped_notes
from batch.messages import Message
from batch.parse import parse
from batch.report import check_file
from tests.batch import bombs


def _checked(data: bytes, kind: str, limits: Limits | None = None) -> object:
    return check_file(parse(data, kind, limits), max_rows=1000, chunk_rows=100)  # type: ignore[arg-type]


@cache
def _whitespace_bomb() -> bytes:
    return bombs.whitespace_bomb()


def test_a_csv_field_longer_than_the_limit_names_its_row() -> None:
    long = "A" * (CSV_MAX_FIELD_CHARS + 1)
    data = f"Số CCCD/CMND\n001085012345\n{long}\n".encode()
    with pytest.raises(FileProblemError) as caught:
        _checked(data, "csv")
    assert caught.value.code == "csv_field_too_large"
    assert caught.value.context["row"] == 3
    assert caught.value.context["limit"] == CSV_MAX_FIELD_CHARS


def test_an_unclosed_quote_is_a_field_too_long_not_an_error() -> None:
    data = ('Số CCCD/CMND\n"001085012345\n' + "x" * (CSV_MAX_FIELD_CHARS + 10)).encode()
    with pytest.raises(FileProblemError) as caught:
        _checked(data, "csv")
    assert caught.value.code == "csv_field_too_large"
    assert caught.value.context["row"] == 2


def test_a_jsonl_line_nested_5000_deep_names_its_line() -> None:
    deep = "[" * 5000 + "]" * 5000
    data = f'{{"so_giay_to": "001085012345"}}\n{{"so_giay_to": {deep}}}\n'.encode()
    with pytest.raises(FileProblemError) as caught:
        _checked(data, "jsonl")
    assert caught.value.code == "json_too_deep"
    assert caught.value.context["row"] == 2


def test_a_jsonl_line_nested_a_little_is_still_read() -> None:
    data = (json.dumps({"so_giay_to": "001085012345", "extra": [[[[1]]]]}) + "\n").encode()
    report = _checked(data, "jsonl")
    assert report.total == 1  # type: ignore[attr-defined]


def test_ignored_column_notes_are_capped_with_a_count_of_the_rest() -> None:
    out = io.StringIO()
    csv.writer(out).writerows([["Số CCCD/CMND", *(f"cột {i}" for i in range(200))],
                               ["001085012345", *("" for _ in range(200))]])
    parsed = parse(out.getvalue().encode(), "csv", Limits(max_file_notes=20))
    assert [n.code for n in parsed.notes] == ["ignored_column"] * 20 + ["more_notes"]
    assert "180" in parsed.notes[-1].message_en and "180" in parsed.notes[-1].message_vi


def test_capped_notes_keeps_all_when_under_the_limit() -> None:
    notes = [Message.of("ignored_column", column=str(i)) for i in range(3)]
    assert capped_notes(notes, 3) == notes
    assert capped_notes(iter(notes), 2)[-1].code == "more_notes"


def test_the_whitespace_bomb_is_refused_from_its_declared_size() -> None:
    data = _whitespace_bomb()
    assert len(data) < 1_200_000
    started = time.monotonic()
    with pytest.raises(FileProblemError) as caught:
        _checked(data, "xlsx")
    assert caught.value.code == "xlsx_too_large"
    assert caught.value.context["size"] > bombs.WHITESPACE_BYTES
    assert time.monotonic() - started < 5  # refused before anything is inflated


def test_the_wide_bomb_is_refused_at_the_column_limit() -> None:
    data = bombs.wide_bomb()
    assert len(data) < 300_000
    with pytest.raises(FileProblemError) as caught:
        _checked(data, "xlsx")
    assert caught.value.code == "xlsx_too_many_columns"
    assert caught.value.context == {"detail": "", "row": 1, "limit": 256}


def test_too_many_cells_in_all_are_refused() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Số CCCD/CMND", "Số khung"])
    for i in range(60):
        sheet.append([f"0010850{i:05d}", f"RLHJC{i:06d}"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(FileProblemError) as caught:
        _checked(out.getvalue(), "xlsx", Limits(xlsx_max_cells=100))
    assert caught.value.code == "xlsx_too_many_cells"
    assert caught.value.context["row"] == 51  # its first cell is the 101st
    assert _checked(out.getvalue(), "xlsx").total == 60  # type: ignore[attr-defined]


def test_a_damaged_zip_is_unreadable_not_an_error() -> None:
    with pytest.raises(FileProblemError) as caught:
        _checked(b"PK\x03\x04" + b"\x00" * 100, "xlsx")
    assert caught.value.code == "unreadable_file"


_PEAK = """
import sys
from pathlib import Path
from batch.limits import FileProblemError
from batch.parse import parse
from batch.report import check_file
data = open(sys.argv[1], "rb").read()
def peak():  # VmHWM: this process's peak RSS (ru_maxrss would count the parent's, forked)
    status = Path("/proc/self/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
before = peak()
try:
    check_file(parse(data, "xlsx"), max_rows=100_000, chunk_rows=200)
    print("accepted", before, peak())
except FileProblemError as exc:
    print(exc.code, before, peak())
"""


@pytest.mark.parametrize("bomb", ["whitespace", "wide"])
def test_a_bomb_parsed_in_a_fresh_process_stays_far_below_400_mb(
        bomb: str, tmp_path: pytest.TempPathFactory) -> None:
    """The parse's own peak: VmHWM of a fresh interpreter that parses only the bomb."""
    path = tmp_path / f"{bomb}.xlsx"  # type: ignore[operator]
    path.write_bytes(_whitespace_bomb() if bomb == "whitespace" else bombs.wide_bomb())
    done = subprocess.run([sys.executable, "-c", _PEAK, str(path)], capture_output=True,
                          text=True, timeout=120, check=True)
    code, _, peak_kib = done.stdout.split()
    assert code in ("xlsx_too_large", "xlsx_too_many_columns")
    assert int(peak_kib) < 150 * 1024, done.stdout
