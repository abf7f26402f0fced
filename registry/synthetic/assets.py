"""Collateral (tài sản bảo đảm) as registration assets, with Vietnamese descriptions.

Road vehicles dominate (they are what the registry is mostly searched for); machinery,
goods, receivables, vessels, securities, capital contributions and property rights make
up the rest, in shares that depend on the kind of registration (see ``ASSET_MIX``).
"""

from __future__ import annotations

import random
from typing import Any, Final

from registry.synthetic import vehicles
from registry.synthetic.organizations import BRANDS
from registry.synthetic.sampling import Weighted, between, choice, digits

Asset = dict[str, Any]

ASSET_MIX: Final = {
    "mortgage": Weighted((
        ("motor_vehicle", 80), ("machinery", 6), ("goods", 4), ("receivables", 2),
        ("inland_vessel", 1.5), ("fishing_vessel", 1.5), ("securities", 1),
        ("capital_contribution", 1), ("property_right", 1.5), ("other", 1.5),
    )),
    "financial_lease": Weighted((("motor_vehicle", 70), ("machinery", 30))),
    "retention_of_title": Weighted((("motor_vehicle", 60), ("machinery", 40))),
    "lease": Weighted((("machinery", 60), ("motor_vehicle", 40))),
    "receivables_assignment": Weighted((("receivables", 100),)),
    "seizure_notice": Weighted((
        ("motor_vehicle", 60), ("goods", 10), ("property_right", 10), ("securities", 5),
        ("capital_contribution", 5), ("other", 10),
    )),
    "enforcement_notice": Weighted((("motor_vehicle", 85), ("machinery", 10), ("goods", 5))),
}
ASSET_COUNT: Final = Weighted(((1, 88), (2, 7), (3, 2), (4, 1), (5, 1), (8, 0.6), (15, 0.4)))

_MACHINES: Final = (
    ("Máy xúc đào bánh xích", "Komatsu", ("PC200-8", "PC210-10", "PC350-8")),
    ("Máy xúc đào bánh xích", "Hitachi", ("ZX200-5G", "ZX350H-5G")),
    ("Máy xúc đào bánh lốp", "Doosan", ("DX140W", "DX210W")),
    ("Máy ủi", "Komatsu", ("D65E-12", "D85EX-15")),
    ("Cần trục bánh xích", "Kobelco", ("CKE900", "7150")),
    ("Máy xúc lật", "SDLG", ("LG956L", "L938F")),
    ("Máy phay CNC", "Mazak", ("VCN-530C", "VTC-800")),
    ("Máy ép nhựa", "Haitian", ("MA1600", "MA2500")),
    ("Dây chuyền sản xuất bao bì", "Bobst", ("SP 102-E",)),
    ("Máy gặt đập liên hợp", "Kubota", ("DC-70 Plus", "DC-93")),
    ("Máy phát điện", "Cummins", ("C550D5", "C1100D5")),
    ("Xe nâng hàng", "Toyota", ("8FD25", "8FBE15")),
)
_GOODS: Final = (
    "thép cuộn cán nóng", "phôi thép", "gạo thành phẩm", "cà phê nhân xô", "hạt điều thô",
    "phân bón NPK", "xi măng PCB40", "gỗ cao su xẻ sấy", "vải thành phẩm", "điện thoại di động",
    "linh kiện điện tử", "thức ăn chăn nuôi", "tôm đông lạnh", "hàng may mặc xuất khẩu",
)
_FISHING_PREFIX: Final = ("BĐ", "QNg", "KG", "BT", "BV", "NA", "TH", "CM", "PY", "KH", "ĐNa")
_INLAND_PREFIX: Final = ("SG", "HP", "NĐ", "HN", "ĐT", "AG", "CT", "BD", "ĐN", "TB")
_TICKERS: Final = ("HPG", "VNM", "FPT", "MWG", "SSI", "VHM", "GAS", "DGC", "PNJ", "REE", "VCB")


def _contract(rng: random.Random, year: int, code: str) -> str:
    return f"{between(rng, 1, 300):02d}/{year}/{code}"


def _company(rng: random.Random) -> str:
    return f"Công ty {choice(rng, ('TNHH', 'Cổ phần'))} {choice(rng, BRANDS)}"


