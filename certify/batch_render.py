"""Render a batch certificate to PDF (unsigned), with the full results embedded.

The page frame, heading, verification band, footers and metadata are those of every
certificate (:func:`certify.render.build_document`); deterministic like them.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.platypus import Flowable

from certify.attachment import Attachment
from certify.batch_sections import batch_details, counts_section, file_section, rows_section
from certify.batch_snapshot import BatchCertificateSnapshot
from certify.fonts import register_fonts
from certify.render import DEFAULT_VERIFY_BASE_URL, build_document
from certify.sections import heading, legal_basis, make_styles, search_logic_for
from certify.store import sha256
from certify.wording import label


class ResultsMismatchError(ValueError):
    """The results given are not the file the snapshot names (size or SHA-256 differ)."""


def render_batch_pdf(
    snapshot: BatchCertificateSnapshot,
    results: bytes,
    *,
    verify_base_url: str = DEFAULT_VERIFY_BASE_URL,
    font_regular: Path | None = None,
    font_bold: Path | None = None,
) -> bytes:
    """The unsigned batch certificate for ``snapshot``, with ``results`` (the file that
    ``snapshot.results_file`` describes) embedded."""
    attached = snapshot.results_file
    if len(results) != attached.size or sha256(results) != attached.sha256:
        raise ResultsMismatchError(f"results differ from {attached.name} in the snapshot")
    fonts = register_fonts(font_regular, font_bold)
    styles = make_styles(fonts)
    story: list[Flowable] = []
    story += heading(snapshot, styles, variant=label("batch", "variant"))
    story += batch_details(snapshot, styles)
    story += search_logic_for([t.criterion for t in snapshot.by_criterion], styles)
    story += counts_section(snapshot, styles)
    story += rows_section(snapshot, styles)
    story += file_section(snapshot, styles)
    story += legal_basis(snapshot, styles, basis=label("batch", "legal_basis"),
                         section=label("batch", "section_legal"))
    description = label("batch", "attachment_description")
    attachment = Attachment(name=attached.name, media_type=attached.media_type, data=results,
                            description=f"{description.vi} / {description.en}")
    return build_document(snapshot, story, fonts=fonts, verify_base_url=verify_base_url,
                          attachments=(attachment,))
