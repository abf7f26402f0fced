"""Organisations: businesses that grant security, and the secured parties who take it.

Grantor names follow how Vietnamese enterprise names are built (legal form + core name; the
core is trade words and a distinctive part), written in the spellings seen on forms
("Công ty TNHH …", "CÔNG TY TNHH MTV …", "Cty CP …", "DNTN …", "HTX …", branches
"Chi nhánh Công ty … tại Hà Nội"). Bank tax codes are the banks' public codes where listed
here (each passes the check digit); other secured parties get valid synthetic codes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from registry.synthetic import ids, places
from registry.synthetic.sampling import Weighted, between, choice, digits

# Legal form -> spellings as declared, with weights.
LEGAL_FORMS: Final = {
    "tnhh": Weighted((("Công ty TNHH", 60), ("Công ty trách nhiệm hữu hạn", 8),
                      ("Cty TNHH", 5), ("CÔNG TY TNHH", 20), ("Công ty Trách nhiệm hữu hạn", 3))),
    "tnhh_mtv": Weighted((("Công ty TNHH MTV", 40), ("Công ty TNHH một thành viên", 25),
                          ("CÔNG TY TNHH MTV", 20), ("Công ty TNHH Một thành viên", 10),
                          ("Công ty trách nhiệm hữu hạn một thành viên", 5))),
    "cp": Weighted((("Công ty Cổ phần", 40), ("Công ty cổ phần", 20), ("CÔNG TY CỔ PHẦN", 20),
                    ("Công ty CP", 10), ("Cty CP", 5), ("CTCP", 5))),
    "dntn": Weighted((("Doanh nghiệp tư nhân", 60), ("DNTN", 30), ("DOANH NGHIỆP TƯ NHÂN", 10))),
    "htx": Weighted((("Hợp tác xã", 70), ("HTX", 20), ("HỢP TÁC XÃ", 10))),
}
LEGAL_FORM_SHARES: Final = Weighted((("tnhh", 38), ("tnhh_mtv", 21), ("cp", 30), ("dntn", 7),
                                     ("htx", 4)))
BRANCH_SHARE: Final = 0.04  # of organisation grantors, a branch of a company

# Trade words and their abbreviations (the abbreviation is sometimes declared).
TRADES: Final = Weighted((
    ("Thương mại", 30), ("Dịch vụ", 22), ("Xây dựng", 14), ("Sản xuất", 10),
    ("Xuất nhập khẩu", 7), ("Đầu tư", 10), ("Phát triển", 5), ("Vận tải", 8), ("Cơ khí", 4),
    ("Kỹ thuật", 4), ("Công nghệ", 5), ("Thiết bị", 3), ("Vật liệu xây dựng", 2),
    ("Logistics", 2), ("Du lịch", 2), ("Thực phẩm", 2), ("Nội thất", 2), ("Điện tử", 1),
    ("Bất động sản", 2), ("Tư vấn", 2), ("Môi trường", 1), ("Năng lượng", 1), ("Dược phẩm", 1),
))
ABBREVIATIONS: Final = {
    "Thương mại": "TM", "Dịch vụ": "DV", "Xây dựng": "XD", "Sản xuất": "SX",
    "Xuất nhập khẩu": "XNK", "Đầu tư": "ĐT", "Phát triển": "PT",
}
BRANDS: Final = (
    "Hoàng Long", "Minh Phát", "Thành Đạt", "Ánh Dương", "Đông Á", "Phú Thịnh", "An Khang",
    "Việt Hưng", "Hưng Thịnh", "Tân Phát", "Phúc Lộc", "Thịnh Vượng", "Hải Long", "Sao Mai",
    "Nam Việt", "Bắc Hà", "Trường Sơn", "Hồng Hà", "Thiên Long", "Kim Long", "Đại Phát",
    "Quang Minh", "Tân Tiến", "Thăng Long", "Sông Hồng", "Phương Đông", "Toàn Cầu", "Vạn Xuân",
    "Hưng Phát", "Tiến Đạt", "Minh Anh", "Hoàng Gia", "Bảo Châu", "Đức Thành", "An Phát",
    "Hợp Nhất", "Nhật Minh", "Kim Ngân", "Tín Nghĩa", "Thuận Thành", "Vĩnh Phát", "Đồng Tâm",
    "Trung Kiên", "Phú Gia", "Lộc Phát", "Hùng Cường", "Tuấn Anh", "Hải Yến", "Sài Gòn",
    "Hà Nội", "Miền Trung", "Tây Nguyên", "Cửu Long", "Mê Kông", "Việt Nhật", "Việt Hàn",
    "Việt Úc", "Á Châu", "Đại Dương", "Bình Minh", "Thái Bình Dương", "Hòa Bình", "Tân Phú",
    "Phú Cường", "Hoàng Phát", "Gia Bảo", "Thiên An", "ABC", "VNT", "TDC", "HTC", "PMC",
    "Sunrise", "Golden Star", "Green Life", "Sao Việt", "Tân Á", "Hoàn Cầu", "Quốc Thái",
)
_FOREIGN: Final = ("Sejin", "Hanil", "Dae Young", "Kum Kang", "Tokyo Seiki", "Shin Heung",
                   "Fuji Mold", "Taisei", "Chang Shin", "Dong Yang", "Nam Yang", "Sun Tech")
_HTX_CORES: Final = ("Nông nghiệp", "Dịch vụ Nông nghiệp", "Vận tải", "Thủy sản",
                     "Xây dựng", "Môi trường", "Dịch vụ Thương mại")


@dataclass(frozen=True, slots=True)
class Organization:
    name: str
    legal_form: str
    core: str
    tax_code: str
    address: str

    def identity(self, rng: random.Random) -> tuple[str, str]:
        """Declared as a tax code, or (12 %) as the enterprise registration number, which
        since 2010 is the same number (mã số doanh nghiệp = mã số thuế)."""
        return ("business_reg" if rng.random() < 0.12 else "tax_code"), self.tax_code


def _core(rng: random.Random, legal_form: str) -> str:
    if legal_form == "htx":
        return f"{choice(rng, _HTX_CORES)} {choice(rng, BRANDS)}"
    brand = choice(rng, BRANDS)
    roll = rng.random()
    if roll < 0.04:
        return f"{choice(rng, _FOREIGN)} {choice(rng, ('Vina', 'Việt Nam'))}"
    if legal_form == "dntn" and roll < 0.5:
        return brand
    first, second = TRADES.pick(rng), TRADES.pick(rng)
    if roll < 0.45 or first == second:
        return f"{first} {brand}"
    if roll < 0.63:
        return f"{first} và {second} {brand}"
    if roll < 0.70:
        return f"{first} & {second} {brand}"
    if roll < 0.82:
        return f"{first} {second} {brand}"
    if roll < 0.88:
        third = TRADES.pick(rng)
        if third in (first, second):
            return f"{first} {second} {brand}"
        return f"{first} {second} và {third} {brand}"
    if roll < 0.93:  # abbreviated trade words, declared that way
        return f"{ABBREVIATIONS.get(first, first)} {ABBREVIATIONS.get(second, second)} {brand}"
    return brand


def make_organization(rng: random.Random, numbering: ids.Numbering, serial: int) -> Organization:
    """Organisation ``serial`` of the data set (its tax code is unique to it)."""
    province = places.BY_ACTIVITY.pick(rng)
    legal_form = LEGAL_FORM_SHARES.pick(rng)
    spelling = LEGAL_FORMS[legal_form].pick(rng)
    core = _core(rng, legal_form)
    if spelling.isupper():
        core = core.upper()
    tax = numbering.tax_code(province.tax, serial, reserved=lender_tax_codes())
    return Organization(
        name=f"{spelling} {core}",
        legal_form=legal_form,
        core=core,
        tax_code=tax,
        address=places.address(province, rng),
    )


def branch_of(parent: Organization, number: int, rng: random.Random) -> Organization:
    """Branch ``number`` (its tax-code suffix) of ``parent``: "Chi nhánh <parent> tại
    <province>" or "<parent> - Chi nhánh <province>"; ``rng`` must be the branch's own."""
    province = places.BY_ACTIVITY.pick(rng)
    if rng.random() < 0.7:
        name = f"Chi nhánh {parent.name} tại {province.name}"
    else:
        name = f"{parent.name} - Chi nhánh {province.name}"
    if parent.name.isupper():
        name = name.upper()
    tax = ids.branch_tax_code(parent.tax_code, number)
    return Organization(name, parent.legal_form, parent.core, tax, places.address(province, rng))


