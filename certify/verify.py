"""Check that a certificate PDF is genuine: signed by a trusted key, unchanged since.

Anything wrong is reported, never raised: the file may come from anyone.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from certify.numbering import is_valid_number
from certify.pdfmeta import parse_pdf_keywords
from certify.snapshot import VN_TZ
from certify.strict import container_exact, gap_text_exact
from certify.wording import label

RevocationMode = Literal["soft-fail", "hard-fail", "require"]
TrustRoot = Path | str | bytes
"""A PEM/DER file (path) or PEM/DER data (bytes); a file may hold several certificates."""


class VerificationReason(BaseModel):
    """One problem found, with its wording (VI + EN)."""

    model_config = ConfigDict(frozen=True)

    code: str
    vi: str
    en: str


class VerificationResult(BaseModel):
    """Outcome of :func:`verify_pdf`. ``genuine`` only when ``reasons`` is empty."""

    model_config = ConfigDict(frozen=True)

    genuine: bool
    intact: bool
    """The signed bytes are unchanged and the signature covers the whole file."""
    signer: str | None = None
    signed_at: datetime | None = None
    certificate_number: str | None = None
    content_hash: str | None = None
    reasons: tuple[VerificationReason, ...] = ()


def _reason(code: str) -> VerificationReason:
    text = label("verification", code)
    return VerificationReason(code=code, vi=text.vi, en=text.en)


def _fail(code: str) -> VerificationResult:
    return VerificationResult(genuine=False, intact=False, reasons=(_reason(code),))


@dataclass(frozen=True)
class TrustRoots:
    """Loaded trust anchors (load once with :func:`load_trust_roots`, reuse)."""

    certificates: tuple[Any, ...]


def load_trust_roots(roots: Sequence[TrustRoot] | TrustRoots) -> TrustRoots:
    """Certificates from files or PEM/DER data. A missing file raises ``OSError``
    (configuration, not the document, is wrong)."""
    if isinstance(roots, TrustRoots):
        return roots
    certs: list[Any] = []
    for root in roots:
        data = root if isinstance(root, bytes) else Path(root).read_bytes()
        certs.extend(load_certs_from_pemder_data(data))
    return TrustRoots(tuple(certs))


def _signer_name(status: PdfSignatureStatus) -> str | None:
    try:
        native = status.signing_cert.subject.native
    except (AttributeError, ValueError):
        return None
    name = native.get("common_name") if isinstance(native, dict) else None
    return str(name) if name else None


def _certificate_data(reader: PdfFileReader, revision: int) -> tuple[str, str] | None:
    """(number, content hash) from the document information of the signed revision."""
    try:
        info = reader.get_historical_resolver(revision).trailer_view["/Info"]
        keywords = str(info.get_object()["/Keywords"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return parse_pdf_keywords(keywords)


async def async_verify_pdf(
    pdf: bytes,
    trust_roots: Sequence[TrustRoot] | TrustRoots,
    expected_hash: str | None = None,
    *,
    revocation_mode: RevocationMode = "soft-fail",
    allow_fetching: bool = False,
) -> VerificationResult:
    """See :func:`verify_pdf`."""
    roots = load_trust_roots(trust_roots).certificates
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_regular_signatures
    except Exception:  # untrusted input: any parse failure means "unreadable"
        return _fail("unreadable")
    if not signatures:
        return _fail("no_signature")

    reasons: list[VerificationReason] = []
    if len(signatures) > 1:
        reasons.append(_reason("multiple_signatures"))
    embedded = signatures[0]
    context = ValidationContext(
        trust_roots=list(roots),
        allow_fetching=allow_fetching,
        revocation_mode=revocation_mode,
    )
    try:
        status = await async_validate_pdf_signature(embedded, signer_validation_context=context)
    except Exception:  # malformed CMS, byte ranges or structure in the signed data
        return _fail("signature_malformed")
    finally:
        await context.aclose()  # type: ignore[no-untyped-call]

    whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    contents = gap_text_exact(pdf, embedded.byte_range)
    try:
        exact = contents is not None and container_exact(contents, embedded, status, roots)
    except (ValueError, TypeError, KeyError, AttributeError):
        exact = False
    intact = bool(status.intact) and whole_file and exact
    if not (status.intact and exact):
        reasons.append(_reason("not_intact"))
    if not status.valid:
        reasons.append(_reason("signature_invalid"))
    if status.intact and status.valid and not status.trusted:
        # (pyHanko does not judge trust in a signature that is already broken)
        reasons.append(_reason("untrusted"))
    if not whole_file:
        reasons.append(_reason("not_whole_file"))
    if status.docmdp_ok is False:
        reasons.append(_reason("modification_not_allowed"))

    data = _certificate_data(reader, embedded.signed_revision)
    number, sha256 = data if data else (None, None)
    if data is None:
        reasons.append(_reason("no_certificate_data"))
    elif not is_valid_number(data[0]):
        reasons.append(_reason("bad_certificate_number"))
    if expected_hash is not None and sha256 != expected_hash.lower():
        reasons.append(_reason("hash_mismatch"))

    signed_at = status.signer_reported_dt
    return VerificationResult(
        genuine=not reasons,
        intact=intact,
        signer=_signer_name(status),
        signed_at=signed_at.astimezone(VN_TZ) if signed_at else None,
        certificate_number=number,
        content_hash=sha256,
        reasons=tuple(reasons),
    )


def verify_pdf(
    pdf: bytes,
    trust_roots: Sequence[TrustRoot] | TrustRoots,
    expected_hash: str | None = None,
    *,
    revocation_mode: RevocationMode = "soft-fail",
    allow_fetching: bool = False,
) -> VerificationResult:
    """Is ``pdf`` a genuine certificate?

    Genuine means: exactly one signature, cryptographically valid, by a
    certificate that chains to one of ``trust_roots`` (files, PEM/DER bytes or
    :func:`load_trust_roots`), covering every byte of the file, with nothing
    changed even in the parts of the signature container that the signature
    value does not cover (:mod:`certify.strict`), carrying a valid certificate
    number and content hash, and, when
    ``expected_hash`` (the hash on record for that number) is given, the same
    hash. Revocation is checked per ``revocation_mode``; with the default
    ``allow_fetching=False`` no network is used (the development CA publishes no
    revocation data). Synchronous: do not call from inside a running event loop
    (use :func:`async_verify_pdf`).
    """
    return asyncio.run(
        async_verify_pdf(
            pdf,
            trust_roots,
            expected_hash,
            revocation_mode=revocation_mode,
            allow_fetching=allow_fetching,
        )
    )
