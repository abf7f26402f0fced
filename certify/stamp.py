"""The appearance of a visible signature: a one-page PDF the size of the signature box.

Drawn with ReportLab and the certificate's own fonts (pyHanko's OpenType text
engine writes glyph widths wrongly for fonts whose units-per-em is not 1000,
DejaVu Sans among them), then imported by pyHanko as a static stamp.
"""

from __future__ import annotations

import io

from pyhanko.pdf_utils.content import PdfContent
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.reader import PdfFileReader
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from certify.fonts import FontSet
from certify.formatting import EN_GREY, esc
from certify.wording import label

_PADDING = 4.0


def render_stamp(
    width: float, height: float, fonts: FontSet, *, signer: str, time: str, reason: str
) -> bytes:
    """A ``width`` x ``height`` PDF page saying who signed, when and why (VI + EN)."""

    def head(key: str) -> str:
        pair = label("text", key)
        return f'<b>{esc(pair.vi)}</b> <font color="{EN_GREY}">({esc(pair.en)})</font>'

    lines = [
        head("stamp_signed"),
        f"{head('stamp_by')}: {esc(signer)}",
        f"{head('stamp_time')}: {esc(time)}",
        f"{head('stamp_reason')}: {esc(reason)}",
    ]
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(width, height), invariant=1)
    inner_w, inner_h = width - 2 * _PADDING, height - 2 * _PADDING
    size = 7.0
    while True:
        style = ParagraphStyle(
            "stamp", fontName=fonts.regular, fontSize=size, leading=size * 1.2, splitLongWords=True
        )
        paragraphs = [Paragraph(line, style) for line in lines]
        heights = [p.wrapOn(canvas, inner_w, inner_h)[1] for p in paragraphs]
        if sum(heights) <= inner_h or size <= 4.0:
            break
        size -= 0.5
    top = height - _PADDING - max(0.0, (inner_h - sum(heights)) / 2)
    for para, h in zip(paragraphs, heights, strict=True):
        para.drawOn(canvas, _PADDING, top - h)
        top -= h
    canvas.showPage()
    canvas.save()
    return out.getvalue()


class ImportedPdfBytes(PdfContent):
    """Page 1 of an in-memory PDF as pyHanko content (pyHanko's own class reads a file)."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._data = data

    def render(self) -> bytes:
        writer = self._ensure_writer
        reader = PdfFileReader(io.BytesIO(self._data))
        xobj = writer.import_page_as_xobject(reader, page_ix=0)
        self.resources.xobject["/SignatureStamp"] = xobj
        x1, y1, x2, y2 = xobj.get_object()["/BBox"]
        self.box = BoxConstraints(width=abs(x2 - x1), height=abs(y2 - y1))
        return b"/SignatureStamp Do"