def _money(rng: random.Random) -> str:
    value = choice(rng, (5, 8, 10, 15, 20, 30, 50, 120, 250)) * 100_000_000
    return f"{value:,}".replace(",", ".") + " đồng"


def make_asset(rng: random.Random, asset_type: str, year: int, plate_code: int) -> Asset:
    if asset_type == "motor_vehicle":
        vehicle = vehicles.make_vehicle(rng, year, plate_code)
        asset: Asset = {
            "asset_type": "motor_vehicle",
            "description": vehicles.describe(vehicle, rng),
            "chassis_number": vehicles.declared_serial(vehicle.chassis, rng),
            "engine_number": vehicles.declared_engine(vehicle.engine, rng),
        }
        if vehicle.plate is not None:
            asset["plate_number"] = vehicles.declared_plate(vehicle.plate, rng)
        return asset
    if asset_type == "machinery":
        noun, make, models = choice(rng, _MACHINES)
        asset = {"asset_type": "machinery",
                 "description": f"{noun} {make} {choice(rng, models)}, số seri "
                                f"{digits(rng, choice(rng, (5, 6, 7)))}, năm sản xuất "
                                f"{year - between(rng, 0, 8)}"}
        if rng.random() < 0.3:
            asset["engine_number"] = f"{make[:2].upper()}{digits(rng, 8)}"
        return asset
    if asset_type == "goods":
        return {"asset_type": "goods",
                "description": f"Hàng hóa luân chuyển trong quá trình sản xuất, kinh doanh: "
                               f"{choice(rng, _GOODS)}, trị giá tối thiểu {_money(rng)}, "
                               f"tại kho số {between(rng, 1, 9)}"}
    if asset_type == "receivables":
        return {"asset_type": "receivables",
                "description": f"Quyền đòi nợ phát sinh từ Hợp đồng mua bán số "
                               f"{_contract(rng, year, 'HĐMB')} ký với {_company(rng)}"}
    if asset_type == "inland_vessel":
        asset = {"asset_type": "inland_vessel",
                 "description": f"Phương tiện thủy nội địa số đăng ký "
                                f"{choice(rng, _INLAND_PREFIX)}-{digits(rng, 4)}, tàu hàng vỏ "
                                f"thép, trọng tải toàn phần {between(rng, 300, 3000)} tấn"}
        if rng.random() < 0.5:
            asset["engine_number"] = f"6AYM{digits(rng, 5)}"
        return asset
    if asset_type == "fishing_vessel":
        return {"asset_type": "fishing_vessel",
                "description": f"Tàu cá số đăng ký {choice(rng, _FISHING_PREFIX)}-"
                               f"{between(rng, 90000, 99999)}-TS, vỏ "
                               f"{choice(rng, ('gỗ', 'thép', 'composite'))}, tổng công suất "
                               f"máy chính {between(rng, 90, 1200)} CV"}
    if asset_type == "securities":
        return {"asset_type": "securities",
                "description": f"{between(rng, 10, 500) * 1000:,} cổ phần phổ thông mã chứng "
                               f"khoán {choice(rng, _TICKERS)}".replace(",", ".")}
    if asset_type == "capital_contribution":
        return {"asset_type": "capital_contribution",
                "description": f"Phần vốn góp trị giá {_money(rng)} tại {_company(rng)}"}
    if asset_type == "property_right":
        return {"asset_type": "property_right",
                "description": f"Quyền tài sản phát sinh từ Hợp đồng thi công xây dựng số "
                               f"{_contract(rng, year, 'HĐXD')}"}
    return {"asset_type": "other",
            "description": choice(rng, (
                f"Hệ thống điện mặt trời áp mái công suất {between(rng, 50, 1000)} kWp",
                f"Toàn bộ máy móc, thiết bị văn phòng trị giá {_money(rng)}",
                "Quyền khai thác cảng cá và các tài sản gắn liền",
            ))}


def make_assets(rng: random.Random, kind: str, year: int, plate_code: int,
                organisation: bool) -> list[Asset]:
    """The assets of one registration (fleets and several machines only for businesses)."""
    count = ASSET_COUNT.pick(rng) if organisation else min(ASSET_COUNT.pick(rng), 2)
    mix = ASSET_MIX[kind]
    return [make_asset(rng, mix.pick(rng), year, plate_code) for _ in range(count)]
