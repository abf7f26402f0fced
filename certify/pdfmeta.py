"""The certificate number and content hash, carried in the PDF's document information.

:func:`certify.render.render_pdf` writes them as the Keywords entry; verification
reads them back from the signed revision.
"""

from __future__ import annotations

import re

KEYWORDS_PREFIX = "regsearch-certificate"
_KEYWORDS = re.compile(
    re.escape(KEYWORDS_PREFIX) + r"; number=(?P<number>[A-Z0-9-]+); sha256=(?P<hash>[0-9a-f]{64})"
)


def pdf_keywords(number: str, sha256: str) -> str:
    """The document-information keywords that carry the number and content hash."""
    return f"{KEYWORDS_PREFIX}; number={number}; sha256={sha256}"


def parse_pdf_keywords(keywords: str) -> tuple[str, str] | None:
    """(number, sha256) from :func:`pdf_keywords` text, or ``None``."""
    m = _KEYWORDS.search(keywords)
    return (m.group("number"), m.group("hash")) if m else None
