"""A certificate for a whole batch: the snapshot's rules, the PDF's text, the embedded
results file, determinism, and signing and verification like any certificate."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

import pytest
from pydantic import ValidationError

from certify.attachment import read_attachments
from certify.batch_render import ResultsMismatchError, render_batch_pdf
from certify.batch_snapshot import BatchCertificateSnapshot, batch_snapshot_from_json
from certify.dev_ca import DevCaPaths
from certify.signing import sign_pdf
from certify.snapshot import canonical_json, content_hash
from certify.verify import verify_pdf
from tests.certify.batch_factories import batch_snapshot_dict, make_batch_snapshot
from tests.certify.conftest import pdftotext


def _flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture(scope="module")
def rendered() -> tuple[BatchCertificateSnapshot, bytes, bytes]:
    snapshot, results = make_batch_snapshot(90)
    return snapshot, results, render_batch_pdf(snapshot, results)


def test_round_trip_gives_same_bytes_and_hash() -> None:
    snapshot, _ = make_batch_snapshot(12)
    stored = canonical_json(snapshot)
    again = batch_snapshot_from_json(stored)
    assert canonical_json(again) == stored
    assert content_hash(again) == content_hash(snapshot)
    assert b'"kind":"batch"' in stored


def _change(raw: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    *parents, key = path.split(".")
    target: Any = raw
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[key] = value
    return raw


@pytest.mark.parametrize(("path", "value", "message"), [
    ("counts.invalid", 1, "total must equal valid + invalid"),
    ("counts.searched", 3, "searched must equal valid - duplicate"),
    ("counts.no_match", 0, "valid must equal"),
    ("registry_current_as_of.latest.commit_time", "2026-03-05T10:00:00+07:00",
     "later than issued_at"),
    ("registry_current_as_of.earliest.commit_time", "2026-03-05T09:40:00+07:00",
     "earliest watermark is later"),
    ("registry_current_as_of.earliest.lsn", "bad", "pattern"),
    ("results_file.sha256", "XYZ", "pattern"),
    ("results_file.lines", 3, "one line per row"),
    ("rows_with_matches.0.row", 900, "file order"),
    ("rows_with_matches.1.exact_registrations", [], "lists at least one registration"),
    ("number", "CN-2026-00000042-4", "not a valid certificate number"),
    ("fee", {"amount_vnd": 0}, "free_ground"),
])
def test_inconsistent_snapshots_are_refused(path: str, value: Any, message: str) -> None:
    raw = _change(batch_snapshot_dict(10, 20), path, value)
    with pytest.raises(ValidationError, match=re.escape(message)):
        BatchCertificateSnapshot.model_validate(raw)


def test_every_matched_row_count_and_heading_is_in_the_text(
        rendered: tuple[BatchCertificateSnapshot, bytes, bytes]) -> None:
    snapshot, results, pdf = rendered
    text = _flat(pdftotext(pdf))
    for heading in ("VĂN BẢN CHỨNG NHẬN KẾT QUẢ TRA CỨU THÔNG TIN VỀ BIỆN PHÁP BẢO ĐẢM",
                    "(TRA CỨU THEO LÔ)", "THÔNG TIN VỀ LÔ TRA CỨU", "TỔNG HỢP KẾT QUẢ",
                    "CÁC DÒNG CÓ KẾT QUẢ KHỚP", "TỆP KẾT QUẢ ĐẦY ĐỦ ĐÍNH KÈM",
                    "CĂN CỨ PHÁP LÝ", "Nghị định số 102/2017/NĐ-CP", "Rows with matches",
                    "Dữ liệu đăng ký được cập nhật đến", "Registry current as of"):
        assert heading in text, heading
    assert snapshot.number in text and snapshot.batch.id in text
    assert content_hash(snapshot) in text.replace(" ", "")
    assert snapshot.results_file.sha256 in text
    assert hashlib.sha256(results).hexdigest() == snapshot.results_file.sha256
    counts = snapshot.counts
    assert f"Số dòng dữ liệu trong tệp: {counts.total}" in text
    assert f"Dòng không có kết quả khớp nào: {counts.no_match}" in text
    assert f"Dòng có kết quả khớp chính xác: {counts.with_exact}" in text
    for line in snapshot.rows_with_matches:
        assert line.value_as_entered in text
        for number in line.exact_registrations:
            assert number in text
    # the earliest watermark is what the batch is current as of; the range is stated
    assert "05/03/2026 09:22:05" in text and "05/03/2026 09:35:05" in text
    assert "0/16B3748" in text


def test_the_results_are_embedded_as_given(
        rendered: tuple[BatchCertificateSnapshot, bytes, bytes]) -> None:
    snapshot, results, pdf = rendered
    assert read_attachments(pdf) == {snapshot.results_file.name: results}


def test_same_snapshot_same_bytes(rendered: tuple[BatchCertificateSnapshot, bytes, bytes]) -> None:
    snapshot, results, pdf = rendered
    again = batch_snapshot_from_json(canonical_json(snapshot))
    assert render_batch_pdf(again, results) == pdf


def test_other_results_are_refused() -> None:
    snapshot, results = make_batch_snapshot(3)
    with pytest.raises(ResultsMismatchError):
        render_batch_pdf(snapshot, results.replace(b"done", b"dona"))


def test_no_match_at_all_and_free() -> None:
    snapshot, results = make_batch_snapshot(0, 5, free=True)
    text = _flat(pdftotext(render_batch_pdf(snapshot, results)))
    assert "Không có dòng nào có kết quả khớp." in text
    assert "Miễn phí" in text and "Điều 59 khoản 2" in text


def test_many_matched_rows_render_quickly() -> None:
    import time

    snapshot, results = make_batch_snapshot(2000)
    started = time.monotonic()
    pdf = render_batch_pdf(snapshot, results)
    assert time.monotonic() - started < 30
    assert snapshot.rows_with_matches[-1].value_as_entered in _flat(pdftotext(pdf))


def test_signed_batch_certificate_verifies_and_keeps_its_file(
        rendered: tuple[BatchCertificateSnapshot, bytes, bytes], dev_ca: DevCaPaths) -> None:
    snapshot, results, pdf = rendered
    signed = sign_pdf(pdf, dev_ca.signer_key, dev_ca.signer_cert, dev_ca.chain)
    result = verify_pdf(signed, [dev_ca.root_cert], expected_hash=content_hash(snapshot))
    assert result.genuine, result.reasons
    assert result.certificate_number == snapshot.number
    assert read_attachments(signed) == {snapshot.results_file.name: results}
    # the embedded file is inside the signed bytes: changing it breaks the signature
    start = signed.index(b"/Type /EmbeddedFile")
    tampered = bytearray(signed)
    tampered[start + 400] ^= 0x01
    assert not verify_pdf(bytes(tampered), [dev_ca.root_cert]).genuine
