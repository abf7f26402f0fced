"""The certificate's sections as ReportLab flowables, built from a snapshot: styles,
heading, search details, search logic and legal basis (the matches themselves:
:mod:`certify.match_sections`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, HRFlowable, Paragraph, Spacer, Table

from certify.batch_snapshot import BatchCertificateSnapshot
from certify.fonts import FontSet
from certify.formatting import EN_GREY, bi, esc, vn_datetime, vnd
from certify.page import FRAME_WIDTH
from certify.snapshot import VN_TZ, CertificateFee, CertificateSnapshot, Issuer, Requester
from certify.wording import Bilingual, label
from query.criteria import SERIAL_CRITERIA

Headed = CertificateSnapshot | BatchCertificateSnapshot
"""Any certificate: what the heading, the page band and the metadata are made of."""

_BAR = HexColor("#E8EEF4")
_DELETED = HexColor("#B00020")
_MATCHED = HexColor("#FFF3C4")


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    item: ParagraphStyle
    item_matched: ParagraphStyle
    heading: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    center: ParagraphStyle
    center_bold: ParagraphStyle
    bar: ParagraphStyle
    bar_deleted: ParagraphStyle


def make_styles(fonts: FontSet) -> Styles:
    def style(name: str, size: float, **kw: object) -> ParagraphStyle:
        base: dict[str, object] = {
            "fontName": fonts.regular,
            "fontSize": size,
            "leading": size * 1.3,
            "splitLongWords": True,
            "alignment": TA_LEFT,
        }
        base.update(kw)
        return ParagraphStyle(name, **base)  # type: ignore[arg-type]

    item = style("item", 8.5, leftIndent=28, firstLineIndent=-12, spaceAfter=1)
    bar = style(
        "bar",
        9,
        fontName=fonts.bold,
        backColor=_BAR,
        borderPadding=(3, 4, 3, 4),
        spaceBefore=9,
        spaceAfter=5,
    )
    return Styles(
        body=style("body", 9, spaceAfter=2),
        small=style("small", 8, textColor=HexColor(EN_GREY)),
        item=item,
        item_matched=ParagraphStyle("item_matched", parent=item, backColor=_MATCHED),
        heading=style("heading", 10.5, fontName=fonts.bold, spaceBefore=10, spaceAfter=5),
        title=style("title", 13, fontName=fonts.bold, alignment=TA_CENTER, leading=17),
        subtitle=style("subtitle", 10, alignment=TA_CENTER, textColor=HexColor(EN_GREY)),
        center=style("center", 9, alignment=TA_CENTER),
        center_bold=style("center_bold", 9.5, fontName=fonts.bold, alignment=TA_CENTER),
        bar=bar,
        bar_deleted=ParagraphStyle(
            "bar_deleted", parent=bar, borderColor=_DELETED, borderWidth=0.8
        ),
    )


# --------------------------------------------------------------------------- heading


def balanced(text: str, font: str, size: float, width: float) -> str:
    """Markup for ``text`` in two lines of similar length when one line is too wide.

    A ``\\n`` in the text is an explicit line break and wins.

    Headings then break as Vietnamese documents do ("CỤC ĐĂNG KÝ QUỐC GIA /
    GIAO DỊCH BẢO ĐẢM") instead of leaving one word alone on the second line.
    """
    if "\n" in text:
        return "<br/>".join(esc(line) for line in text.split("\n"))
    if stringWidth(text, font, size) <= width:
        return esc(text)
    words = text.split()
    best: tuple[float, int] | None = None
    for cut in range(1, len(words)):
        widest = max(
            stringWidth(" ".join(words[:cut]), font, size),
            stringWidth(" ".join(words[cut:]), font, size),
        )
        if widest <= width and (best is None or widest < best[0]):
            best = (widest, cut)
    if best is None:
        return esc(text)
    cut = best[1]
    return f"{esc(' '.join(words[:cut]))}<br/>{esc(' '.join(words[cut:]))}"


def letterhead(issuer: Issuer, number: str, issued_at: datetime, st: Styles) -> Table:
    """The top of every document the registry issues (certificates, statements of fees):
    issuer and number on the left, nation, motto, place and date on the right."""
    local = issued_at.astimezone(VN_TZ)
    left_w, right_w = FRAME_WIDTH * 0.44, FRAME_WIDTH * 0.56
    bold = st.center_bold.fontName
    place_date = label("text", "place_date")
    left = [
        Paragraph(esc(issuer.parent_vi), st.center),
        Paragraph(
            f"<b>{balanced(issuer.name_vi, bold, st.center.fontSize, left_w)}</b>", st.center
        ),
        HRFlowable(width="35%", thickness=0.7, color=HexColor("#000000"), spaceBefore=2),
        Paragraph(f'<font color="{EN_GREY}" size="7.5">{esc(issuer.name_en)}</font>', st.center),
        Paragraph(f"{esc(label('text', 'number').vi)}: <b>{esc(number)}</b>", st.center),
    ]
    nation, motto = label("text", "nation"), label("text", "motto")
    right = [
        Paragraph(esc(nation.vi), st.center_bold),
        Paragraph(esc(motto.vi), st.center_bold),
        HRFlowable(width="45%", thickness=0.7, color=HexColor("#000000"), spaceBefore=2),
        Paragraph(
            f'<font color="{EN_GREY}" size="7.5">{esc(nation.en)}<br/>{esc(motto.en)}</font>',
            st.center,
        ),
        Paragraph(
            esc(
                place_date.vi.format(
                    place=issuer.place,
                    dd=f"{local.day:02d}",
                    mm=f"{local.month:02d}",
                    yyyy=local.year,
                )
            ),
            st.center,
        ),
    ]
    return Table(
        [[left, right]],
        colWidths=[left_w, right_w],
        style=[
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (0, 0), 0),
            ("RIGHTPADDING", (0, 0), (0, 0), 6),
            ("LEFTPADDING", (1, 0), (1, 0), 6),
            ("RIGHTPADDING", (1, 0), (1, 0), 0),
        ],
    )


def heading(snapshot: Headed, st: Styles, variant: Bilingual | None = None) -> list[Flowable]:
    """Issuer, nation and motto, number, place and date, the title; ``variant`` is a line
    under the title naming the kind of certificate (e.g. a whole batch)."""
    table = letterhead(snapshot.issuer, snapshot.number, snapshot.issued_at, st)
    title = label("text", "title")
    flow: list[Flowable] = [
        table,
        Spacer(1, 14),
        Paragraph(balanced(title.vi, st.title.fontName, st.title.fontSize, FRAME_WIDTH), st.title),
    ]
    if variant is not None:
        flow.append(Paragraph(esc(variant.vi), st.center_bold))
    flow.append(Paragraph(esc((variant or label("text", "subtitle")).en), st.subtitle))
    flow.append(Spacer(1, 8))
    return flow


# --------------------------------------------------------------------------- details


def _row(st: Styles, key: str, value_markup: str) -> list[Paragraph]:
    return label_row(st, label("text", key), value_markup)


def label_row(st: Styles, pair: Bilingual, value_markup: str) -> list[Paragraph]:
    """A row of a details table: the bilingual label, then the value."""
    return [
        Paragraph(
            f'<b>{esc(pair.vi)}</b><br/><font color="{EN_GREY}">{esc(pair.en)}</font>', st.body
        ),
        Paragraph(value_markup, st.body),
    ]


def details_table(rows: list[list[Paragraph]]) -> Table:
    """Label and value, two columns, grid: the look of every certificate's details."""
    return Table(
        rows,
        colWidths=[FRAME_WIDTH * 0.30, FRAME_WIDTH * 0.70],
        splitInRow=1,  # a very long value may run over a page break
        style=[
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("GRID", (0, 0), (-1, -1), 0.4, HexColor("#BBBBBB")),
            ("BACKGROUND", (0, 0), (0, -1), HexColor("#F4F4F4")),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ],
    )


def fee_markup(fee: CertificateFee) -> str:
    if fee.amount_vnd == 0:
        ground = label("text", "ground")
        return (
            f"<b>{bi(label('text', 'free'))}</b><br/>"
            f"{esc(ground.vi)} ({esc(ground.en)}): {esc(fee.free_ground or '')}"
        )
    return f"<b>{bi(vnd(fee.amount_vnd))}</b>"


def _counts(snapshot: CertificateSnapshot) -> str:
    exact = label("text", "exact_count").format(n=snapshot.exact_count)
    if snapshot.close_left_out:
        close = label("text", "close_count_capped").format(
            n=snapshot.close_count, shown=len(snapshot.close), left=snapshot.close_left_out
        )
    else:
        close = label("text", "close_count").format(n=snapshot.close_count)
    return f"<b>{bi(exact)}</b><br/>{bi(close)}"


def instant_markup(value: datetime) -> str:
    """A time in bold, Viet Nam time, with the zone spelled out."""
    tz = label("text", "timezone")
    return f"<b>{vn_datetime(value)}</b> ({esc(tz.vi)}, UTC+07:00)"


def position_markup(lsn_text: str) -> str:
    lsn = label("text", "lsn")
    return f"{esc(lsn.vi)} ({esc(lsn.en)}) {esc(lsn_text)}"


def requester_markup(req: Requester) -> str:
    account = label("text", "account")
    requester = (
        f"<b>{esc(req.display_name)}</b> ({esc(account.vi)}/{esc(account.en)} "
        f"{esc(req.account_id)}) — {bi(label('requester_role', req.role))}"
    )
    if req.agency_ground:
        ground = label("text", "agency_ground")
        requester += f"<br/>{esc(ground.vi)} ({esc(ground.en)}): {esc(req.agency_ground)}"
    return requester


def reference_rows(snapshot: Headed, st: Styles) -> list[list[Paragraph]]:
    """The requester's own reference, when it gave one: a row of the details."""
    if snapshot.client_reference is None:
        return []
    return [_row(st, "client_reference", f"<b>{esc(snapshot.client_reference)}</b>")]


def details(snapshot: CertificateSnapshot, st: Styles) -> list[Flowable]:
    crit = snapshot.criterion
    when = instant_markup(snapshot.issued_at)
    mark = snapshot.registry_current_as_of
    current = f"{instant_markup(mark.commit_time)} — {position_markup(mark.lsn)}"
    criterion = f"<b>{bi(label('criterion', crit.name))}</b>"
    if crit.party_type:
        criterion += f" — {bi(label('party_type', crit.party_type))}"
    if crit.id_type:
        criterion += f" — {bi(label('id_type', crit.id_type))}"
    scope = label("text", "scope_deleted" if snapshot.include_deleted else "scope_in_force")
    rows = [
        _row(st, "certificate_number", f"<b>{esc(snapshot.number)}</b>"),
        _row(st, "time_of_search", when),
        _row(st, "current_as_of", current),
        _row(st, "criterion", criterion),
        _row(st, "as_entered", f"<b>{esc(crit.value_as_entered)}</b>"),
        _row(st, "as_normalised", esc(crit.value_normalised)),
        _row(st, "scope", bi(scope)),
        _row(st, "logic_version", esc(snapshot.search_logic_version)),
        _row(st, "requester", requester_markup(snapshot.requester)),
        *reference_rows(snapshot, st),
        _row(st, "fee", fee_markup(snapshot.fee)),
        _row(st, "results", _counts(snapshot)),
    ]
    table = details_table(rows)
    return [Paragraph(bi(label("text", "section_details")), st.heading), table]


def _logic_key(criterion: str) -> str:
    return "serial" if criterion in SERIAL_CRITERIA else criterion


def search_logic(snapshot: CertificateSnapshot, st: Styles) -> list[Flowable]:
    return search_logic_for([snapshot.criterion.name], st)


def search_logic_for(criteria: list[str], st: Styles, section: str = "section_logic"
                     ) -> list[Flowable]:
    """The search logic section: the general rules, then those of each criterion used."""
    keys = list(dict.fromkeys(_logic_key(name) for name in criteria))
    general = label("search_logic", "general")
    specific = [label("search_logic", key) for key in keys]
    justified = ParagraphStyle("logic", parent=st.body, alignment=TA_JUSTIFY)
    english = ParagraphStyle("logic_en", parent=st.small, alignment=TA_JUSTIFY, spaceAfter=2)
    return [
        Paragraph(bi(label("text", section)), st.heading),
        Paragraph(" ".join(esc(text.vi) for text in (general, *specific)), justified),
        Paragraph(" ".join(esc(text.en) for text in (general, *specific)), english),
    ]


def legal_basis(snapshot: Headed, st: Styles, basis: Bilingual | None = None,
                section: Bilingual | None = None) -> list[Flowable]:
    basis = basis or label("text", "legal_basis")
    justified = ParagraphStyle("legal", parent=st.body, alignment=TA_JUSTIFY)
    english = ParagraphStyle("legal_en", parent=st.small, alignment=TA_JUSTIFY)
    return [
        CondPageBreak(90),
        Paragraph(bi(section or label("text", "section_legal")), st.heading),
        Paragraph(esc(basis.vi), justified),
        Paragraph(esc(basis.en), english),
    ]
