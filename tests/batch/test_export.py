"""The CSV export puts lines together from parts; the text must be what ``csv.writer``
gives for ``line_values`` (the lines the XLSX export also writes), whatever the values."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from batch.csv_parts import (
    CSV_FORMAT,
    FORMULA_STARTS,
    CsvLookup,
    csv_field,
    lookup_lines,
    neutralised,
)
from batch.export import HEADER, csv_chunks, line_values
from batch.rows import RowCriterion
from batch.stored_rows import StoredRow

#: Text with what CSV must quote: separators, quotes, line ends, and Vietnamese.
TEXT = st.text(alphabet=st.sampled_from(list('ab ,"\r\nĐứ;|=+-@\t\'')), max_size=8)


@st.composite
def matches(draw: st.DrawFn) -> dict[str, Any]:
    return {"tier": draw(st.sampled_from(["exact", "close"])),
            "score": draw(st.floats(0, 1, allow_nan=False)),
            "reasons": draw(st.lists(TEXT, max_size=2)),
            "matched": {"role": "grantor", "position": draw(st.integers(0, 3)),
                        "field": "name", "value_as_registered": draw(TEXT)},
            "registration": {"registration_number": draw(TEXT), "kind": "mortgage",
                             "status": draw(st.sampled_from(["in_force", "deleted"])),
                             "registered_at": draw(st.none() | TEXT)}}


@st.composite
def tiers(draw: st.DrawFn) -> dict[str, Any]:
    exact = draw(st.lists(matches(), max_size=3))
    close = draw(st.lists(matches(), max_size=3))
    return {"normalised": draw(TEXT), "exact": {"count": len(exact), "results": exact},
            "close": {"count": len(close) + 2, "shown": len(close), "left_out": 2,
                      "results": close}}


NOTE = {"rule": "legacy_encoding", "message_vi": "Mã cũ, đã chuyển", "message_en": "Legacy, fixed",
        "field": "name"}


@st.composite
def stored_rows(draw: st.DrawFn) -> list[StoredRow]:
    """Rows in file order; done rows share tier objects as ``store.iter_rows`` gives them."""
    shared = draw(st.lists(tiers(), min_size=1, max_size=3))
    rows = []
    for number in range(1, draw(st.integers(1, 6)) + 1):
        criteria = [RowCriterion("debtor_name", draw(TEXT), draw(TEXT), "individual")
                    for _ in range(draw(st.integers(1, 2)))]
        kind = draw(st.sampled_from(["done", "done", "invalid", "error", "pending"]))
        notes = draw(st.sampled_from([[], [NOTE]]))
        problems = [NOTE] if kind == "invalid" else []
        result: dict[str, Any] | None = None
        if kind == "done":
            result = {"criteria": [{**c.as_dict(), **draw(st.sampled_from(shared))}
                                   for c in criteria],
                      "duplicate_of": None, "error": None,
                      "registry_current_as_of": draw(st.none() | TEXT)}
        elif kind == "error":
            result = {"criteria": [], "duplicate_of": None, "error": {"reference": "abc"},
                      "registry_current_as_of": None}
        rows.append(StoredRow(number, criteria, problems, notes,
                              draw(st.none() | st.integers(1, 5)), "done", None, result,
                              client_reference=draw(st.none() | TEXT)))
    return rows


@settings(max_examples=300)
@given(stored_rows(), st.sampled_from(["done", "running", "cancelled"]))
def test_csv_is_the_csv_writer_text_of_the_lines(rows: list[StoredRow], job_status: str
                                                 ) -> None:
    expected = io.StringIO()
    expected.write("\ufeff")
    writer = csv.writer(expected)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerows([neutralised(v) for v in line] for line in line_values(row, job_status))
    assert b"".join(csv_chunks(rows, job_status)).decode("utf-8") == expected.getvalue()
    # the same rows as the CSV export reads them: results referring to their lookups,
    # whose CSV parts the workers stored (``lookup_lines``)
    stored = [_referring(row) for row in rows]
    assert b"".join(csv_chunks(stored, job_status)).decode("utf-8") == expected.getvalue()


def _referring(row: StoredRow) -> StoredRow:
    """``row`` with each done criterion referring to its lookup's stored CSV parts."""
    if row.result is None or not row.result["criteria"]:
        return row
    criteria: list[dict[str, Any]] = []
    parts: dict[str, CsvLookup] = {}
    for number, found in enumerate(row.result["criteria"]):
        tiers = {k: found[k] for k in ("normalised", "exact", "close")}
        key = f"k{number}"
        found_parts = CsvLookup.of_stored(orjson.loads(orjson.dumps(lookup_lines(tiers))))
        assert found_parts is not None
        parts[key] = found_parts
        criteria.append({**{k: v for k, v in found.items() if k not in tiers}, "lookup": key})
    return replace(row, result={**row.result, "criteria": criteria}, csv_lookups=parts)