# --- secured parties ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lender:
    short: str
    names: tuple[str, ...]  # official name; a later name first when it was renamed
    tax_code: str | None  # None: a synthetic valid code is used
    weight: float
    renamed_in: int | None = None  # year the first name took over from the second


BANKS: Final = (
    Lender("Vietcombank", ("Ngân hàng TMCP Ngoại thương Việt Nam",), "0100112437", 9),
    Lender("BIDV", ("Ngân hàng TMCP Đầu tư và Phát triển Việt Nam",), "0100150619", 9),
    Lender("VietinBank", ("Ngân hàng TMCP Công Thương Việt Nam",), "0100111948", 8),
    Lender("Agribank", ("Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam",),
           "0100686174", 8),
    Lender("Techcombank", ("Ngân hàng TMCP Kỹ Thương Việt Nam",), "0100230800", 9),
    Lender("VPBank", ("Ngân hàng TMCP Việt Nam Thịnh Vượng",), "0100233583", 10),
    Lender("MB", ("Ngân hàng TMCP Quân đội",), "0100283873", 6),
    Lender("ACB", ("Ngân hàng TMCP Á Châu",), "0301452948", 5),
    Lender("Sacombank", ("Ngân hàng TMCP Sài Gòn Thương Tín",), "0301103908", 5),
    Lender("SHB", ("Ngân hàng TMCP Sài Gòn - Hà Nội",), "1800278630", 3),
    Lender("HDBank", ("Ngân hàng TMCP Phát triển Thành phố Hồ Chí Minh",), "0300608092", 3),
    Lender("TPBank", ("Ngân hàng TMCP Tiên Phong",), "0102744865", 5),
    Lender("VIB", ("Ngân hàng TMCP Quốc tế Việt Nam",), "0100233488", 5),
    Lender("MSB", ("Ngân hàng TMCP Hàng Hải Việt Nam",), "0200124891", 2),
    Lender("SeABank", ("Ngân hàng TMCP Đông Nam Á",), "0200253985", 2),
    Lender("OCB", ("Ngân hàng TMCP Phương Đông",), "0300852005", 2),
    Lender("LPBank", ("Ngân hàng TMCP Lộc Phát Việt Nam", "Ngân hàng TMCP Bưu điện Liên Việt"),
           "6300048638", 2, renamed_in=2024),
    Lender("Eximbank", ("Ngân hàng TMCP Xuất Nhập khẩu Việt Nam",), "0301179079", 1.5),
    Lender("Nam A Bank", ("Ngân hàng TMCP Nam Á",), "0300872315", 1),
    Lender("Bac A Bank", ("Ngân hàng TMCP Bắc Á",), "2900325526", 1),
    Lender("ABBANK", ("Ngân hàng TMCP An Bình",), "0301412222", 1),
    Lender("Kienlongbank", ("Ngân hàng TMCP Kiên Long",), "1700197787", 1),
    Lender("PVcomBank", ("Ngân hàng TMCP Đại Chúng Việt Nam",), "0101057919", 0.8),
    Lender("Saigonbank", ("Ngân hàng TMCP Sài Gòn Công Thương",), "0300610408", 0.5),
    Lender("SCB", ("Ngân hàng TMCP Sài Gòn",), "0311449990", 0.8),
    Lender("NCB", ("Ngân hàng TMCP Quốc Dân",), "1700169765", 0.5),
    Lender("HSBC", ("Ngân hàng TNHH Một thành viên HSBC (Việt Nam)",), "0300808687", 0.8),
    Lender("Standard Chartered",
           ("Ngân hàng TNHH Một thành viên Standard Chartered (Việt Nam)",), "0102683813", 0.4),
    Lender("Shinhan", ("Ngân hàng TNHH Một thành viên Shinhan Việt Nam",), None, 2),
    Lender("Woori", ("Ngân hàng TNHH Một thành viên Woori Việt Nam",), None, 1),
)
FINANCE_COMPANIES: Final = (
    Lender("FE Credit", ("Công ty Tài chính TNHH Ngân hàng Việt Nam Thịnh Vượng SMBC",),
           "0102180545", 6),
    Lender("Home Credit", ("Công ty Tài chính TNHH MTV Home Credit Việt Nam",), "0304990133", 4),
    Lender("HD Saison", ("Công ty Tài chính TNHH HD SAISON",), None, 4),
    Lender("Mcredit", ("Công ty Tài chính TNHH MB SHINSEI",), None, 2),
    Lender("Toyota Finance", ("Công ty Tài chính Toyota Việt Nam",), None, 3),
    Lender("Shinhan Finance", ("Công ty Tài chính TNHH MTV Shinhan Việt Nam",), None, 2),
    Lender("Mirae Asset", ("Công ty Tài chính TNHH MTV Mirae Asset (Việt Nam)",), None, 1),
    Lender("Lotte Finance", ("Công ty Tài chính TNHH MTV Lotte Việt Nam",), None, 1),
)
LEASING_COMPANIES: Final = (
    Lender("VietinBank Leasing",
           ("Công ty Cho thuê tài chính TNHH MTV Ngân hàng TMCP Công Thương Việt Nam",), None, 4),
    Lender("BSL", ("Công ty TNHH Cho thuê tài chính BIDV - SuMi TRUST",), None, 4),
    Lender("Chailease", ("Công ty Cho thuê tài chính TNHH MTV Quốc tế Chailease",), None, 5),
    Lender("Sacombank Leasing",
           ("Công ty TNHH MTV Cho thuê tài chính Ngân hàng Sài Gòn Thương Tín",), None, 2),
    Lender("VCB Leasing",
           ("Công ty Cho thuê tài chính TNHH MTV Ngân hàng TMCP Ngoại thương Việt Nam",), None, 2),
    Lender("ALC II", ("Công ty Cho thuê tài chính TNHH MTV Ngân hàng Nông nghiệp và Phát "
                      "triển Nông thôn Việt Nam",), None, 2),
    Lender("VILC", ("Công ty TNHH Cho thuê tài chính Quốc tế Việt Nam",), None, 1),
)
_BRANCH_NAMES: Final = (
    "Hà Nội", "Thăng Long", "Đông Đô", "Hoàn Kiếm", "Ba Đình", "Thành Công", "Long Biên",
    "Hà Thành", "Sở giao dịch", "Sài Gòn", "Hồ Chí Minh", "Bến Thành", "Chợ Lớn", "Tân Bình",
    "Gia Định", "Thủ Đức", "Bình Dương", "Đồng Nai", "Biên Hòa", "Đà Nẵng", "Hải Phòng",
    "Cần Thơ", "Quảng Ninh", "Bắc Ninh", "Nghệ An", "Thanh Hóa", "Khánh Hòa", "Vũng Tàu",
    "Đắk Lắk", "Long An", "An Giang", "Hải Dương", "Thái Nguyên", "Vĩnh Phúc", "Lâm Đồng",
)


