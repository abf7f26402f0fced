"""A seizure notice (thông báo kê biên) in a certificate names its parts as one: an
enforcement office, a seizure decision, a judgment debtor and seized property."""

from __future__ import annotations

from typing import Any

from certify.render import render_pdf
from certify.snapshot import CertificateSnapshot
from certify.wording import part_label
from tests.certify.conftest import pdftotext
from tests.certify.factories import snapshot_dict

OFFICE = "Chi cục Thi hành án dân sự quận Ba Đình, thành phố Hà Nội"


def seizure_snapshot() -> CertificateSnapshot:
    data: dict[str, Any] = snapshot_dict(2)
    seized = data["exact"][0]["registration"]
    seized["kind"] = "seizure_notice"
    seized["secured_parties"] = [{"party_type": "organization", "name": OFFICE,
                                  "id_type": "other", "id_number": "1012345"}]
    seized["obligation"] = {"contract_number": "125/QĐ-CCTHADS", "signed_at": "2024-02-20"}
    seized["events"] = []
    return CertificateSnapshot.model_validate(data)


def test_a_seizure_notice_has_its_own_labels_in_the_certificate() -> None:
    text = " ".join(pdftotext(render_pdf(seizure_snapshot())).split())
    seizure, mortgage = text.split("Kết quả 2/2")  # the seizure notice first, then the other
    for words in ("Cơ quan thi hành án", "Quyết định kê biên", "Người phải thi hành án",
                  "Tài sản kê biên", "Enforcement office", "Seizure decision",
                  "Judgment debtor", "Seized property", OFFICE, "125/QĐ-CCTHADS"):
        assert words in seizure, words
    for words in ("Bên nhận bảo đảm", "Hợp đồng bảo đảm", "Tài sản bảo đảm", "Secured parties",
                  "Security agreement", "Collateral"):
        assert words not in seizure, words
    for words in ("Bên nhận bảo đảm", "Hợp đồng bảo đảm", "Tài sản bảo đảm"):
        assert words in mortgage, words


def test_every_kind_names_every_part() -> None:
    from certify.wording import label_keys

    for kind in label_keys("kind"):
        for part in ("grantors", "secured_parties", "assets", "obligation", "role_grantor",
                     "role_asset", "role_registration"):
            assert part_label(kind, part).vi and part_label(kind, part).en
    assert part_label("seizure_notice", "secured_parties").vi == "Cơ quan thi hành án"
    assert part_label("mortgage", "secured_parties").vi == "Bên nhận bảo đảm"
