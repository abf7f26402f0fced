"""Files embedded in a certificate PDF (the document's EmbeddedFiles name tree).

Written with ReportLab while the certificate is rendered, so the rendered bytes stay
deterministic and the signature, appended afterwards, covers the embedded file too.
Read back with pyHanko's reader, for verifiers and tests.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils.reader import PdfFileReader
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFDictionary,
    PDFName,
    PDFStream,
    PDFStreamFilterZCompress,
    PDFString,
)
from reportlab.pdfgen.canvas import Canvas


@dataclass(frozen=True)
class Attachment:
    """A file to embed: its name (ASCII), media type, bytes and a description."""

    name: str
    media_type: str
    data: bytes
    description: str


def _name(text: str) -> str:
    """A PDF name object; ReportLab's ``PDFName`` leaves the delimiter ``/`` unescaped."""
    return "/" + PDFName(text)[1:].replace("/", "#2f")


def embed(canvas: Canvas, attachments: tuple[Attachment, ...]) -> None:
    """Register ``attachments`` in the document being drawn on ``canvas`` (call once).

    PDF readers list them in their attachments panel, which the document opens with."""
    if not attachments:
        return
    names: list[Any] = []
    for item in sorted(attachments, key=lambda a: a.name):  # name trees are sorted
        stream = PDFStream(
            dictionary=PDFDictionary({
                "Type": PDFName("EmbeddedFile"),
                "Subtype": _name(item.media_type),
                "Params": PDFDictionary({"Size": len(item.data)}),
            }),
            content=item.data,
            filters=[PDFStreamFilterZCompress()],
        )
        spec = PDFDictionary({
            "Type": PDFName("Filespec"),
            "F": PDFString(item.name),
            "UF": PDFString(item.name),
            "Desc": PDFString(item.description),
            "EF": PDFDictionary({"F": stream, "UF": stream}),
            "AFRelationship": PDFName("Data"),
        })
        names += [PDFString(item.name), spec]
    document: Any = getattr(canvas, "_doc")  # noqa: B009 (ReportLab has no public API)
    catalog = document.Catalog
    catalog.Names = PDFDictionary({"EmbeddedFiles": PDFDictionary({"Names": PDFArray(names)})})
    catalog.PageMode = PDFName("UseAttachments")


def read_attachments(pdf: bytes) -> dict[str, bytes]:
    """The embedded files of ``pdf`` by name (empty when it has none or cannot be read)."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        tree = reader.root["/Names"]["/EmbeddedFiles"]
        entries = list(tree["/Names"])
    except Exception:  # untrusted input: any parse failure means "no attachments"
        return {}
    found: dict[str, bytes] = {}
    for name, spec in zip(entries[::2], entries[1::2], strict=False):
        try:
            found[str(name)] = bytes(spec.get_object()["/EF"]["/F"].get_object().data)
        except Exception:  # a damaged entry is skipped; the others are still read
            continue
    return found
