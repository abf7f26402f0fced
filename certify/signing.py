"""Sign a rendered certificate: PAdES baseline B-B certification signature (pyHanko).

The signature is a *certification* signature that permits no later change
(DocMDP level 1): a certificate is final once signed. No time-stamp authority
is used (B-B); the signing time is the signer's clock, written in the
signature dictionary.

pyHanko's synchronous API runs its own event loop: call :func:`sign_pdf` from a
worker thread (FastAPI sync endpoints do that), or await :func:`async_sign_with`
from async code.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
from pyhanko.sign.fields import MDPPerm, SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, SimpleSigner
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from certify.errors import SigningError
from certify.fonts import register_fonts
from certify.page import SIGNATURE_BOX
from certify.snapshot import VN_TZ
from certify.stamp import ImportedPdfBytes, render_stamp
from certify.wording import label

FIELD_NAME = "ChungNhanKetQuaTraCuu"
REASON = "{0.vi} ({0.en})".format(label("text", "signature_reason"))
LOCATION = label("text", "signature_location").vi

PathLike = Path | str


@dataclass(frozen=True)
class SigningKey:
    """A loaded signing key, its certificate and chain; reuse it across certificates."""

    signer: SimpleSigner

    @property
    def subject_name(self) -> str:
        """The signing certificate's common name."""
        return str(self.signer.subject_name or "")


def _check_pair(key_bytes: bytes, passphrase: bytes | None, cert_bytes: bytes) -> None:
    """Refuse a key that does not belong to the certificate (signatures would not verify)."""
    pem = b"-----BEGIN" in cert_bytes
    cert = (
        x509.load_pem_x509_certificate(cert_bytes)
        if pem
        else x509.load_der_x509_certificate(cert_bytes)
    )
    load_key = (
        serialization.load_pem_private_key
        if b"-----BEGIN" in key_bytes
        else serialization.load_der_private_key
    )
    public = load_key(key_bytes, password=passphrase).public_key()
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if public.public_bytes(der, spki) != cert.public_key().public_bytes(der, spki):
        raise ValueError("the private key does not match the certificate")


def load_signing_key(
    signer_key_path: PathLike,
    signer_cert_path: PathLike,
    chain_paths: Sequence[PathLike] = (),
    *,
    key_passphrase: bytes | None = None,
) -> SigningKey:
    """Load PEM/DER key material; raises :class:`SigningError` (VI + EN) on failure."""
    try:
        key_bytes = Path(signer_key_path).read_bytes()
        cert_bytes = Path(signer_cert_path).read_bytes()
        _check_pair(key_bytes, key_passphrase, cert_bytes)
        key = load_private_key_from_pemder_data(key_bytes, passphrase=key_passphrase)
        certs = list(load_certs_from_pemder_data(cert_bytes))
        if len(certs) != 1:
            raise ValueError(f"{signer_cert_path} must hold exactly one certificate")
        cert = certs[0]
        chain = [c for p in chain_paths for c in load_certs_from_pemder_data(Path(p).read_bytes())]
    except (OSError, ValueError, TypeError) as exc:
        msg = label("errors", "signing_files").format(detail=f"{type(exc).__name__}: {exc}")
        raise SigningError(msg.vi, msg.en) from exc
    store = SimpleCertificateStore()  # type: ignore[no-untyped-call]
    store.register_multiple(chain)
    return SigningKey(SimpleSigner(signing_cert=cert, signing_key=key, cert_registry=store))


def _stamp_style(key: SigningKey, options: SignatureOptions) -> StaticStampStyle:
    fonts = register_fonts(options.font_regular, options.font_bold)
    x1, y1, x2, y2 = SIGNATURE_BOX
    stamp = render_stamp(
        x2 - x1,
        y2 - y1,
        fonts,
        signer=options.signer_name or key.subject_name,
        time=datetime.now(VN_TZ).strftime("%d/%m/%Y %H:%M:%S (UTC+07:00)"),
        reason=options.reason,
    )
    return StaticStampStyle(
        background=ImportedPdfBytes(stamp),
        background_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MID,
            y_align=AxisAlignment.ALIGN_MID,
            margins=Margins(0, 0, 0, 0),
        ),
        border_width=1,
    )


@dataclass(frozen=True)
class SignatureOptions:
    """How the signature looks; the defaults suit the registry's certificates."""

    visible: bool = False
    """Put the signature appearance in page 1's signature box, or no appearance."""
    signer_name: str | None = None
    """Defaults to the signing certificate's subject."""
    reason: str = REASON
    location: str = LOCATION
    contact_info: str | None = None
    font_regular: Path | None = None
    """Fonts of the visible stamp; default DejaVu Sans (see :mod:`certify.fonts`)."""
    font_bold: Path | None = None


async def async_sign_with(
    pdf: bytes, key: SigningKey, options: SignatureOptions = SignatureOptions()
) -> bytes:
    """Sign ``pdf`` with a loaded key. See :func:`sign_pdf`."""
    meta = PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        name=options.signer_name,
        reason=options.reason,
        location=options.location,
        contact_info=options.contact_info,
        certify=True,
        docmdp_permissions=MDPPerm.NO_CHANGES,
    )
    field = SigFieldSpec(
        sig_field_name=FIELD_NAME, on_page=0, box=SIGNATURE_BOX if options.visible else None
    )
    signer = PdfSigner(
        meta,
        key.signer,
        new_field_spec=field,
        stamp_style=_stamp_style(key, options) if options.visible else None,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    output = io.BytesIO()
    await signer.async_sign_pdf(writer, output=output)
    return output.getvalue()


def sign_with(pdf: bytes, key: SigningKey, options: SignatureOptions = SignatureOptions()) -> bytes:
    """Synchronous :func:`async_sign_with` (not from inside a running event loop)."""
    return asyncio.run(async_sign_with(pdf, key, options))


def sign_pdf(
    pdf: bytes,
    signer_key_path: PathLike,
    signer_cert_path: PathLike,
    chain_paths: Sequence[PathLike] = (),
    *,
    key_passphrase: bytes | None = None,
    visible: bool = False,
    signer_name: str | None = None,
    reason: str = REASON,
    location: str = LOCATION,
    contact_info: str | None = None,
    font_regular: Path | None = None,
    font_bold: Path | None = None,
) -> bytes:
    """Return ``pdf`` with a PAdES B-B certification signature appended.

    ``visible`` puts the signature appearance in page 1's signature box
    (:data:`certify.page.SIGNATURE_BOX`); otherwise the field is invisible.
    ``signer_name`` defaults to the certificate subject. Loads the key files on
    every call: a service signing many certificates should keep the result of
    :func:`load_signing_key` and call :func:`sign_with`.
    """
    key = load_signing_key(
        signer_key_path, signer_cert_path, chain_paths, key_passphrase=key_passphrase
    )
    options = SignatureOptions(
        visible=visible,
        signer_name=signer_name,
        reason=reason,
        location=location,
        contact_info=contact_info,
        font_regular=font_regular,
        font_bold=font_bold,
    )
    return sign_with(pdf, key, options)
