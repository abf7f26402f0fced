"""A statement of fees as PDF: the certificates' page, fonts, letterhead, tables and footer
(``certify``), with the statement's own sections. Deterministic: the same snapshot and
fonts give the same bytes."""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_JUSTIFY, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
)

from billing.model import StatementSnapshot, content_hash
from billing.periods import Period
from billing.wording import label, label_keys
from certify.fonts import register_fonts
from certify.formatting import EN_GREY, bi, esc, pdf_date, vn_date, vn_datetime, vnd
from certify.page import (
    BOTTOM_MARGIN,
    FRAME_WIDTH,
    LEFT_MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RIGHT_MARGIN,
    TOP_MARGIN,
    PageInfo,
    numbered_canvas_class,
)
from certify.sections import Styles, balanced, details_table, label_row, letterhead, make_styles
from certify.wording import Bilingual
from certify.wording import label as certify_label

_HEAD = HexColor("#E8EEF4")
_GRID = HexColor("#BBBBBB")
#: Columns of the transactions table: no., time, user, what, reference, fee (points).
#: Rows of the transactions table per ReportLab table (see ``_lines``).
LINES_PER_TABLE = 200
_LINE_COLUMNS = (22.0, 60.0, 116.0, 132.0, 100.0, FRAME_WIDTH - 430.0)


def amount(value: int) -> str:
    """``30.000`` (the Vietnamese grouping), for table cells headed in đồng."""
    return f"{value:,}".replace(",", ".")


def _two(pair: Bilingual, *, bold: bool = True) -> str:
    vi = f"<b>{esc(pair.vi)}</b>" if bold else esc(pair.vi)
    return f'{vi}<br/><font color="{EN_GREY}">{esc(pair.en)}</font>'


def _styles(st: Styles) -> tuple[ParagraphStyle, ParagraphStyle]:
    cell = ParagraphStyle("cell", parent=st.body, fontSize=7.2, leading=8.8, spaceAfter=0)
    right = ParagraphStyle("cell_right", parent=cell, alignment=TA_RIGHT)
    return cell, right


