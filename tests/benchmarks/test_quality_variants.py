"""Query variants: each variant has the property its class claims, under the contract."""

from __future__ import annotations

import random
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.quality.variants import (
    CLOSE,
    EXACT,
    NONE,
    Variant,
    canonical,
    id_form,
    id_reachable,
    n2,
    name_exact,
    name_reachable,
    organisation_exact,
    organisation_reachable,
    osa,
    serial_form,
    serial_reachable,
    split_organisation,
    variants_for,
    within_one_edit,
    words,
)
from registry.synthetic.generator import iter_registrations
from registry.synthetic.ids import Numbering
from registry.synthetic.names import tables
from registry.synthetic.organizations import make_organization
from registry.synthetic.vietnamese import HONORIFICS, fold, split_tone

# Worked examples from the matching contract: (registered, query, tier).
PERSON_CASES = [
    ("Nguyễn Văn Tú", "NGUYEN VAN TU", EXACT), ("Nguyễn Văn Tư", "NGUYEN VAN TU", EXACT),
    ("Nguyễn Văn Tú", "Nguyễn Van Tú", EXACT), ("Nguyễn Văn Tú", "Ông Nguyễn Văn Tú", EXACT),
    ("Ông Ích Khiêm", "Ông Ích Khiêm", EXACT), ("Lê Thị Hoà", "Lê Thị Hòa", EXACT),
    ("Trần Thị Thuỷ", "TRẦN THỊ THỦY", EXACT), ("Đặng Văn Đức", "Dang Van Duc", EXACT),
    ("Nguyễn Văn Tư", "Nguyễn Văn Tú", CLOSE), ("Nguyễn Văn Tú", "Văn Tú Nguyễn", CLOSE),
    ("Nguyễn Văn Tú", "Nguyễn Tú", CLOSE), ("Nguyễn Tú", "Nguyễn Văn Tú", CLOSE),
    ("Trần Quốc Hoàng", "Tran Quoc Hoagn", CLOSE), ("Lý Văn Hùng", "Lí Văn Hùng", CLOSE),
    ("Hoàng Ngọc Anh", "Hoàng Ngocanh", CLOSE),
    ("Nguyễn Văn Tú", "Trần Văn Tú", NONE), ("Nguyễn Văn Tú", "Nguyễn Văn Hùng", NONE),
    ("Trần Quốc Hoàng", "Trần Quốc Hoà", NONE), ("Nguyễn Văn Tú", "Nguyễn", NONE),
]


@pytest.mark.parametrize(("registered", "query", "tier"), PERSON_CASES)
def test_name_predicates_agree_with_the_contract(registered: str, query: str, tier: str) -> None:
    assert name_exact(registered, query) == (tier == EXACT)
    if tier == CLOSE:
        assert name_reachable(registered, query)
    if tier == NONE:  # reachable is generous, but not for these
        assert not name_reachable(registered, query)


@pytest.mark.parametrize(("registered", "query", "tier"), [
    ("Công ty TNHH Thương mại Đông Á", "Cty TNHH Thuong mai Dong A", EXACT),
    ("Công ty TNHH Thương mại Đông Á", "Thương mại Đông Á", EXACT),
    ("Công ty Cổ phần Xây dựng Hòa Bình", "CTCP Xây dựng Hoà Bình", EXACT),
    ("Công ty TNHH MTV Cơ khí Sài Gòn", "Công ty TNHH một thành viên Cơ khí Sài Gòn", EXACT),
    ("Công ty TNHH Thương mại Đông Á", "Công ty Cổ phần Thương mại Đông Á", CLOSE),
    ("Công ty TNHH Thương mại và Dịch vụ Ánh Dương", "Công ty TNHH TM & DV Ánh Dương", CLOSE),
    ("Công ty TNHH Thương mại Đông Á", "Công ty TNHH Thương mại Tây Á", NONE),
    ("Công ty TNHH Thương mại Đông Á", "Công ty TNHH Đông Á", NONE),
])
def test_organisation_predicates_agree_with_the_contract(registered: str, query: str,
                                                         tier: str) -> None:
    assert organisation_exact(registered, query) == (tier == EXACT)
    assert organisation_reachable(registered, query) == (tier != NONE)


def test_number_predicates_agree_with_the_contract() -> None:
    assert id_reachable("012345678", "12345678")
    assert id_reachable("001190012345", "001190013245")
    assert not id_reachable("012345678", "001090012345")
    assert serial_form("RL4B29F3K5O12345") == serial_form("RL4B29F3K5012345")
    assert serial_reachable("RLHJC5218HY012345", "HY012345")
    assert not serial_reachable("RLHJC5218HY012345", "Y012345")
    assert not serial_reachable("RLHJC5218HY012345", "RLHJC5218HY099999")


