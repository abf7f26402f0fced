"""The sections of a batch certificate as ReportLab flowables, built from its snapshot.

The rows table is cut into blocks of a few dozen rows, each a table of its own with
the column headings repeated on every page, so that a batch with thousands of matched
rows renders in time linear in its rows.
"""

from __future__ import annotations

import functools
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_JUSTIFY
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer, Table

from certify.batch_snapshot import BatchCertificateSnapshot, RowLine, SearchedAt
from certify.formatting import EN_GREY, bi, esc, vn_datetime
from certify.page import FRAME_WIDTH
from certify.sections import (
    Styles,
    details_table,
    fee_markup,
    instant_markup,
    label_row,
    position_markup,
    reference_rows,
    requester_markup,
)
from certify.wording import Bilingual, label
from query.criteria import FIELDS

BLOCK_ROWS = 40
"""Rows of the matched-rows table per ReportLab table (keeps layout linear)."""

_GRID = HexColor("#BBBBBB")
_HEAD = HexColor("#E8EEF4")


def _b(key: str) -> Bilingual:
    return label("batch", key)


def _row(st: Styles, key: str, value_markup: str, group: str = "batch") -> list[Paragraph]:
    return label_row(st, label(group, key), value_markup)


def _searched_at(mark: SearchedAt) -> str:
    position = mark.lsn if mark.lsn is not None else None
    if position is None:
        unknown = _b("lsn_unknown")
        return f"{instant_markup(mark.commit_time)} — {bi(unknown)}"
    return f"{instant_markup(mark.commit_time)} — {position_markup(position)}"


def _current(snapshot: BatchCertificateSnapshot) -> str:
    marks = snapshot.registry_current_as_of
    note = _b("current_as_of_note")
    searched = _b("searched_range").format(
        chunks=marks.chunks,
        earliest=vn_datetime(marks.earliest.commit_time),
        latest=vn_datetime(marks.latest.commit_time),
    )
    return f"{_searched_at(marks.earliest)}<br/>{bi(note)}<br/>{bi(searched)}"


def _criteria(snapshot: BatchCertificateSnapshot) -> str:
    return "<br/>".join(
        bi(label("criterion", tally.criterion)) for tally in snapshot.by_criterion
    ) or "–"


def batch_details(snapshot: BatchCertificateSnapshot, st: Styles) -> list[Flowable]:
    batch = snapshot.batch
    scope = label("text", "scope_deleted" if snapshot.include_deleted else "scope_in_force")
    file_name = f"<b>{esc(batch.file_name)}</b> ({esc(batch.file_format.upper())})"
    rows = [
        _row(st, "certificate_number", f"<b>{esc(snapshot.number)}</b>", "text"),
        _row(st, "time_of_issue", instant_markup(snapshot.issued_at)),
        _row(st, "current_as_of", _current(snapshot)),
        _row(st, "batch_id", f"<b>{esc(batch.id)}</b>"),
        _row(st, "file_name", file_name),
        _row(st, "submitted_at", instant_markup(batch.submitted_at)),
        _row(st, "finished_at", instant_markup(batch.finished_at)),
        _row(st, "criteria_used", _criteria(snapshot)),
        _row(st, "scope", bi(scope), "text"),
        _row(st, "logic_version", esc(snapshot.search_logic_version), "text"),
        _row(st, "requester", requester_markup(snapshot.requester), "text"),
        *reference_rows(snapshot, st),
        _row(st, "fee", fee_markup(snapshot.fee), "text"),
    ]
    return [Paragraph(bi(_b("section_details")), st.heading), details_table(rows)]


def _count(key: str, n: int, *, bold: bool = False) -> str:
    text = bi(_b(key).format(n=f"{n:,}".replace(",", ".")))
    return f"<b>{text}</b>" if bold else text


