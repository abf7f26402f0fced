"""Signing and verification with the real pyHanko validator and a real (development) CA."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certify.dev_ca import DevCaPaths, create_dev_ca
from certify.errors import SigningError
from certify.signing import SignatureOptions, load_signing_key, sign_pdf, sign_with
from certify.snapshot import VN_TZ, CertificateSnapshot, content_hash
from certify.verify import VerificationResult, load_trust_roots, verify_pdf
from tests.certify.conftest import pdftotext

Rendered = Callable[..., tuple[CertificateSnapshot, bytes]]


@pytest.fixture(scope="module")
def signed(rendered: Rendered, dev_ca: DevCaPaths) -> tuple[CertificateSnapshot, bytes]:
    snapshot, pdf = rendered(20)
    return snapshot, sign_pdf(pdf, dev_ca.signer_key, dev_ca.signer_cert, dev_ca.chain)


def codes(result: VerificationResult) -> set[str]:
    return {r.code for r in result.reasons}


def _byte_range(pdf: bytes) -> tuple[int, int, int, int]:
    m = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert m is not None
    a, b, c, d = (int(x) for x in m.groups())
    return a, b, c, d


def _flip(pdf: bytes, pos: int) -> bytes:
    data = bytearray(pdf)
    data[pos] ^= 0x01
    return bytes(data)


def test_dev_ca_is_idempotent(dev_ca: DevCaPaths) -> None:
    before = {p: p.read_bytes() for p in (dev_ca.root_cert, dev_ca.signer_cert, dev_ca.signer_key)}
    again = create_dev_ca(dev_ca.directory)
    assert again == dev_ca
    assert {p: p.read_bytes() for p in before} == before
    assert dev_ca.signer_key.stat().st_mode & 0o077 == 0


def test_dev_ca_repairs_itself(tmp_path: Path) -> None:
    ca = create_dev_ca(tmp_path)
    ca.signer_cert.write_bytes(b"broken")
    again = create_dev_ca(tmp_path)
    assert again.signer_cert.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")


def test_signed_certificate_is_genuine(
    signed: tuple[CertificateSnapshot, bytes], dev_ca: DevCaPaths
) -> None:
    snapshot, pdf = signed
    result = verify_pdf(pdf, [dev_ca.root_cert], expected_hash=content_hash(snapshot))
    assert result.genuine and result.intact, result.reasons
    assert result.reasons == ()
    assert result.signer == "Cục Đăng ký quốc gia giao dịch bảo đảm (DEV)"
    assert result.signed_at is not None
    assert abs(datetime.now(VN_TZ) - result.signed_at) < timedelta(minutes=5)
    assert result.certificate_number == snapshot.number
    assert result.content_hash == content_hash(snapshot)


def test_signature_is_pades_certification(signed: tuple[CertificateSnapshot, bytes]) -> None:
    _, pdf = signed
    assert b"/ETSI.CAdES.detached" in pdf
    assert b"/DocMDP" in pdf
    text = pdftotext(pdf)
    assert "KẾT QUẢ KHỚP CHÍNH XÁC" in text  # signing keeps the document readable


def test_visible_signature(rendered: Rendered, dev_ca: DevCaPaths) -> None:
    _, pdf = rendered(1)
    key = load_signing_key(dev_ca.signer_key, dev_ca.signer_cert, dev_ca.chain)
    signed_pdf = sign_with(pdf, key, SignatureOptions(visible=True))
    result = verify_pdf(signed_pdf, load_trust_roots([dev_ca.root_cert]))
    assert result.genuine, result.reasons
    first_page = " ".join(pdftotext(signed_pdf).split("\f")[0].split())
    assert "ĐÃ KÝ SỐ (Digitally signed)" in first_page
    assert "Cục Đăng ký quốc gia giao dịch bảo đảm (DEV)" in first_page


def test_wrong_expected_hash(signed: tuple[CertificateSnapshot, bytes], dev_ca: DevCaPaths) -> None:
    _, pdf = signed
    result = verify_pdf(pdf, [dev_ca.root_cert], expected_hash="0" * 64)
    assert not result.genuine and result.intact
    assert codes(result) == {"hash_mismatch"}
    assert result.reasons[0].vi and result.reasons[0].en


def test_unsigned_and_unreadable(rendered: Rendered, dev_ca: DevCaPaths) -> None:
    _, pdf = rendered(1)
    assert codes(verify_pdf(pdf, [dev_ca.root_cert])) == {"no_signature"}
    assert codes(verify_pdf(b"not a pdf", [dev_ca.root_cert])) == {"unreadable"}
    assert codes(verify_pdf(b"", [dev_ca.root_cert])) == {"unreadable"}


def test_untrusted_signer(signed: tuple[CertificateSnapshot, bytes], other_ca: DevCaPaths) -> None:
    _, pdf = signed
    result = verify_pdf(pdf, [other_ca.root_cert])
    assert not result.genuine and result.intact
    assert codes(result) == {"untrusted"}


def test_one_byte_changed_in_the_content_is_detected(
    signed: tuple[CertificateSnapshot, bytes], dev_ca: DevCaPaths
) -> None:
    _, pdf = signed
    start = pdf.index(b"stream", 2000) + len(b"stream\n") + 50  # inside a compressed page stream
    assert start < _byte_range(pdf)[1]
    result = verify_pdf(_flip(pdf, start), [dev_ca.root_cert])
    assert not result.genuine and not result.intact
    assert "not_intact" in codes(result)


def test_padding_of_the_signature_is_covered_too(
    signed: tuple[CertificateSnapshot, bytes], dev_ca: DevCaPaths
) -> None:
    _, pdf = signed
    _, gap_start, gap_end, _ = _byte_range(pdf)
    assert pdf[gap_end - 2 : gap_end] == b"0>"
    result = verify_pdf(_flip(pdf, gap_end - 2), [dev_ca.root_cert])
    assert not result.genuine and "not_intact" in codes(result)
    case_changed = bytearray(pdf)
    hex_letter = next(i for i in range(gap_start + 1, gap_end) if chr(pdf[i]) in "ABCDEF")
    case_changed[hex_letter] = ord(chr(pdf[hex_letter]).lower())
    assert not verify_pdf(bytes(case_changed), [dev_ca.root_cert]).genuine


def test_bytes_appended_after_signing_are_detected(
    signed: tuple[CertificateSnapshot, bytes], dev_ca: DevCaPaths
) -> None:
    _, pdf = signed
    result = verify_pdf(pdf + b"\n% appended\n", [dev_ca.root_cert])
    assert not result.genuine


def test_any_single_byte_change_anywhere_is_detected(
    signed: tuple[CertificateSnapshot, bytes], dev_ca: DevCaPaths
) -> None:
    _, pdf = signed
    roots = load_trust_roots([dev_ca.root_cert])
    _, gap_start, gap_end, _ = _byte_range(pdf)

    @settings(max_examples=60, deadline=None, derandomize=True)
    @given(
        st.one_of(
            st.integers(min_value=0, max_value=len(pdf) - 1),
            st.integers(min_value=gap_start, max_value=gap_end - 1),  # the unsigned gap
        ),
        st.integers(min_value=1, max_value=255),
    )
    def check(position: int, xor: int) -> None:
        data = bytearray(pdf)
        data[position] ^= xor
        assert not verify_pdf(bytes(data), roots).genuine

    check()


def test_missing_key_file_is_a_clear_error(dev_ca: DevCaPaths, tmp_path: Path) -> None:
    with pytest.raises(SigningError) as err:
        sign_pdf(b"%PDF", tmp_path / "missing.pem", dev_ca.signer_cert, dev_ca.chain)
    assert "khóa" in err.value.vi and "key" in err.value.en


def test_key_of_another_certificate_is_refused(dev_ca: DevCaPaths) -> None:
    with pytest.raises(SigningError) as err:
        load_signing_key(dev_ca.root_key, dev_ca.signer_cert, dev_ca.chain)
    assert "does not match" in err.value.en
