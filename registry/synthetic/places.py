"""Provinces of Viet Nam (the 63 before the 2025 merger) and realistic addresses.

Per province: the 3-digit place code that opens a CCCD number (Thông tư 07/2016/TT-BCA), the
vehicle plate codes (Thông tư 58/2020/TT-BCA), the 2-digit tax-code prefix of the tax
authority's numbering, an approximate 9-digit CMND prefix (the old cards used 2-digit area
codes, several provinces shared one), the 2019 census population in millions, and the
towns used in addresses. Codes are public facts; the CMND prefixes are approximate.
"""

from __future__ import annotations

import random
from typing import Final, NamedTuple

from registry.synthetic.sampling import Weighted, between, choice


class Province(NamedTuple):
    name: str
    cccd: str
    plates: tuple[int, ...]
    tax: str
    cmnd: str
    population: float
    towns: tuple[str, ...]
    city: bool = False  # centrally governed city ("thành phố Hà Nội", not "tỉnh …")


PROVINCES: Final = (
    Province("Hà Nội", "001", (29, 30, 31, 32, 33, 40), "01", "01", 8.05,
             ("quận Ba Đình", "quận Hoàn Kiếm", "quận Đống Đa", "quận Hai Bà Trưng",
              "quận Cầu Giấy", "quận Thanh Xuân", "quận Hoàng Mai", "quận Long Biên",
              "quận Hà Đông", "quận Nam Từ Liêm", "quận Bắc Từ Liêm", "quận Tây Hồ",
              "huyện Đông Anh", "huyện Gia Lâm", "huyện Thanh Trì", "thị xã Sơn Tây"), True),
    Province("Hà Giang", "002", (23,), "51", "07", 0.85, ("thành phố Hà Giang",)),
    Province("Cao Bằng", "004", (11,), "48", "08", 0.53, ("thành phố Cao Bằng",)),
    Province("Bắc Kạn", "006", (97,), "47", "09", 0.31, ("thành phố Bắc Kạn",)),
    Province("Tuyên Quang", "008", (22,), "50", "07", 0.78, ("thành phố Tuyên Quang",)),
    Province("Lào Cai", "010", (24,), "53", "06", 0.73, ("thành phố Lào Cai", "thị xã Sa Pa")),
    Province("Điện Biên", "011", (27,), "56", "04", 0.60, ("thành phố Điện Biên Phủ",)),
    Province("Lai Châu", "012", (25,), "62", "04", 0.46, ("thành phố Lai Châu",)),
    Province("Sơn La", "014", (26,), "55", "05", 1.25, ("thành phố Sơn La", "huyện Mộc Châu")),
    Province("Yên Bái", "015", (21,), "52", "06", 0.82, ("thành phố Yên Bái",)),
    Province("Hòa Bình", "017", (28,), "54", "11", 0.85, ("thành phố Hòa Bình",)),
    Province("Thái Nguyên", "019", (20,), "46", "09", 1.29,
             ("thành phố Thái Nguyên", "thành phố Sông Công", "thị xã Phổ Yên")),
    Province("Lạng Sơn", "020", (12,), "49", "08", 0.78, ("thành phố Lạng Sơn",)),
    Province("Quảng Ninh", "022", (14,), "57", "10", 1.32,
             ("thành phố Hạ Long", "thành phố Cẩm Phả", "thành phố Uông Bí", "thành phố Móng Cái")),
    Province("Bắc Giang", "024", (98,), "24", "12", 1.80, ("thành phố Bắc Giang",)),
    Province("Phú Thọ", "025", (19,), "26", "13", 1.46, ("thành phố Việt Trì", "thị xã Phú Thọ")),
    Province("Vĩnh Phúc", "026", (88,), "25", "13", 1.15,
             ("thành phố Vĩnh Yên", "thành phố Phúc Yên")),
    Province("Bắc Ninh", "027", (99,), "23", "12", 1.37,
             ("thành phố Bắc Ninh", "thành phố Từ Sơn", "huyện Yên Phong")),
    Province("Hải Dương", "030", (34,), "08", "14", 1.89,
             ("thành phố Hải Dương", "thành phố Chí Linh")),
    Province("Hải Phòng", "031", (15, 16), "02", "03", 2.03,
             ("quận Hồng Bàng", "quận Lê Chân", "quận Ngô Quyền", "quận Hải An",
              "quận Kiến An", "huyện Thủy Nguyên", "huyện An Dương"), True),
    Province("Hưng Yên", "033", (89,), "09", "14", 1.25, ("thành phố Hưng Yên", "huyện Văn Lâm")),
    Province("Thái Bình", "034", (17,), "10", "15", 1.86, ("thành phố Thái Bình",)),
    Province("Hà Nam", "035", (90,), "07", "16", 0.85, ("thành phố Phủ Lý",)),
    Province("Nam Định", "036", (18,), "06", "16", 1.78, ("thành phố Nam Định",)),
    Province("Ninh Bình", "037", (35,), "27", "16", 0.98,
             ("thành phố Ninh Bình", "thành phố Tam Điệp")),
    Province("Thanh Hóa", "038", (36,), "28", "17", 3.64,
             ("thành phố Thanh Hóa", "thành phố Sầm Sơn", "thị xã Bỉm Sơn")),
    Province("Nghệ An", "040", (37,), "29", "18", 3.33, ("thành phố Vinh", "thị xã Cửa Lò")),
    Province("Hà Tĩnh", "042", (38,), "30", "18", 1.29, ("thành phố Hà Tĩnh",)),
    Province("Quảng Bình", "044", (73,), "31", "19", 0.90, ("thành phố Đồng Hới",)),
    Province("Quảng Trị", "045", (74,), "32", "19", 0.63, ("thành phố Đông Hà",)),
    Province("Thừa Thiên Huế", "046", (75,), "33", "19", 1.13, ("thành phố Huế",)),
    Province("Đà Nẵng", "048", (43,), "04", "20", 1.13,
             ("quận Hải Châu", "quận Thanh Khê", "quận Sơn Trà", "quận Liên Chiểu",
              "quận Cẩm Lệ", "quận Ngũ Hành Sơn", "huyện Hòa Vang"), True),
    Province("Quảng Nam", "049", (92,), "40", "20", 1.50, ("thành phố Tam Kỳ", "thành phố Hội An")),
    Province("Quảng Ngãi", "051", (76,), "43", "21", 1.23, ("thành phố Quảng Ngãi",)),
    Province("Bình Định", "052", (77,), "41", "21", 1.49, ("thành phố Quy Nhơn", "thị xã An Nhơn")),
    Province("Phú Yên", "054", (78,), "44", "22", 0.87, ("thành phố Tuy Hòa",)),
    Province("Khánh Hòa", "056", (79,), "42", "22", 1.23,
             ("thành phố Nha Trang", "thành phố Cam Ranh")),
    Province("Ninh Thuận", "058", (85,), "45", "26", 0.59, ("thành phố Phan Rang - Tháp Chàm",)),
    Province("Bình Thuận", "060", (86,), "34", "26", 1.23,
             ("thành phố Phan Thiết", "thị xã La Gi")),
    Province("Kon Tum", "062", (82,), "61", "23", 0.54, ("thành phố Kon Tum",)),
    Province("Gia Lai", "064", (81,), "59", "23", 1.51, ("thành phố Pleiku", "thị xã An Khê")),
    Province("Đắk Lắk", "066", (47,), "60", "24", 1.87, ("thành phố Buôn Ma Thuột",)),
    Province("Đắk Nông", "067", (48,), "64", "24", 0.62, ("thành phố Gia Nghĩa",)),
    Province("Lâm Đồng", "068", (49,), "58", "25", 1.30, ("thành phố Đà Lạt", "thành phố Bảo Lộc")),
    Province("Bình Phước", "070", (93,), "38", "28", 0.99, ("thành phố Đồng Xoài",)),
    Province("Tây Ninh", "072", (70,), "39", "29", 1.17,
             ("thành phố Tây Ninh", "thị xã Trảng Bàng")),
    Province("Bình Dương", "074", (61,), "37", "28", 2.43,
             ("thành phố Thủ Dầu Một", "thành phố Dĩ An", "thành phố Thuận An",
              "thành phố Tân Uyên", "thị xã Bến Cát")),
    Province("Đồng Nai", "075", (39, 60), "36", "27", 3.10,
             ("thành phố Biên Hòa", "thành phố Long Khánh", "huyện Nhơn Trạch", "huyện Trảng Bom")),
    Province("Bà Rịa - Vũng Tàu", "077", (72,), "35", "27", 1.15,
             ("thành phố Vũng Tàu", "thành phố Bà Rịa", "thị xã Phú Mỹ")),
    Province("Hồ Chí Minh", "079", (41, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59), "03", "02", 8.99,
             ("Quận 1", "Quận 3", "Quận 4", "Quận 5", "Quận 6", "Quận 7", "Quận 8", "Quận 10",
              "Quận 11", "Quận 12", "quận Bình Thạnh", "quận Gò Vấp", "quận Tân Bình",
              "quận Tân Phú", "quận Phú Nhuận", "quận Bình Tân", "thành phố Thủ Đức",
              "huyện Bình Chánh", "huyện Củ Chi", "huyện Hóc Môn", "huyện Nhà Bè"), True),
    Province("Long An", "080", (62,), "11", "30", 1.69, ("thành phố Tân An", "huyện Đức Hòa")),
    Province("Tiền Giang", "082", (63,), "12", "31", 1.76, ("thành phố Mỹ Tho", "thị xã Gò Công")),
    Province("Bến Tre", "083", (71,), "13", "32", 1.29, ("thành phố Bến Tre",)),
    Province("Trà Vinh", "084", (84,), "21", "33", 1.01, ("thành phố Trà Vinh",)),
    Province("Vĩnh Long", "086", (64,), "15", "33", 1.02, ("thành phố Vĩnh Long",)),
    Province("Đồng Tháp", "087", (66,), "14", "34", 1.60,
             ("thành phố Cao Lãnh", "thành phố Sa Đéc")),
    Province("An Giang", "089", (67,), "16", "35", 1.91,
             ("thành phố Long Xuyên", "thành phố Châu Đốc")),
    Province("Kiên Giang", "091", (68,), "17", "37", 1.72,
             ("thành phố Rạch Giá", "thành phố Phú Quốc")),
    Province("Cần Thơ", "092", (65,), "18", "36", 1.24,
             ("quận Ninh Kiều", "quận Bình Thủy", "quận Cái Răng", "quận Ô Môn"), True),
    Province("Hậu Giang", "093", (95,), "63", "36", 0.73, ("thành phố Vị Thanh",)),
    Province("Sóc Trăng", "094", (83,), "22", "36", 1.20, ("thành phố Sóc Trăng",)),
    Province("Bạc Liêu", "095", (94,), "19", "38", 0.91, ("thành phố Bạc Liêu",)),
    Province("Cà Mau", "096", (69,), "20", "38", 1.19, ("thành phố Cà Mau",)),
)