@dataclass(frozen=True, slots=True)
class SecuredParty:
    name: str
    id_type: str
    id_number: str


class LenderBook:
    """Lenders with fixed tax codes and branch lists (facts of the world, not of the seed)."""

    def __init__(self, lenders: tuple[Lender, ...], salt: int) -> None:
        rng = random.Random(salt)  # fixed: a bank's codes do not change with the data seed
        self._table = Weighted((lender, lender.weight) for lender in lenders)
        self._codes = {lender.short: lender.tax_code or ids.random_tax_code(rng, "01")
                       for lender in lenders}
        self._branches = {lender.short: rng.sample(_BRANCH_NAMES, 12) for lender in lenders}

    def pick(self, rng: random.Random, when: datetime, branch_share: float) -> SecuredParty:
        lender = self._table.pick(rng)
        name = lender.names[0]
        if lender.renamed_in is not None and when.year < lender.renamed_in:
            name = lender.names[1]
        code = self._codes[lender.short]
        if rng.random() < branch_share:
            index = between(rng, 0, 12)
            name = f"{name} - Chi nhánh {self._branches[lender.short][index]}"
            code = ids.branch_tax_code(code, index + 1)
        if name.startswith("Ngân hàng TMCP") and rng.random() < 0.15:
            name = "Ngân hàng Thương mại Cổ phần" + name.removeprefix("Ngân hàng TMCP")
        if rng.random() < 0.1:
            name = name.upper()
        return SecuredParty(name, "tax_code", code)


    @property
    def tax_codes(self) -> frozenset[str]:
        return frozenset(self._codes.values())


