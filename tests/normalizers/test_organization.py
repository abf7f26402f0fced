"""Organisation names: legal form, branch marker, core, abbreviations."""

from __future__ import annotations

import pytest

from normalizers.organization import legal_forms_compatible, parse_organization


@pytest.mark.parametrize(("name", "form", "branch", "core"), [
    ("Công ty TNHH Thương mại Đông Á", "TNHH", False, "thuong mai dong a"),
    ("CÔNG TY TRÁCH NHIỆM HỮU HẠN THƯƠNG MẠI ĐÔNG Á", "TNHH", False, "thuong mai dong a"),
    ("Cty TNHH Thuong mai Dong A", "TNHH", False, "thuong mai dong a"),
    ("ABC Co., Ltd", "TNHH", False, "abc"),
    ("ABC Company Limited", "TNHH", False, "abc"),
    ("Công ty Cổ phần Xây dựng Hòa Bình", "CP", False, "xay dung hoa binh"),
    ("CTCP Xây dựng Hoà Bình", "CP", False, "xay dung hoa binh"),
    ("Hòa Bình JSC", "CP", False, "hoa binh"),
    ("Công ty TNHH MTV Cơ khí Sài Gòn", "TNHH_MTV", False, "co khi sai gon"),
    ("Công ty TNHH một thành viên Cơ khí Sài Gòn", "TNHH_MTV", False, "co khi sai gon"),
    ("Doanh nghiệp tư nhân Minh Phát", "DNTN", False, "minh phat"),
    ("HTX Nông nghiệp Tân Phú", "HTX", False, "nong nghiep tan phu"),
    ("Ngân hàng TMCP Ngoại thương Việt Nam", "NH_TMCP", False, "ngoai thuong viet nam"),
    ("Ngân hàng thương mại cổ phần Ngoại thương Việt Nam", "NH_TMCP", False,
     "ngoai thuong viet nam"),
    ("Chi nhánh Công ty TNHH Thương mại Đông Á tại Hà Nội", "TNHH", True,
     "thuong mai dong a tai ha noi"),
    ("Công ty ABC", "CTY", False, "abc"),
    ("Thương mại Đông Á", None, False, "thuong mai dong a"),
    ("Nguyễn Văn Tú", None, False, "nguyen van tu"),
])
def test_parse(name: str, form: str | None, branch: bool, core: str) -> None:
    parsed = parse_organization(name)
    assert parsed.legal_form == form
    assert parsed.branch is branch
    assert " ".join(parsed.core_folded) == core


def test_expanded_core_writes_out_abbreviations_and_drops_connectors() -> None:
    parsed = parse_organization("Công ty TNHH TM & DV Ánh Dương")
    assert " ".join(parsed.expanded_folded) == "thuong mai dich vu anh duong"
    assert parsed.abbreviated
    full = parse_organization("Công ty TNHH Thương mại và Dịch vụ Ánh Dương")
    assert full.expanded_folded == parsed.expanded_folded
    assert parse_organization("Công ty TNHH ĐT PT Nam").expanded_folded == (
        "dau", "tu", "phat", "trien", "nam")
    assert not parse_organization("Công ty TNHH Ánh Dương").abbreviated


def test_a_core_of_connectors_only_keeps_them() -> None:
    """Found by the key-coverage property test: "Công ty TNHH và &" and "Công ty TNHH và
    và" both expanded to nothing, so they were close with no candidate key in common."""
    from normalizers.keys import name_index_keys, name_query_keys
    from query.classify import classify

    assert parse_organization("Công ty TNHH và &").expanded_folded == ("va",)
    assert parse_organization("Công ty TNHH và và").expanded_folded == ("va", "va")
    verdict = classify("debtor_name", "Công ty TNHH và &", "Công ty TNHH và và",
                       "organization")
    if verdict.tier is not None:
        index = name_index_keys("Công ty TNHH và &")
        asked = name_query_keys("Công ty TNHH và và", "organization")
        assert index.exact & asked.exact or index.close & asked.close


def test_legal_forms_compatible() -> None:
    assert legal_forms_compatible("TNHH", "TNHH")
    assert legal_forms_compatible("TNHH", "CTY")
    assert legal_forms_compatible("NH_TMCP", "NH")
    assert not legal_forms_compatible("CTY", "TNHH")
    assert not legal_forms_compatible("HTX", "CTY")
    assert not legal_forms_compatible("TNHH", "CP")
