"""Page geometry and the parts drawn on every page: footer with "Trang x/y", and the
first page's verification band (QR code, link, content hash, signature box).

The signature box has a fixed place on page 1 so that :mod:`certify.signing` can
put a visible signature field exactly on it (:data:`SIGNATURE_BOX`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from certify.fonts import FontSet
from certify.formatting import EN_GREY, bi, esc
from certify.wording import Bilingual, label

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT_MARGIN = 2.5 * cm
RIGHT_MARGIN = 1.5 * cm
TOP_MARGIN = 1.5 * cm
BOTTOM_MARGIN = 2.0 * cm
FRAME_WIDTH = PAGE_WIDTH - LEFT_MARGIN - RIGHT_MARGIN
FOOTER_Y = 1.1 * cm
BAND_HEIGHT = 118.0
"""Height of page 1's verification band, just above the bottom margin."""
BAND_GAP = 10.0

QR_SIZE = 92.0
_SIG_W, _SIG_H = 180, 62
_SIG_X = int(PAGE_WIDTH - RIGHT_MARGIN) - _SIG_W
_SIG_Y = int(BOTTOM_MARGIN) + 26
SIGNATURE_BOX: tuple[int, int, int, int] = (_SIG_X, _SIG_Y, _SIG_X + _SIG_W, _SIG_Y + _SIG_H)
"""Page-1 rectangle (x1, y1, x2, y2 in points) kept free for a visible signature."""

LINE_COLOR: Color = HexColor("#999999")


@dataclass(frozen=True)
class PageInfo:
    """What the page decorations print."""

    fonts: FontSet
    number: str
    content_hash: str
    verification_url: str


def _style(
    fonts: FontSet, size: float, *, bold: bool = False, align: Literal[0, 1, 2, 4] = 0
) -> ParagraphStyle:
    return ParagraphStyle(
        "band",
        fontName=fonts.bold if bold else fonts.regular,
        fontSize=size,
        leading=size * 1.25,
        alignment=align,
        splitLongWords=True,
    )


def _draw_paragraph(
    canvas: Canvas, markup: str, style: ParagraphStyle, x: float, top: float, width: float
) -> float:
    """Draw markup with its top at ``top``; return the y of its bottom."""
    para = Paragraph(markup, style)
    _, height = para.wrapOn(canvas, width, 1000)
    para.drawOn(canvas, x, top - height)
    return top - height


def _two_lines(pair: Bilingual) -> str:
    return f'<b>{esc(pair.vi)}</b><br/><font color="{EN_GREY}">{esc(pair.en)}</font>'


def draw_first_page_band(canvas: Canvas, info: PageInfo) -> None:
    """QR code, verification link, content hash and the signature box on page 1."""
    canvas.saveState()
    fonts = info.fonts
    band_bottom = BOTTOM_MARGIN
    band_top = BOTTOM_MARGIN + BAND_HEIGHT
    canvas.setStrokeColor(LINE_COLOR)
    canvas.setLineWidth(0.5)
    canvas.line(LEFT_MARGIN, band_top, PAGE_WIDTH - RIGHT_MARGIN, band_top)

    # QR code of the verification link.
    widget = QrCodeWidget(info.verification_url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(
        QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0]
    )
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, LEFT_MARGIN - 6, band_bottom + 8)

    # Link and hash beside it.
    text_x = LEFT_MARGIN + QR_SIZE + 2
    text_w = _SIG_X - 14 - text_x
    top = band_top - 8
    top = _draw_paragraph(
        canvas, _two_lines(label("text", "verify_heading")), _style(fonts, 7.5), text_x, top, text_w
    )
    top = _draw_paragraph(
        canvas, esc(info.verification_url), _style(fonts, 7), text_x, top - 1, text_w
    )
    top = _draw_paragraph(
        canvas,
        _two_lines(label("text", "content_hash")),
        _style(fonts, 7.5),
        text_x,
        top - 5,
        text_w,
    )
    half = len(info.content_hash) // 2
    hash_lines = f"{info.content_hash[:half]}<br/>{info.content_hash[half:]}"
    _draw_paragraph(canvas, hash_lines, _style(fonts, 7.5), text_x, top - 1, text_w)

    # Signature box: label above, note below, the box itself left empty for the stamp.
    sx1, sy1, sx2, sy2 = SIGNATURE_BOX
    sig_label = label("text", "signature_box")
    _draw_paragraph(
        canvas,
        _two_lines(sig_label),
        _style(fonts, 7, align=1),
        sx1,
        band_top - 6,
        sx2 - sx1,
    )
    canvas.setDash(2, 2)
    canvas.rect(sx1, sy1, sx2 - sx1, sy2 - sy1, stroke=1, fill=0)
    canvas.setDash()
    _draw_paragraph(
        canvas,
        bi(label("text", "signature_note")),
        _style(fonts, 6, align=1),
        sx1,
        sy1 - 3,
        sx2 - sx1,
    )
    canvas.restoreState()


def draw_footer(canvas: Canvas, info: PageInfo, page: int, pages: int) -> None:
    canvas.saveState()
    canvas.setStrokeColor(LINE_COLOR)
    canvas.setLineWidth(0.5)
    canvas.line(LEFT_MARGIN, FOOTER_Y + 10, PAGE_WIDTH - RIGHT_MARGIN, FOOTER_Y + 10)
    number = label("text", "number")
    page_text = label("text", "page").format(x=page, y=pages)
    canvas.setFont(info.fonts.regular, 7.5)
    canvas.drawString(LEFT_MARGIN, FOOTER_Y, f"{number.vi} ({number.en}) {info.number}")
    canvas.drawCentredString(
        (LEFT_MARGIN + PAGE_WIDTH - RIGHT_MARGIN) / 2,
        FOOTER_Y,
        f"SHA-256 {info.content_hash[:16]}…",
    )
    canvas.drawRightString(PAGE_WIDTH - RIGHT_MARGIN, FOOTER_Y, f"{page_text.vi} ({page_text.en})")
    canvas.restoreState()


def numbered_canvas_class(info: PageInfo) -> type[Canvas]:
    """A canvas class that holds pages back until the end, to print "Trang x/y" on each."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held_pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
            self._held_pages.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined]  # ReportLab internal

        def save(self) -> None:
            total = len(self._held_pages)
            for index, state in enumerate(self._held_pages, start=1):
                self.__dict__.update(state)
                draw_footer(self, info, index, total)
                super().showPage()
            super().save()

    return NumberedCanvas