BANK_BOOK: Final = LenderBook(BANKS, salt=1)
FINANCE_BOOK: Final = LenderBook(FINANCE_COMPANIES, salt=2)
LEASING_BOOK: Final = LenderBook(LEASING_COMPANIES, salt=3)


def lender_tax_codes() -> frozenset[str]:
    """Codes of the lenders above: never given to a grantor."""
    return _LENDER_CODES


_LENDER_CODES: Final = BANK_BOOK.tax_codes | FINANCE_BOOK.tax_codes | LEASING_BOOK.tax_codes

def enforcement_office(rng: random.Random, when: datetime) -> SecuredParty:
    """The civil judgment enforcement office that files a seizure notice (kê biên).

    The offices were reorganised in March 2025 (Chi cục -> Phòng … khu vực)."""
    province = places.BY_ACTIVITY.pick(rng)
    region = "thành phố" if province.city else "tỉnh"
    if (when.year, when.month) >= (2025, 3):
        name = (f"Phòng Thi hành án dân sự khu vực {between(rng, 1, 9)} - "
                f"Thi hành án dân sự {region} {province.name}")
    elif rng.random() < 0.8:
        name = f"Chi cục Thi hành án dân sự {choice(rng, province.towns)}, {region} {province.name}"
    else:
        name = f"Cục Thi hành án dân sự {region} {province.name}"
    return SecuredParty(name, "other", "1" + digits(rng, 6))  # budget-relationship code