@settings(max_examples=300, deadline=None)
@given(st.text("abcyi", max_size=6), st.text("abcyi", max_size=6))
def test_linear_one_edit_check_matches_osa(a: str, b: str) -> None:
    assert within_one_edit(a, b) == (osa(a, b) <= 1)


# --- person names ---------------------------------------------------------------------

def _differing(a: list[str], b: list[str]) -> list[tuple[str, str]]:
    return [(x, y) for x, y in zip(a, b, strict=True) if x != y]


def check_person_variant(registered: str, v: Variant) -> None:
    reg, q = words(registered), words(v.query)
    r2, q2 = [n2(w) for w in reg], [n2(w) for w in q]
    cls = v.variant_class
    assert v.expected_tier == (EXACT if name_exact(registered, v.query) else v.expected_tier)
    if v.expected_tier == EXACT:
        assert name_exact(registered, v.query)
    elif v.expected_tier == CLOSE:
        assert not name_exact(registered, v.query)
    else:
        assert not name_reachable(registered, v.query)
    if cls == "case":
        assert v.query.casefold() == " ".join(reg).casefold() and v.query != registered
    elif cls == "diacritics_dropped":
        assert v.query.isascii() and q2 == r2
    elif cls == "nfd":
        assert unicodedata.normalize("NFC", v.query) == " ".join(reg) and v.query != registered
    elif cls == "honorific":
        assert n2(q[0]) in HONORIFICS and q[1:] == reg
    elif cls == "tone_placement":
        assert [canonical(w) for w in q] == [canonical(w) for w in reg] and q != reg
    elif cls == "diacritics_partial":
        assert all(a == b or (b.isascii() and n2(a) == n2(b)) for a, b in zip(reg, q, strict=True))
    elif cls == "diacritics_differ":
        (a, b), = _differing(reg, q)
        assert n2(a) == n2(b) and split_tone(a)[0] == split_tone(b)[0]
        assert split_tone(b)[1] and split_tone(a)[1] != split_tone(b)[1]
    elif cls == "token_order":
        assert sorted(q2) == sorted(r2) and q2 != r2
    elif cls == "token_order+diacritics_differ":
        assert sorted(q2) == sorted(r2) and q2 != r2 and sorted(q) != sorted(reg)
    elif cls == "missing_token":
        assert any(q == reg[:k] + reg[k + 1:] for k in range(1, len(reg) - 1))
    elif cls == "extra_token":
        assert any(reg == q[:k] + q[k + 1:] for k in range(1, len(q) - 1))
    elif cls.startswith("edit_distance"):
        (a, b), = _differing(r2, q2)
        assert osa(a, b) == 1 and len(a) >= 4 and len(b) >= 4
    elif cls == "y_i_variant":
        (a, b), = _differing(r2, q2)
        assert {a[-1], b[-1]} == {"y", "i"} and a[:-1] == b[:-1]
    elif cls == "joined_syllables":
        assert q2 == [*r2[:-2], r2[-2] + r2[-1]]
    elif cls in ("different_given_name", "different_surname", "two_edits"):
        (a, b), = _differing(r2, q2)
        assert osa(a, b) >= 2
        if cls == "two_edits":
            assert osa(a, b) == 2


@settings(max_examples=120, deadline=None)
@given(st.integers(0, 2**32), st.booleans(), st.sampled_from(["as is", "upper", "nfd"]))
def test_person_variants_have_their_claimed_properties(seed: int, female: bool,
                                                       form: str) -> None:
    rng = random.Random(seed)
    name = tables().full_name(rng, female)
    registered = {"as is": name, "upper": name.upper(),
                  "nfd": unicodedata.normalize("NFD", name)}[form]
    variants = variants_for("debtor_name", registered, "individual", rng)
    classes = {v.variant_class for v in variants}
    assert {"case", "diacritics_dropped", "honorific", "extra_token"} <= classes
    assert {v.expected_tier for v in variants} == {EXACT, CLOSE, NONE}
    for v in variants:
        check_person_variant(unicodedata.normalize("NFC", registered), v)


def test_dropping_all_diacritics_is_exact_but_changing_one_is_close() -> None:
    variants = variants_for("debtor_name", "Nguyễn Văn Tú", "individual", random.Random(1))
    tiers = {v.variant_class: v.expected_tier for v in variants}
    assert tiers["diacritics_dropped"] == EXACT and tiers["diacritics_differ"] == CLOSE


