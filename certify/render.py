"""Render a snapshot to the certificate PDF (unsigned).

Deterministic: the same snapshot, fonts and verification base URL give the
same bytes (ReportLab invariant mode, creation date taken from the snapshot).
"""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import quote

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, NextPageTemplate, PageTemplate

from certify.attachment import Attachment, embed
from certify.fonts import FontSet, register_fonts
from certify.formatting import pdf_date
from certify.match_sections import matches
from certify.page import (
    BAND_GAP,
    BAND_HEIGHT,
    BOTTOM_MARGIN,
    FRAME_WIDTH,
    LEFT_MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RIGHT_MARGIN,
    TOP_MARGIN,
    PageInfo,
    draw_first_page_band,
    numbered_canvas_class,
)
from certify.pdfmeta import pdf_keywords
from certify.sections import (
    Headed,
    details,
    heading,
    legal_basis,
    make_styles,
    search_logic,
)
from certify.snapshot import CertificateSnapshot, content_hash
from certify.wording import label

DEFAULT_VERIFY_BASE_URL = "http://127.0.0.1:8000"
"""Fallback only: deployments pass their public base URL to :func:`render_pdf`."""


def verification_url(number: str, sha256: str, base_url: str = DEFAULT_VERIFY_BASE_URL) -> str:
    """The link printed (and QR-coded) on the certificate: the verification page, which
    answers JSON to ``Accept: application/json``."""
    return f"{base_url.rstrip('/')}/verify/{quote(number)}?sha256={sha256}"


def render_pdf(
    snapshot: CertificateSnapshot,
    *,
    verify_base_url: str = DEFAULT_VERIFY_BASE_URL,
    font_regular: Path | None = None,
    font_bold: Path | None = None,
) -> bytes:
    """The unsigned certificate PDF for ``snapshot``.

    ``font_regular``/``font_bold`` default to DejaVu Sans (fonts-dejavu-core);
    a missing or non-Vietnamese font raises :class:`certify.errors.FontError`.
    """
    fonts = register_fonts(font_regular, font_bold)
    styles = make_styles(fonts)
    story: list[Flowable] = []
    story += heading(snapshot, styles)
    story += details(snapshot, styles)
    story += search_logic(snapshot, styles)
    story += matches(snapshot, styles, "exact")
    story += matches(snapshot, styles, "close")
    story += legal_basis(snapshot, styles)
    return build_document(snapshot, story, fonts=fonts, verify_base_url=verify_base_url)


def build_document(
    snapshot: Headed,
    story: list[Flowable],
    *,
    fonts: FontSet,
    verify_base_url: str = DEFAULT_VERIFY_BASE_URL,
    attachments: tuple[Attachment, ...] = (),
) -> bytes:
    """The PDF of a certificate's ``story`` with what every certificate has: metadata
    carrying number and content hash, page 1's verification band, numbered footers and
    the embedded ``attachments``. Deterministic for the same inputs."""
    sha256 = content_hash(snapshot)
    info = PageInfo(
        fonts=fonts,
        number=snapshot.number,
        content_hash=sha256,
        verification_url=verification_url(snapshot.number, sha256, verify_base_url),
    )
    title = label("text", "title")

    out = io.BytesIO()
    doc = BaseDocTemplate(
        out,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        leftMargin=LEFT_MARGIN,
        rightMargin=RIGHT_MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        invariant=1,
        pageCompression=1,
        lang="vi-VN",
        title=f"{' '.join(title.vi.split())} {snapshot.number}",
        author=f"{snapshot.issuer.name_vi} ({snapshot.issuer.name_en})",
        subject=f"{title.en} {snapshot.number}",
        creator="regsearch certify",
        keywords=[pdf_keywords(snapshot.number, sha256)],
        displayDocTitle=1,
    )
    body_height = PAGE_HEIGHT - TOP_MARGIN - BOTTOM_MARGIN
    first_bottom = BOTTOM_MARGIN + BAND_HEIGHT + BAND_GAP
    first = Frame(
        LEFT_MARGIN,
        first_bottom,
        FRAME_WIDTH,
        PAGE_HEIGHT - TOP_MARGIN - first_bottom,
        id="first",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    later = Frame(
        LEFT_MARGIN,
        BOTTOM_MARGIN,
        FRAME_WIDTH,
        body_height,
        id="later",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    creation_date = pdf_date(snapshot.issued_at)

    def on_first(canvas: Canvas, _doc: BaseDocTemplate) -> None:
        canvas.setDateFormatter(lambda *_args: creation_date)
        draw_first_page_band(canvas, info)
        embed(canvas, attachments)

    doc.addPageTemplates(
        [
            PageTemplate(id="First", frames=[first], onPage=on_first),
            PageTemplate(id="Later", frames=[later]),
        ]
    )
    doc.build([NextPageTemplate("Later"), *story], canvasmaker=numbered_canvas_class(info))
    return out.getvalue()