_SELLER_CORES: Final = (
    ("Ô tô", 5), ("Thương mại Ô tô", 3), ("Xe máy", 2), ("Máy xây dựng", 2),
    ("Thiết bị Công nghiệp", 2), ("Máy nông nghiệp", 1),
)
SELLER_TRADES: Final = Weighted(_SELLER_CORES)
LESSOR_TRADES: Final = Weighted((("Cho thuê Thiết bị", 3), ("Máy xây dựng", 3),
                                 ("Vận tải", 2), ("Cho thuê Ô tô", 2)))


def trading_company(rng: random.Random, trades: Weighted[str], numbering: ids.Numbering,
                    serial: int) -> SecuredParty:
    """A seller keeping title (car dealer, machinery seller) or a lessor; its tax code is
    numbered apart from the grantors' (namespace 1)."""
    form = choice(rng, ("tnhh", "tnhh_mtv", "cp"))
    name = f"{LEGAL_FORMS[form].pick(rng)} {trades.pick(rng)} {choice(rng, BRANDS)}"
    if name.split()[1].isupper():
        name = name.upper()
    province = places.BY_ACTIVITY.pick(rng)
    code = numbering.tax_code(province.tax, serial, reserved=_LENDER_CODES, namespace=1)
    return SecuredParty(name, "tax_code", code)
