"""Snapshots for tests, previews and timings: realistic Vietnamese registrations."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from certify.snapshot import VN_TZ, CertificateSnapshot, new_number

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Thị Như", "Ngọc", "Minh", "Quốc"]
GIVEN = ["Tú", "Quỳnh", "Hùng", "Dũng", "Thủy", "Hòa", "Khiêm", "Tư", "Ánh", "Lý", "Đạt", "Ỷ"]
BANKS = [
    ("Ngân hàng TMCP Ngoại thương Việt Nam", "0100112437"),
    ("Ngân hàng TMCP Công thương Việt Nam", "0100111948"),
    ("Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam", "0100686174"),
    ("Công ty TNHH MTV Tài chính Toyota Việt Nam", "0102907046"),
]
KINDS = ["mortgage", "retention_of_title", "financial_lease", "lease", "receivables_assignment"]
ISSUED_AT = datetime(2026, 3, 5, 9, 41, 5, tzinfo=VN_TZ)


def registration(i: int, *, deleted: bool = False, assets: int = 1) -> dict[str, Any]:
    name = f"{SURNAMES[i % 11]} {MIDDLE[i % 8]} {GIVEN[i % 12]}"
    bank, tax = BANKS[i % 4]
    registered = datetime(2024, 3, 5, 9, 41, tzinfo=VN_TZ) - timedelta(days=i, minutes=7 * i)
    events: list[dict[str, Any]] = []
    if i % 3 == 0:
        events.append(
            {
                "type": "amendment",
                "at": (registered + timedelta(days=88)).isoformat(),
                "summary": "Bổ sung tài sản bảo đảm; thay đổi địa chỉ bên bảo đảm",
            }
        )
    if deleted:
        events.append({"type": "deletion", "at": (registered + timedelta(days=200)).isoformat()})
    return {
        "registration_number": f"2024-{1_000_000_000 + i:010d}",
        "kind": KINDS[i % len(KINDS)],
        "registered_at": registered.isoformat(),
        "status": "deleted" if deleted else "in_force",
        "grantors": [
            {
                "party_type": "individual",
                "name": name,
                "id_type": "cccd",
                "id_number": f"0011900{i:05d}",
                "address": f"Số {i % 97 + 1} ngõ 34 phố Huế, phường Phố Huế, Hà Nội",
            }
        ],
        "secured_parties": [
            {"party_type": "organization", "name": bank, "id_type": "tax_code", "id_number": tax}
        ],
        "assets": [
            {
                "asset_type": "motor_vehicle",
                "description": "Xe ô tô con nhãn hiệu Toyota Vios, màu bạc, sản xuất năm 2023",
                "chassis_number": f"RL4B*29F3K5#{i + a:06d}",
                "engine_number": f"2NRX{i + a:06d}",
                "plate_number": f"30A-{100 + i % 900:03d}.{a % 100:02d}",
            }
            for a in range(assets)
        ],
        "obligation": {
            "contract_number": f"{i}/2024/HĐTC",
            "signed_at": date(2024, 3, 1).isoformat(),
        },
        "events": events,
    }


def match(i: int, tier: str, **kw: Any) -> dict[str, Any]:
    reg = registration(i, **kw)
    close = tier == "close"
    return {
        "tier": tier,
        "score": 1.0 if not close else round(0.9 - (i % 5) * 0.05, 2),
        "reasons": ["diacritics_differ", "missing_token"] if close else [],
        "matched": {
            "role": "grantor",
            "field": "name",
            "value_as_registered": reg["grantors"][0]["name"],
            "index": 0,
        },
        "registration": reg,
    }


def snapshot_dict(
    n_exact: int,
    n_close: int = 0,
    *,
    close_left_out: int = 0,
    seq: int = 1234,
    free: bool = False,
    include_deleted: bool = False,
) -> dict[str, Any]:
    exact = [match(i, "exact", deleted=include_deleted and i % 7 == 3) for i in range(n_exact)]
    close = [match(10_000 + i, "close") for i in range(n_close)]
    return {
        "number": new_number(seq, 2026),
        "issued_at": ISSUED_AT.isoformat(),
        "registry_current_as_of": {
            "commit_time": (ISSUED_AT - timedelta(seconds=2)).isoformat(),
            "lsn": "0/16B3748",
        },
        "criterion": {
            "name": "debtor_name",
            "party_type": "individual",
            "value_as_entered": "Ông NGUYEN van TU",
            "value_normalised": "nguyen van tu",
        },
        "requester": {
            "account_id": "acc-000042",
            "display_name": "Ngân hàng TMCP Á Châu – Chi nhánh Hà Nội",
            "role": "agency" if free else "customer",
            "agency_ground": "Yêu cầu của cơ quan thi hành án dân sự" if free else None,
        },
        "fee": (
            {"amount_vnd": 0, "free_ground": "Điều 59 khoản 2 Nghị định 102/2017/NĐ-CP"}
            if free
            else {"amount_vnd": 30_000}
        ),
        "search_logic_version": "matching-contract 1.0 (shared/spec/matching.md)",
        "include_deleted": include_deleted,
        "exact": exact,
        "close": close,
        "exact_count": n_exact,
        "close_count": n_close + close_left_out,
        "close_left_out": close_left_out,
    }


def make_snapshot(n_exact: int, n_close: int = 0, **kw: Any) -> CertificateSnapshot:
    return CertificateSnapshot.model_validate(snapshot_dict(n_exact, n_close, **kw))