def _tally_table(snapshot: BatchCertificateSnapshot, st: Styles) -> Table:
    keys = ("tally_criterion", "tally_searched", "tally_with_exact", "tally_close_only",
            "tally_no_match")
    head = [Paragraph(f'<b>{esc(_b(k).vi)}</b><br/><font color="{EN_GREY}">{esc(_b(k).en)}'
                      "</font>", st.small) for k in keys]
    body = [[Paragraph(bi(label("criterion", t.criterion)), st.small),
             *(Paragraph(str(n), st.small)
               for n in (t.searched, t.with_exact, t.close_only, t.no_match))]
            for t in snapshot.by_criterion]
    width = FRAME_WIDTH - 4 * 62
    return Table([head, *body], colWidths=[width, 62, 62, 62, 62], repeatRows=1,
                 style=[("GRID", (0, 0), (-1, -1), 0.4, _GRID),
                        ("BACKGROUND", (0, 0), (-1, 0), _HEAD),
                        ("VALIGN", (0, 0), (-1, -1), "TOP")])


def counts_section(snapshot: BatchCertificateSnapshot, st: Styles) -> list[Flowable]:
    c = snapshot.counts
    lines = [
        _count("total", c.total, bold=True), _count("valid", c.valid),
        _count("invalid", c.invalid), _count("duplicate", c.duplicate),
        _count("searched", c.searched, bold=True), _count("with_exact", c.with_exact, bold=True),
        _count("close_only", c.close_only), _count("no_match", c.no_match, bold=True),
        _count("errors", c.errors),
    ]
    flow: list[Flowable] = [CondPageBreak(120), Paragraph(bi(_b("section_counts")), st.heading)]
    flow += [Paragraph(f"•&nbsp;{line}", st.item) for line in lines]
    if snapshot.error_rows:
        rows = ", ".join(str(row) for row in snapshot.error_rows)
        flow.append(Paragraph(bi(_b("error_rows").format(rows=rows)), st.body))
    if snapshot.by_criterion:
        flow += [Spacer(1, 6), _tally_table(snapshot, st)]
    return flow


def _plain(pair: Bilingual) -> str:
    """What ``bi`` shows, as plain text (the English in brackets)."""
    if not pair.en:
        return pair.vi
    return f"{pair.vi} ({pair.en})" if pair.vi else pair.en


def _numbers_text(line: RowLine) -> str:
    text = ", ".join(line.exact_registrations) or "–"
    more = line.exact_registrations_total - len(line.exact_registrations)
    if more:
        text += " " + _plain(_b("more_numbers").format(n=more))
    return text


def _criterion_text(line: RowLine) -> str:
    text = _plain(label("field", _FIELD[line.criterion]))
    if line.party_type:
        text += "\n" + label("party_type", line.party_type).vi
    return text


Cell = Paragraph | str

_PADDING = 12.0
"""A cell's left and right padding together (ReportLab's default, 6 + 6)."""


@functools.lru_cache(maxsize=4096)
def _broken(text: str, font: str, size: float, width: float) -> str | None:
    """``text`` broken at spaces into lines that fit ``width`` (its own line breaks kept),
    as one string to draw; None when a word alone is wider (a paragraph must split it)."""
    lines = [part for paragraph in text.split("\n")
             for part in simpleSplit(paragraph, font, size, width) or [""]]
    if any(stringWidth(part, font, size) > width for part in lines):
        return None
    return "\n".join(lines)


def _cell(text: str, column: int, font: str, st: Styles) -> Cell:
    """Plain text when it breaks at spaces, else a paragraph (which splits long words)."""
    found = _broken(text, font, st.small.fontSize, _WIDTHS_ALL[column] - _PADDING)
    if found is not None:
        return found
    markup = esc(text).replace("\n", "<br/>")
    return Paragraph(markup if font == st.small.fontName else f"<b>{markup}</b>", st.small)


def _line_cells(line: RowLine, st: Styles) -> list[Cell]:
    """A row's cells, as plain strings drawn in the table's fonts wherever the text breaks
    at spaces: a big batch lists tens of thousands of rows, and a paragraph's line breaking
    costs far more than drawing strings."""
    regular, bold = st.small.fontName, st.heading.fontName
    row: Cell = str(line.row)
    if line.duplicate_of is not None:
        same = _b("duplicate_of").format(row=line.duplicate_of)
        row = Paragraph(f'{line.row}<br/><font size="6.5">{bi(same)}</font>', st.small)
    return [row, _cell(_criterion_text(line), 1, regular, st),
            _cell(line.value_as_entered, _VALUE_COLUMN, bold, st),
            str(line.exact_count), str(line.close_count),
            _cell(_numbers_text(line), 5, regular, st)]