def _grid(rows: list[list[Paragraph]], widths: tuple[float, ...], total_row: bool) -> Table:
    style: list[tuple[object, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.4, _GRID),
        ("BACKGROUND", (0, 0), (-1, 0), _HEAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if total_row:
        style.append(("BACKGROUND", (0, -1), (-1, -1), HexColor("#F4F4F4")))
    return Table(rows, colWidths=list(widths), repeatRows=1, style=style)  # type: ignore[arg-type]


def _heading(s: StatementSnapshot, st: Styles) -> list[Flowable]:
    period = Period(s.period_year, s.period_month)
    title = label("statement", "title")
    line = label("statement", "period").format(
        label=period.label, first=vn_date(period.first_day), last=vn_date(period.last_day))
    return [
        letterhead(s.issuer, s.number, s.issued_at, st),
        Spacer(1, 14),
        Paragraph(balanced(title.vi, st.title.fontName, st.title.fontSize, FRAME_WIDTH), st.title),
        Paragraph(esc(title.en), st.subtitle),
        Paragraph(f"<b>{esc(line.vi)}</b>", st.center),
        Paragraph(esc(line.en), st.subtitle),
        Spacer(1, 6),
    ]


def _account(s: StatementSnapshot, st: Styles) -> list[Flowable]:
    a = s.account
    period = Period(s.period_year, s.period_month)
    rows = [label_row(st, label("statement", "account_name"), f"<b>{esc(a.name)}</b>"),
            label_row(st, label("statement", "account_code"), esc(a.code))]
    if a.tax_code:
        rows.append(label_row(st, label("statement", "tax_code"), esc(a.tax_code)))
    if a.address:
        rows.append(label_row(st, label("statement", "address"), esc(a.address)))
    if a.emails:
        rows.append(label_row(st, label("statement", "contacts"), esc(", ".join(a.emails))))
    rows += [
        label_row(st, label("statement", "period_label"), esc(period.label)),
        label_row(st, label("statement", "statement_number"), f"<b>{esc(s.number)}</b>"),
        label_row(st, label("statement", "statement_date"), esc(vn_date(s.issued_at.date()))),
    ]
    return [Paragraph(bi(label("statement", "section_account")), st.heading), details_table(rows)]


def _summary(s: StatementSnapshot, st: Styles, months: int) -> list[Flowable]:
    def money(value: int) -> str:
        return bi(vnd(value))

    due = s.amount_due_vnd
    due_label = label("statement", "amount_due" if due >= 0 else "credit")
    pay = label("statement", "pay_text").format(pay_to=s.pay_to, number=s.number,
                                                code=s.account.code)
    rows = [
        label_row(st, label("statement", "brought_forward"), money(s.brought_forward_vnd)),
        label_row(st, label("statement", "payments_received"), money(s.payments_vnd)),
        label_row(st, label("statement", "charges"), money(s.charges_vnd)),
        label_row(st, due_label, f"<b>{money(abs(due))}</b>"),
        label_row(st, label("statement", "due_date"), f"<b>{esc(vn_date(s.due_on))}</b>"),
        label_row(st, label("statement", "how_to_pay"), _two(pay, bold=False)),
    ]
    note = label("statement", "due_note").format(months=months)
    return [Paragraph(bi(label("statement", "section_summary")), st.heading), details_table(rows),
            Spacer(1, 3), KeepTogether([Paragraph(esc(note.vi), st.body),
                                        Paragraph(esc(note.en), st.small)])]


def _user_name(user: str | None, email: str | None) -> str:
    """The name, the e-mail under it in grey (it may break anywhere: it has no spaces)."""
    if not user:
        return _two(label("statement", "unknown_user"), bold=False)
    return esc(user) + (f'<br/><font color="{EN_GREY}">{esc(email)}</font>' if email else "")


def _by_user(s: StatementSnapshot, st: Styles) -> list[Flowable]:
    cell, right = _styles(st)
    rows = [[Paragraph(_two(label("statement", key)), right if i else cell)
             for i, key in enumerate(("col_user", "col_count", "col_fee"))]]
    for total in s.by_user():
        rows.append([Paragraph(_user_name(total.user, total.user_email), cell),
                     Paragraph(str(total.count), right), Paragraph(amount(total.fee_vnd), right)])
    rows.append([Paragraph(_two(label("statement", "total")), cell),
                 Paragraph(f"<b>{len(s.lines)}</b>", right),
                 Paragraph(f"<b>{amount(s.lines_vnd)}</b>", right)])
    widths = (FRAME_WIDTH * 0.6, FRAME_WIDTH * 0.15, FRAME_WIDTH * 0.25)
    return [Paragraph(bi(label("statement", "section_by_user")), st.heading),
            _grid(rows, widths, total_row=True)]


def _what(kind: str, criterion: str | None, rows: int) -> str:
    """The kind in bold (Vietnamese, English in grey), then the criterion or the rows."""
    name = label("kind", kind) if kind in label_keys("kind") else Bilingual(kind, kind)
    text = f'<b>{esc(name.vi)}</b> <font color="{EN_GREY}">{esc(name.en)}</font>'
    if criterion:
        try:
            crit = certify_label("criterion", criterion)
        except KeyError:
            crit = Bilingual(criterion, criterion)
        text += f'<br/>{esc(crit.vi)} <font color="{EN_GREY}">({esc(crit.en)})</font>'
    if kind == "batch" or rows > 1:
        count = label("statement", "rows").format(n=rows)
        text += f'<br/>{esc(count.vi)} <font color="{EN_GREY}">({esc(count.en)})</font>'
    return text


def _reference(reference: str | None, client_reference: str | None) -> str:
    """Our number (certificate, batch), then the customer's own reference, if any."""
    text = esc(reference or "—")
    if client_reference:
        ref = label("statement", "client_reference")
        text += (f'<br/>{esc(ref.vi)} <font color="{EN_GREY}">({esc(ref.en)})</font>:'
                 f" <b>{esc(client_reference)}</b>")
    return text


def _lines(s: StatementSnapshot, st: Styles) -> list[Flowable]:
    cell, right = _styles(st)
    keys = ("col_no", "col_time", "col_user", "col_what", "col_reference", "col_fee")
    header = [Paragraph(_two(label("statement", k)), right if k == "col_fee" else cell)
              for k in keys]
    flow: list[Flowable] = [CondPageBreak(80),
                            Paragraph(bi(label("statement", "section_lines")), st.heading)]
    if not s.lines:
        return [*flow, Paragraph(bi(label("statement", "no_lines")), st.body)]
    start = Period(s.period_year, s.period_month).start
    earlier = label("statement", "earlier_line")
    rows = []
    for n, line in enumerate(s.lines, start=1):
        when = esc(vn_datetime(line.at))
        if line.at < start:
            when += f'<br/><font color="{EN_GREY}">{bi(earlier)}</font>'
        rows.append([Paragraph(str(n), cell), Paragraph(when, cell),
                     Paragraph(_user_name(line.user, line.user_email), cell),
                     Paragraph(_what(line.kind, line.criterion, line.rows), cell),
                     Paragraph(_reference(line.reference, line.client_reference), cell),
                     Paragraph(amount(line.fee_vnd), right)])
    total = label("statement", "total")
    rows.append([Paragraph(f"<b>{esc(total.vi)}</b> ({esc(total.en)}): {len(s.lines)}", cell),
                 *(Paragraph("", cell) for _ in range(4)),
                 Paragraph(f"<b>{amount(s.lines_vnd)}</b>", right)])
    # Tables of LINES_PER_TABLE rows: ReportLab splits a table at each page by wrapping
    # all its remaining rows again, so one table of 10,000 rows costs quadratic time
    # (bench_statement: 128 s; in pieces, linear). Each piece repeats the header.
    tables: list[Flowable] = []
    for first in range(0, len(rows), LINES_PER_TABLE):
        piece = rows[first:first + LINES_PER_TABLE]
        last = first + LINES_PER_TABLE >= len(rows)
        table = _grid([header, *piece], _LINE_COLUMNS, total_row=last)
        if last:
            table.setStyle([("SPAN", (0, -1), (4, -1))])
        tables.append(table)
    return [*flow, *tables]


def _watch(s: StatementSnapshot, st: Styles) -> list[Flowable]:
    """The watch list fee: its own line (values watched in the month × fee per entry)."""
    w = s.watch
    if w is None:
        return []
    cell, right = _styles(st)
    keys = ("col_what", "col_entries", "col_unit_fee", "col_fee")
    header = [Paragraph(_two(label("statement", k)), right if i else cell)
              for i, k in enumerate(keys)]
    what = label("statement", "watch_line").format(
        entries=w.entries, fee=amount(w.fee_per_entry_vnd), fee_en=f"{w.fee_per_entry_vnd:,}")
    basis = label("statement", "watch_basis")
    row = [Paragraph(f"{_two(what)}<br/>{esc(basis.vi)}<br/>"
                     f'<font color="{EN_GREY}">{esc(basis.en)}</font>', cell),
           Paragraph(str(w.entries), right), Paragraph(amount(w.fee_per_entry_vnd), right),
           Paragraph(f"<b>{amount(w.fee_vnd)}</b>", right)]
    widths = (FRAME_WIDTH * 0.55, FRAME_WIDTH * 0.13, FRAME_WIDTH * 0.14, FRAME_WIDTH * 0.18)
    return [CondPageBreak(70), Paragraph(bi(label("statement", "section_watch")), st.heading),
            _grid([header, row], widths, total_row=False)]


def _payments(s: StatementSnapshot, st: Styles) -> list[Flowable]:
    if not s.payments:
        return []
    cell, right = _styles(st)
    rows = [[Paragraph(_two(label("statement", k)), right if k == "col_amount" else cell)
             for k in ("col_time", "col_reference_payment", "col_amount")]]
    for p in s.payments:
        rows.append([Paragraph(esc(vn_datetime(p.received_at)), cell),
                     Paragraph(esc(p.reference), cell), Paragraph(amount(p.amount_vnd), right)])
    widths = (FRAME_WIDTH * 0.3, FRAME_WIDTH * 0.45, FRAME_WIDTH * 0.25)
    return [Paragraph(bi(label("statement", "section_payments")), st.heading),
            _grid(rows, widths, total_row=False)]


def _basis(st: Styles) -> list[Flowable]:
    basis = label("statement", "legal_basis")
    justified = ParagraphStyle("basis", parent=st.body, alignment=TA_JUSTIFY)
    english = ParagraphStyle("basis_en", parent=st.small, alignment=TA_JUSTIFY)
    return [CondPageBreak(70), Paragraph(bi(label("statement", "section_legal")), st.heading),
            Paragraph(esc(basis.vi), justified), Paragraph(esc(basis.en), english)]


def render_pdf(s: StatementSnapshot, *, close_after_months: int = 3,
               font_regular: Path | None = None, font_bold: Path | None = None) -> bytes:
    """The statement's PDF."""
    fonts = register_fonts(font_regular, font_bold)
    st = make_styles(fonts)
    story: list[Flowable] = [*_heading(s, st), *_account(s, st),
                             *_summary(s, st, close_after_months), *_by_user(s, st),
                             *_lines(s, st), *_watch(s, st), *_payments(s, st),
                             *_basis(st)]
    sha256 = content_hash(s)
    info = PageInfo(fonts=fonts, number=s.number, content_hash=sha256, verification_url="")
    title = label("statement", "title")
    out = io.BytesIO()
    doc = BaseDocTemplate(
        out, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), leftMargin=LEFT_MARGIN,
        rightMargin=RIGHT_MARGIN, topMargin=TOP_MARGIN, bottomMargin=BOTTOM_MARGIN,
        invariant=1, pageCompression=1, lang="vi-VN",
        title=f"{' '.join(title.vi.split())} {s.number}",
        author=f"{s.issuer.name_vi} ({s.issuer.name_en})",
        subject=f"{title.en} {s.number}", creator="regsearch billing", displayDocTitle=1)
    frame = Frame(LEFT_MARGIN, BOTTOM_MARGIN, FRAME_WIDTH,
                  PAGE_HEIGHT - TOP_MARGIN - BOTTOM_MARGIN, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    created = pdf_date(s.issued_at)
    doc.addPageTemplates([PageTemplate(
        id="Page", frames=[frame],
        onPage=lambda canvas, _doc: canvas.setDateFormatter(lambda *_a: created))])
    doc.build(story, canvasmaker=numbered_canvas_class(info))
    return out.getvalue()
