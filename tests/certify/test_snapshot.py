"""The snapshot model: immutability, consistency rules, canonical form and hash."""

from __future__ import annotations

import hashlib
import json
from typing import Any, get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from certify import wording
from certify.snapshot import (
    REASON_CODES,
    VN_TZ,
    AssetType,
    CertificateSnapshot,
    CriterionName,
    EventType,
    IdType,
    MatchedField,
    MatchedRole,
    PartyType,
    RegistrationKind,
    RegistrationStatus,
    RequesterRole,
    Tier,
    canonical_json,
    content_hash,
    new_number,
    snapshot_from_json,
)
from tests.certify.factories import make_snapshot, snapshot_dict


def test_canonical_json_is_compact_sorted_utf8() -> None:
    snapshot = make_snapshot(2, 1)
    data = canonical_json(snapshot)
    text = data.decode("utf-8")
    assert "Nguyễn" in text  # not \u-escaped
    parsed = json.loads(text)
    assert text == json.dumps(parsed, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert content_hash(snapshot) == hashlib.sha256(data).hexdigest()


def test_round_trip_gives_same_bytes_and_hash() -> None:
    snapshot = make_snapshot(3, 2, close_left_out=1)
    data = canonical_json(snapshot)
    again = snapshot_from_json(data)
    assert again == snapshot
    assert canonical_json(again) == data


def test_datetimes_are_held_in_viet_nam_time() -> None:
    raw = snapshot_dict(1)
    raw["issued_at"] = "2026-03-05T02:41:05+00:00"
    raw["registry_current_as_of"]["commit_time"] = "2026-03-05T02:41:00Z"
    snapshot = CertificateSnapshot.model_validate(raw)
    assert snapshot.issued_at.tzinfo == VN_TZ
    assert snapshot.issued_at.hour == 9
    assert '"issued_at":"2026-03-05T09:41:05+07:00"' in canonical_json(snapshot).decode()


def test_frozen() -> None:
    snapshot = make_snapshot(1)
    with pytest.raises(ValidationError):
        snapshot.number = "CN-2026-00000001-x"  # type: ignore[misc]
    assert isinstance(snapshot.exact, tuple)


def _broken(change: Any) -> dict[str, Any]:
    raw = snapshot_dict(2, 2, close_left_out=1)
    change(raw)
    return raw


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.update(exact_count=1), "exact_count"),
        (lambda r: r.update(close_count=2), "close_count"),
        (lambda r: r["exact"][0].update(tier="close"), "tier"),
        (lambda r: r.update(number="CN-2026-00001234-0"), "certificate number"),
        (lambda r: r.update(number=new_number(1234, 2025)), "year"),
        (lambda r: r.update(issued_at="2026-03-05T09:41:05"), "timezone"),
        (lambda r: r["registry_current_as_of"].update(lsn="bad"), "pattern"),
        (lambda r: r.update(fee={"amount_vnd": 0}), "free_ground"),
        (lambda r: r.update(fee={"amount_vnd": 30000, "free_ground": "x"}), "free_ground"),
        (lambda r: r.update(fee={"amount_vnd": 1.5}), "integer"),
        (lambda r: r["exact"][0]["registration"].update(status="deleted"), "include_deleted"),
        (lambda r: r["exact"][0]["matched"].update(field="chassis_number"), "role"),
        (lambda r: r["exact"][0]["matched"].update(index=5), "out of range"),
        (lambda r: r["close"][0].update(reasons=["made_up"]), "reasons"),
        (lambda r: r["close"][0].update(score=1.5), "score"),
        (lambda r: r["criterion"].update(name="registration_number"), "close tier"),
        (lambda r: r.update(unexpected=1), "Extra inputs"),
        (
            lambda r: r["registry_current_as_of"].update(commit_time="2026-03-05T10:00:00+07:00"),
            "later than issued_at",
        ),
    ],
)
def test_inconsistent_snapshots_are_refused(change: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        CertificateSnapshot.model_validate(_broken(change))


def test_reason_wording_covers_exactly_the_reason_codes() -> None:
    assert wording.reason_codes() == REASON_CODES
    for code in REASON_CODES:
        text = wording.reason(code)
        assert text.vi and text.en


@pytest.mark.parametrize(
    ("group", "literal"),
    [
        ("kind", RegistrationKind),
        ("status", RegistrationStatus),
        ("party_type", PartyType),
        ("id_type", IdType),
        ("asset_type", AssetType),
        ("criterion", CriterionName),
        ("role", MatchedRole),
        ("field", MatchedField),
        ("requester_role", RequesterRole),
        ("tier", Tier),
    ],
)
def test_every_enumeration_value_has_wording(group: str, literal: Any) -> None:
    assert set(get_args(literal)) <= wording.label_keys(group)


def test_every_event_type_has_wording() -> None:
    assert set(get_args(EventType)) | {"registration"} <= wording.label_keys("event")


names = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)


@settings(max_examples=50, deadline=None)
@given(names, names, st.floats(min_value=0, max_value=1, allow_nan=False))
def test_hash_is_stable_for_any_text(name: str, entered: str, score: float) -> None:
    raw = snapshot_dict(1, 1)
    raw["exact"][0]["registration"]["grantors"][0]["name"] = name
    raw["criterion"]["value_as_entered"] = entered
    raw["close"][0]["score"] = score
    snapshot = CertificateSnapshot.model_validate(raw)
    data = canonical_json(snapshot)
    again = snapshot_from_json(data)
    assert canonical_json(again) == data
    assert again.exact[0].registration.grantors[0].name == name  # kept exactly, no normalising