_WIDTHS = [38.0, 68.0, 120.0, 40.0, 40.0]
_WIDTHS_ALL = [*_WIDTHS, FRAME_WIDTH - sum(_WIDTHS)]
_VALUE_COLUMN = 2
_EXACT_COLUMN = 3
_FIELD = {name: spec.field for name, spec in FIELDS.items()}


def _block(lines: tuple[RowLine, ...], header: list[Paragraph], st: Styles) -> Table:
    small = st.small
    style: list[Any] = [
        ("GRID", (0, 0), (-1, -1), 0.4, _GRID), ("BACKGROUND", (0, 0), (-1, 0), _HEAD),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        # the plain-string cells look like the paragraphs beside them
        ("FONT", (0, 1), (-1, -1), small.fontName, small.fontSize, small.leading),
        ("TEXTCOLOR", (0, 1), (-1, -1), small.textColor),
        ("FONTNAME", (_VALUE_COLUMN, 1), (_VALUE_COLUMN, -1), st.heading.fontName)]
    # an exact match is in bold, as the heading font
    style += [("FONTNAME", (_EXACT_COLUMN, i), (_EXACT_COLUMN, i), st.heading.fontName)
              for i, line in enumerate(lines, start=1) if line.exact_count]
    return Table([header, *(_line_cells(line, st) for line in lines)], colWidths=_WIDTHS_ALL,
                 repeatRows=1, splitInRow=1, style=style)


def rows_section(snapshot: BatchCertificateSnapshot, st: Styles) -> list[Flowable]:
    lines = snapshot.rows_with_matches
    justified = ParagraphStyle("rows_note", parent=st.body, alignment=TA_JUSTIFY)
    note = _b("rows_note").format(no_match=snapshot.counts.no_match)
    flow: list[Flowable] = [CondPageBreak(120), Paragraph(bi(_b("section_rows")), st.heading),
                            Paragraph(bi(note), justified), Spacer(1, 4)]
    if not lines:
        return [*flow, Paragraph(bi(_b("none_rows")), st.body)]
    keys = ("col_row", "col_criterion", "col_value", "col_exact", "col_close", "col_numbers")
    small = ParagraphStyle("column_head", parent=st.small, fontSize=7, leading=8.5,
                           splitLongWords=False)
    header = [Paragraph(f'<b>{esc(_b(k).vi)}</b><br/><font color="{EN_GREY}">{esc(_b(k).en)}'
                        "</font>", small) for k in keys]
    for start in range(0, len(lines), BLOCK_ROWS):
        flow.append(_block(lines[start:start + BLOCK_ROWS], header, st))
    return flow


def file_section(snapshot: BatchCertificateSnapshot, st: Styles) -> list[Flowable]:
    attached = snapshot.results_file
    justified = ParagraphStyle("file_note", parent=st.body, alignment=TA_JUSTIFY)
    note = _b("file_note")
    size = _b("bytes").format(n=f"{attached.size:,}".replace(",", "."))
    rows = [
        _row(st, "file_name_label", f"<b>{esc(attached.name)}</b> ({esc(attached.media_type)})"),
        _row(st, "file_size", bi(size)),
        _row(st, "file_lines", str(attached.lines)),
        _row(st, "file_sha256", f'<font size="7">{attached.sha256}</font>'),
    ]
    return [CondPageBreak(150), Paragraph(bi(_b("section_file")), st.heading),
            Paragraph(esc(note.vi), justified),
            Paragraph(esc(note.en), ParagraphStyle("file_en", parent=st.small,
                                                   alignment=TA_JUSTIFY, spaceAfter=4)),
            details_table(rows)]
