"""The parts of a PDF signature that the signature itself does not protect, checked
to be exactly as the registry wrote them.

A PDF signature covers every byte of the file except the ``/Contents`` hex
string that holds the CMS container. Inside that container the signature
value covers only the signed attributes; the certificate set, the list of
digest algorithms, the signer identifier, the DER lengths and the zero padding
after the container are not covered, and pyHanko ignores changes to most of
them. A certificate is evidence, so verification demands that no byte of the
file changed at all: this module checks those uncovered parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus

_SIGNED_DATA_OID = bytes.fromhex("06092A864886F70D010702")  # 1.2.840.113549.1.7.2


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _der_length(len(content)) + content


def gap_text_exact(pdf: bytes, byte_range: Sequence[int]) -> bytes | None:
    """The bytes of the ``<hex>`` string between the two signed ranges, decoded.

    ``None`` unless the gap is exactly ``<`` + hex digits all of one case + ``>``.
    """
    try:
        start, first_len, second_start, _ = (int(x) for x in byte_range)
    except (TypeError, ValueError):
        return None
    gap = pdf[start + first_len : second_start]
    if len(gap) < 4 or gap[:1] != b"<" or gap[-1:] != b">":
        return None
    hex_text = gap[1:-1]
    if hex_text not in (hex_text.upper(), hex_text.lower()):
        return None
    try:
        return bytes.fromhex(hex_text.decode("ascii"))
    except ValueError:
        return None


def container_exact(
    contents: bytes,
    embedded: EmbeddedPdfSignature,
    status: PdfSignatureStatus,
    trust_roots: Sequence[Any],
) -> bool:
    """True when the CMS container in ``contents`` holds nothing but what was signed.

    - the container is canonical DER, followed only by zero padding;
    - the SignedData and SignerInfo versions are 1;
    - its digest-algorithm list is exactly the signer's digest algorithm;
    - the signer identifier names the signing certificate exactly;
    - every embedded certificate is, byte for byte, one of the validated path
      or a trust root;
    - there are no unsigned attributes (PAdES B-B).
    """
    signed_data: Any = embedded.signed_data
    signer_info: Any = embedded.signer_info
    canonical = signed_data.copy().dump(force=True)  # includes its explicit [0] tag
    expected = _tlv(0x30, _SIGNED_DATA_OID + canonical)
    if contents[: len(expected)] != expected or any(contents[len(expected) :]):
        return False

    # RFC 5652: version 1 for both when the signer is named by issuer and serial
    # number and there are no attribute certificates (what the registry signs).
    if signed_data["version"].native != "v1" or signer_info["version"].native != "v1":
        return False

    digest_algorithms = list(signed_data["digest_algorithms"])
    if [a.dump() for a in digest_algorithms] != [signer_info["digest_algorithm"].dump()]:
        return False

    if len(signer_info["unsigned_attrs"]) != 0:
        return False

    signing_cert: Any = status.signing_cert
    sid = signer_info["sid"]
    if sid.name != "issuer_and_serial_number":
        return False
    if sid.chosen["issuer"].dump() != signing_cert.issuer.dump():
        return False
    if sid.chosen["serial_number"].native != signing_cert.serial_number:
        return False

    known = {root.dump() for root in trust_roots}
    if status.validation_path is not None:
        known |= {c.dump() for c in status.validation_path.iter_certs(include_root=True)}
    known.add(signing_cert.dump())
    return all(choice.chosen.dump() in known for choice in signed_data["certificates"])
