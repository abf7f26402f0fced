"""Search results name a registration's parts as its kind does: a seizure notice's are an
enforcement office, a seizure decision, a judgment debtor and seized property."""

from __future__ import annotations

from api.search_routes import result_model
from certify.result_values import result_values
from query.search import Match


def _match(kind: str, role: str = "grantor") -> Match:
    return Match("exact", 1.0, (), role, 0, "name", "Nguyễn Văn An", 7, {"kind": kind})


def test_a_seizure_notice_result_has_its_own_labels() -> None:
    labels = result_values(_match("seizure_notice"), {})["labels"]
    assert labels["secured_parties"] == {"vi": "Cơ quan thi hành án", "en": "Enforcement office"}
    assert labels["obligation"]["vi"] == "Quyết định kê biên"
    assert labels["grantors"]["vi"] == "Người phải thi hành án"
    assert labels["assets"]["vi"] == "Tài sản kê biên"
    assert labels["matched_role"]["vi"] == "Người phải thi hành án"
    text = str(labels)
    assert "Bên nhận bảo đảm" not in text and "Hợp đồng bảo đảm" not in text


def test_a_mortgage_result_keeps_the_security_labels() -> None:
    labels = result_values(_match("mortgage", "asset"), {})["labels"]
    assert labels["secured_parties"]["vi"] == "Bên nhận bảo đảm"
    assert labels["matched_role"]["vi"] == "Tài sản bảo đảm"


def test_the_labels_are_the_models() -> None:
    match = _match("seizure_notice")
    assert result_model(match).model_dump() == result_values(match, match.registration)