# Credit is concentrated in the big cities: activity weight = population x this factor.
_ACTIVITY: Final = {
    "Hà Nội": 2.5, "Hồ Chí Minh": 2.5, "Đà Nẵng": 1.6, "Hải Phòng": 1.5, "Bình Dương": 1.5,
    "Đồng Nai": 1.3, "Cần Thơ": 1.4, "Quảng Ninh": 1.3, "Bắc Ninh": 1.3, "Khánh Hòa": 1.2,
}
BY_ACTIVITY: Final = Weighted((p, p.population * _ACTIVITY.get(p.name, 1.0)) for p in PROVINCES)
BY_POPULATION: Final = Weighted((p, p.population) for p in PROVINCES)

STREETS: Final = (
    "Lê Lợi", "Trần Hưng Đạo", "Nguyễn Huệ", "Hai Bà Trưng", "Lý Thường Kiệt", "Quang Trung",
    "Nguyễn Trãi", "Lê Duẩn", "Điện Biên Phủ", "Hùng Vương", "Phan Đình Phùng",
    "Nguyễn Văn Linh", "Trần Phú", "Nguyễn Thị Minh Khai", "Lê Hồng Phong", "Võ Thị Sáu",
    "Phạm Văn Đồng", "Cách Mạng Tháng Tám", "30 Tháng 4", "Ngô Quyền", "Bà Triệu",
    "Lê Thánh Tông", "Nguyễn Du", "Hoàng Diệu", "Phan Chu Trinh", "Trường Chinh",
    "Nguyễn Chí Thanh", "Tôn Đức Thắng", "Lạc Long Quân", "Âu Cơ", "Nguyễn Văn Cừ",
    "Xô Viết Nghệ Tĩnh", "Lê Văn Sỹ", "Huỳnh Tấn Phát", "Phan Bội Châu", "Nguyễn Tất Thành",
    "Lê Lai", "Yersin", "Mạc Đĩnh Chi", "Nguyễn Đình Chiểu", "Kim Mã", "Giải Phóng",
    "Xuân Thủy", "Tây Sơn", "Nguyễn Lương Bằng", "Võ Văn Kiệt", "Lê Văn Việt", "Quốc lộ 1A",
)
_WARDS: Final = (
    "Tân Phong", "Tân Thịnh", "An Phú", "Phú Hòa", "Hòa Bình", "Quang Trung", "Trần Phú",
    "Lê Lợi", "Hùng Vương", "Tân An", "Phước Long", "Bình An", "Minh Khai", "Đông Hải",
    "Bạch Đằng", "Thịnh Liệt", "Dịch Vọng", "Yên Hòa", "Bến Nghé", "Đa Kao", "Tân Định",
    "Phú Mỹ", "Thảo Điền", "An Khánh", "Hòa Khánh Bắc", "Thạc Gián", "Vĩnh Trung",
    "Xuân Hà", "Phước Hải", "Lộc Thọ", "Trung Hòa", "Nghĩa Đô", "Văn Miếu", "Kim Liên",
)
_COMMUNES: Final = (
    "Tân Phú", "An Bình", "Hòa Khánh", "Phước Thạnh", "Đông Hòa", "Vĩnh Thành", "Thạnh Lợi",
    "Nghĩa Đồng", "Quảng Phú", "Yên Thường", "Tiên Dương", "Hưng Lộc", "Tân Hiệp",
    "Long Hưng", "Mỹ Hạnh Nam", "Bình Minh", "Đại Đồng", "Cẩm Bình", "Xuân Phú", "Thanh Sơn",
)
_VILLAGES: Final = (
    "Thôn 1", "Thôn 3", "Thôn Đông", "Thôn Trung", "Thôn Hạ", "Xóm 5", "Xóm Chùa",
    "Ấp Bình Phú", "Ấp 3", "Ấp Tân Lập", "Bản Nà Phặc", "Tổ 7", "Khu phố 4", "Tổ dân phố 2",
)


