"""Rendering: every exact match printed, Vietnamese survives, deterministic bytes."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
import reportlab

from certify.errors import FontError
from certify.render import render_pdf, verification_url
from certify.snapshot import CertificateSnapshot, content_hash
from certify.wording import label, reason
from tests.certify.conftest import pdftotext
from tests.certify.factories import make_snapshot, snapshot_dict

Rendered = Callable[..., tuple[CertificateSnapshot, bytes]]


def _flat(text: str) -> str:
    """Extracted text with line breaks and runs of spaces made single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).split())


HEADINGS = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "VĂN BẢN CHỨNG NHẬN KẾT QUẢ TRA CỨU THÔNG TIN VỀ BIỆN PHÁP BẢO ĐẢM",
    "Certified search result",
    "CỤC ĐĂNG KÝ QUỐC GIA GIAO DỊCH BẢO ĐẢM",
    "KẾT QUẢ KHỚP CHÍNH XÁC",
    "KẾT QUẢ KHỚP GẦN ĐÚNG",
    "CĂN CỨ PHÁP LÝ",
    "Nghị định số 102/2017/NĐ-CP",
    "Thời điểm tra cứu",
    "Dữ liệu đăng ký được cập nhật đến",
]


@pytest.mark.parametrize("n", [1, 20, 500])
def test_every_exact_match_and_heading_is_in_the_text(rendered: Rendered, n: int) -> None:
    snapshot, pdf = rendered(n)
    text = _flat(pdftotext(pdf))
    for heading in HEADINGS:
        assert heading in text, heading
    numbers = [m.registration.registration_number for m in snapshot.exact]
    assert len(numbers) == n
    missing = [number for number in numbers if number not in text]
    assert not missing
    for match in snapshot.exact:  # names with diacritics survive extraction
        assert match.registration.grantors[0].name in text
    assert snapshot.number in text
    assert content_hash(snapshot) in text.replace(" ", "")
    assert f"Khớp chính xác: {n} (đầy đủ, không giới hạn)" in text


def test_pages_are_numbered(rendered: Rendered) -> None:
    _, pdf = rendered(500)
    pages = pdftotext(pdf).split("\f")
    pages = [p for p in pages if p.strip()]
    total = len(pages)
    assert total > 100  # 500 matches paginate
    for i, page in enumerate(pages, start=1):
        assert f"Trang {i}/{total} (Page {i} of {total})" in _flat(page)


def test_close_matches_with_reasons_and_left_out(rendered: Rendered) -> None:
    snapshot, pdf = rendered(3, 4, 7)
    text = _flat(pdftotext(pdf))
    for match in snapshot.close:
        assert match.registration.registration_number in text
    for code in ("diacritics_differ", "missing_token"):
        assert reason(code).vi in text
        assert reason(code).en in text
    assert label("text", "left_out").format(left=7).vi in text
    assert "Khớp gần đúng: 11 (liệt kê 4, lược bớt 7)" in text


def test_free_certificate_states_its_ground() -> None:
    text = _flat(pdftotext(render_pdf(make_snapshot(1, free=True))))
    assert "Miễn phí (Free of charge)" in text
    assert "Điều 59 khoản 2 Nghị định 102/2017/NĐ-CP" in text


def test_fee_is_printed() -> None:
    text = _flat(pdftotext(render_pdf(make_snapshot(1))))
    assert "30.000 đồng (VND 30,000)" in text


def test_no_matches() -> None:
    text = _flat(pdftotext(render_pdf(make_snapshot(0))))
    assert label("text", "none_exact").vi in text
    assert label("text", "none_close").vi in text


def test_registered_text_is_printed_literally() -> None:
    raw = snapshot_dict(1)
    raw["exact"][0]["registration"]["grantors"][0]["name"] = 'Công ty <b>A&B</b> "Hoà" \x07'
    raw["criterion"]["value_as_entered"] = "<font size=40>x</font>"
    pdf = render_pdf(CertificateSnapshot.model_validate(raw))
    text = _flat(pdftotext(pdf))
    assert 'Công ty <b>A&B</b> "Hoà"' in text
    assert "<font size=40>x</font>" in text


def test_deleted_registrations_are_marked() -> None:
    snapshot = make_snapshot(8, include_deleted=True)
    text = _flat(pdftotext(render_pdf(snapshot)))
    assert "ĐÃ XÓA ĐĂNG KÝ (DELETED)" in text
    assert "Bao gồm cả các đăng ký đã xóa" in text


def test_same_snapshot_same_bytes(rendered: Rendered) -> None:
    for n in (1, 20):
        snapshot, pdf = rendered(n)
        again = CertificateSnapshot.model_validate_json(snapshot.model_dump_json())
        assert render_pdf(again) == pdf


def test_creation_date_comes_from_the_snapshot(rendered: Rendered) -> None:
    _, pdf = rendered(1)
    assert b"D:20260305094105+07'00'" in pdf


def test_verification_link_and_metadata(rendered: Rendered) -> None:
    snapshot, pdf = rendered(1)
    sha = content_hash(snapshot)
    url = verification_url(snapshot.number, sha, "https://tracuu.example.vn/")
    assert url == f"https://tracuu.example.vn/verify/{snapshot.number}?sha256={sha}"
    custom = render_pdf(snapshot, verify_base_url="https://tracuu.example.vn")
    assert custom != pdf
    flat = re.sub(r"\s+", "", pdftotext(custom))
    assert url in flat


def test_missing_font_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FontError) as err:
        render_pdf(make_snapshot(1), font_regular=tmp_path / "none.ttf")
    assert "fonts-dejavu-core" in err.value.vi and "fonts-dejavu-core" in err.value.en


def test_font_without_vietnamese_is_refused() -> None:
    vera = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
    with pytest.raises(FontError) as err:
        render_pdf(make_snapshot(1), font_regular=vera)
    assert "ơ" in err.value.vi


def test_huge_values_flow_over_pages() -> None:
    raw = snapshot_dict(1)
    reg = raw["exact"][0]["registration"]
    reg["grantors"][0]["name"] = "NGUYỄN" * 80  # no space to break at
    reg["assets"] = [dict(reg["assets"][0], chassis_number="X" * 150) for _ in range(120)]
    reg["events"] = [{"type": "correction", "at": "2024-06-01T14:02:00+07:00"}] * 60
    raw["requester"]["display_name"] = "Ngân hàng " * 1500  # taller than a page
    text = _flat(pdftotext(render_pdf(CertificateSnapshot.model_validate(raw))))
    assert "NGUYỄN" * 5 in text.replace(" ", "")
    assert "X" * 150 in text.replace(" ", "")
    assert "Sửa chữa sai sót (Correction)" in text


def test_same_bytes_in_a_fresh_process(rendered: Rendered, repo_root: Path) -> None:
    """No state of a long-running process (fonts, counters) leaks into the bytes."""
    _, pdf = rendered(20)
    code = (
        "import sys; from certify.render import render_pdf; "
        "from tests.certify.factories import make_snapshot; "
        "sys.stdout.buffer.write(render_pdf(make_snapshot(20)))"
    )
    fresh = subprocess.run(
        [sys.executable, "-c", code], cwd=repo_root, capture_output=True, check=True
    ).stdout
    assert fresh == pdf