def test_y_i_only_where_y_or_i_is_the_whole_vowel() -> None:
    for seed in range(30):
        for v in variants_for("debtor_name", "Nguyễn Huy Mỹ", "individual", random.Random(seed)):
            if v.variant_class == "y_i_variant":
                assert v.query == "Nguyễn Huy Mĩ"  # never "Hui"


def test_legacy_registered_names_are_varied_from_their_unicode_reading() -> None:
    variants = variants_for("debtor_name", "Nguyeãn Vaên Tuù", "individual", random.Random(2))
    case = next(v for v in variants if v.variant_class == "case")
    assert case.query == "NGUYỄN VĂN TÚ" and case.expected_tier == EXACT


# --- organisations ----------------------------------------------------------------------

@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32))
def test_organisation_variants_have_their_claimed_properties(seed: int) -> None:
    rng = random.Random(seed)
    org = make_organization(rng, Numbering(seed), serial=seed % 10**6)
    family, core = split_organisation(org.name) or ("", "")
    assert family, org.name
    for v in variants_for("debtor_name", org.name, "organization", rng):
        exact = organisation_exact(org.name, v.query)
        assert exact == (v.expected_tier == EXACT), v
        if v.expected_tier == NONE:
            assert not organisation_reachable(org.name, v.query), v
        if v.variant_class == "legal_form_ignored":
            assert v.query == core
        if v.variant_class in ("legal_form_respelled", "legal_form_differs"):
            other = split_organisation(v.query)
            assert other is not None and other[1] == core
            assert (other[0] == family) == (v.variant_class == "legal_form_respelled")
        if v.variant_class == "abbreviation":
            assert any(code in words(v.query) for code in ("TM", "DV", "XD", "SX", "XNK", "ĐT",
                                                            "PT"))
        if v.variant_class == "diacritics_dropped":
            assert v.query == fold(org.name)


# --- numbers -----------------------------------------------------------------------------

def _numbers(count: int) -> tuple[list[str], list[tuple[str, str]]]:
    ids, serials = [], []
    for r in iter_registrations(count, seed=21):
        ids += [p["id_number"] for p in r["grantors"]]
        for a in r["assets"]:
            serials += [(f, a[f]) for f in ("chassis_number", "engine_number", "plate_number")
                        if f in a]
    return ids, serials


IDS, SERIALS = _numbers(300)


@pytest.mark.parametrize("seed", range(3))
def test_id_variants_have_their_claimed_properties(seed: int) -> None:
    rng = random.Random(seed)
    for registered in IDS:
        form = id_form(registered)
        for v in variants_for("id_number", registered, None, rng):
            q = id_form(v.query)
            if v.expected_tier == EXACT:
                assert q == form or (v.variant_class == "branch_of" and q == form[:10])
            elif v.expected_tier == CLOSE:
                assert q != form and len(form) >= 8
                if v.variant_class == "leading_zeros":
                    assert q == form.lstrip("0") and len(q) >= 8
                else:
                    assert osa(q, form) == 1
            else:
                assert not id_reachable(registered, v.query)
                if v.variant_class in ("cmnd_vs_cccd", "cccd_vs_cmnd"):
                    assert {len(q), len(form)} == {9, 12}


@pytest.mark.parametrize("seed", range(3))
def test_serial_variants_have_their_claimed_properties(seed: int) -> None:
    rng = random.Random(seed)
    for criterion, registered in SERIALS:
        serial = serial_form(registered)
        for v in variants_for(criterion, registered, None, rng):
            q = serial_form(v.query)
            if v.expected_tier == EXACT:
                assert q == serial
            elif v.variant_class == "suffix_match":
                assert serial.endswith(q) and 8 <= len(q) < len(serial)
            elif v.expected_tier == CLOSE:
                assert osa(q, serial) == 1 and len(q) >= 6
            else:
                assert not serial_reachable(registered, v.query)
                assert osa(q, serial) >= 2
                if v.variant_class == "short_tail":
                    assert len(q) < 8 and serial.endswith(q)


def test_registration_numbers_have_no_close_tier() -> None:
    variants = variants_for("registration_number", "2024-0000123456", None, random.Random(0))
    assert (variants[0].query, variants[0].expected_tier) == ("20240000123456", EXACT)
    assert all(v.expected_tier in (EXACT, NONE) for v in variants)


def test_unknown_criterion_is_refused() -> None:
    with pytest.raises(ValueError):
        variants_for("address", "x", None, random.Random(0))