def province_label(province: Province, rng: random.Random) -> str:
    """How the province is written at the end of an address, in the usual variety."""
    if province.name == "Hồ Chí Minh":
        return choice(rng, ("TP. Hồ Chí Minh", "Thành phố Hồ Chí Minh", "TP.HCM", "TP Hồ Chí Minh"))
    if province.city:
        return choice(rng, (province.name, "thành phố " + province.name, "TP. " + province.name))
    return choice(rng, ("tỉnh " + province.name, province.name, "tỉnh " + province.name))


def address(province: Province, rng: random.Random) -> str:
    """A street address in a town (70 %) or a village address (30 %)."""
    if rng.random() < 0.7 or province.city:
        house = str(between(rng, 1, 400))
        if rng.random() < 0.3:
            house += f" ngõ {between(rng, 1, 200)}"
        kind = "phố" if province.name == "Hà Nội" and rng.random() < 0.6 else "đường"
        ward = choice(rng, _WARDS) if rng.random() < 0.7 else str(between(rng, 1, 16))
        return (f"Số {house} {kind} {choice(rng, STREETS)}, phường {ward}, "
                f"{choice(rng, province.towns)}, {province_label(province, rng)}")
    return (f"{choice(rng, _VILLAGES)}, xã {choice(rng, _COMMUNES)}, "
            f"{province_label(province, rng)}")