def test_csv_parts_stored_in_another_format_are_not_used() -> None:
    assert CsvLookup.of_stored([CSV_FORMAT + 1, 0, 0, 0]) is None
    assert CsvLookup.of_stored([]) is None
    assert CsvLookup.of_stored([CSV_FORMAT, 1, 2, 1, "a,b"]) == CsvLookup(1, 2, 1, ["a,b"])


def test_rows_sharing_a_lookup_get_its_matches_each_with_their_own_row() -> None:
    shared = {"normalised": "nguyen van tu", "exact": {"count": 1, "results": [
        {"tier": "exact", "score": 1.0, "reasons": ["exact"],
         "matched": {"role": "grantor", "position": 0, "field": "name",
                     "value_as_registered": "Nguyễn Văn Tú"},
         "registration": {"registration_number": "2024-1", "kind": "mortgage",
                          "status": "in_force", "registered_at": "2024-03-01T09:00:00+07:00"}}]},
        "close": {"count": 0, "shown": 0, "left_out": 0, "results": []}}
    criterion = RowCriterion("debtor_name", "Nguyễn Văn Tú", "Họ và tên", "individual")
    rows = [StoredRow(n, [criterion], [], [], None, "done", None,
                      {"criteria": [{**criterion.as_dict(), **shared}], "duplicate_of": None,
                       "error": None, "registry_current_as_of": "2026-11-23T07:00:00+00:00"})
            for n in (3, 9)]
    lines = list(csv.reader(io.StringIO(b"".join(csv_chunks(rows, "done")).decode("utf-8"))))
    assert [line[0] for line in lines[1:]] == ["3", "9"]
    assert {line[11] for line in lines[1:]} == {"Nguyễn Văn Tú"}


FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"bấm\")", "=cmd|' /C calc'!A0", "+1+2",
            "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@given(st.text())
def test_the_neutraliser_leaves_no_formula_start_and_keeps_the_text(text: str) -> None:
    safe = neutralised(text)
    assert not safe.startswith(FORMULA_STARTS)
    assert safe in (text, "'" + text)
    assert (safe != text) == text.startswith(FORMULA_STARTS)
    assert neutralised(safe) == safe  # once is enough


@given(st.one_of(st.none(), st.integers(), st.floats(allow_nan=False)))
def test_numbers_are_ours_and_stay_numbers(value: object) -> None:
    assert neutralised(value) is value


def test_formulas_in_csv_are_neutralised_for_every_row_status() -> None:
    criteria = [RowCriterion("id_number", f, "Số CCCD") for f in FORMULAS]
    pending = StoredRow(2, criteria, [], [], None, "queued", None, None,
                        client_reference=FORMULAS[0])
    invalid = StoredRow(3, criteria[:1], [NOTE], [], None, None, None, None,
                        client_reference=FORMULAS[1])
    nothing = {"normalised": "1", "exact": {"count": 0, "results": []},
               "close": {"count": 0, "shown": 0, "left_out": 0, "results": []}}
    done = [StoredRow(n, criteria[:1], [], [], 4 if n == 5 else None, "done", None,
                      {"criteria": [{**criteria[0].as_dict(), **nothing}],
                       "duplicate_of": None, "error": None, "registry_current_as_of": None},
                      client_reference=FORMULAS[n]) for n in (4, 5)]
    text = b"".join(csv_chunks([pending, invalid, *done], "running")).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text, newline="")))
    cells = [cell for line in lines for cell in line]
    assert not any(cell.startswith(FORMULA_STARTS) for cell in cells)
    query = next(c for c in cells if "HYPERLINK" in c)
    assert query.startswith("'=HYPERLINK")
    # each row's reference, in every status: the text as entered behind a single quote
    assert [(line[1], line[-1]) for line in lines[1:]] == [
        (status, "'" + FORMULAS[n]) for status, n in
        (("pending", 0), ("invalid", 1), ("done", 4), ("done", 5))]
    assert csv_field("=1+1") == "'=1+1" and csv_field("-5") == "'-5"
