"""Tax-code check digits, CCCD structure, and the format validator's rules."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.synthetic import ids
from registry.synthetic.organizations import BANKS, FINANCE_COMPANIES
from registry.synthetic.validate import validate_registration

SPEC_EXAMPLE = json.loads("""{
  "registration_number": "2024-0000123456", "kind": "mortgage",
  "registered_at": "2024-03-05T09:41:00+07:00", "status": "in_force",
  "grantors": [{"party_type": "individual", "name": "Nguyễn Thị Như Quỳnh",
     "id_type": "cccd", "id_number": "001190012345", "address": "Số 12 ngõ 34 phố Huế"}],
  "secured_parties": [{"party_type": "organization",
     "name": "Ngân hàng TMCP Ngoại thương Việt Nam", "id_type": "tax_code",
     "id_number": "0100112437"}],
  "assets": [{"asset_type": "motor_vehicle", "description": "Xe ô tô con Toyota Vios",
     "chassis_number": "RL4B*29F3K5#012345", "engine_number": "2NRX123456",
     "plate_number": "30A-123.45"}],
  "obligation": {"contract_number": "123/2024/HĐTC", "signed_at": "2024-03-01"},
  "events": [{"type": "amendment", "at": "2024-06-01T14:02:00+07:00",
              "summary": "Bổ sung tài sản bảo đảm"}]
}""")


@pytest.mark.parametrize("code", ["0100112437", "0100150619", "0100111948", "0301452948"])
def test_public_bank_tax_codes_pass_the_check_digit(code: str) -> None:
    assert ids.is_valid_tax_code(code)
    assert ids.is_valid_tax_code(code + "-001")


def test_a_wrong_check_digit_fails() -> None:
    assert not ids.is_valid_tax_code("0100112438")
    assert not ids.is_valid_tax_code("010011243")


def test_listed_real_tax_codes_are_valid() -> None:
    for lender in BANKS + FINANCE_COMPANIES:
        assert lender.tax_code is None or ids.is_valid_tax_code(lender.tax_code), lender


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**40), st.integers(0, 10**6 - 1), st.sampled_from(["01", "03", "28"]))
def test_generated_tax_codes_are_valid(key: int, serial: int, prefix: str) -> None:
    code = ids.Numbering(key).tax_code(prefix, serial)
    assert ids.is_valid_tax_code(code) and code.startswith(prefix)
    weighted = sum(int(d) * w for d, w in zip(code, ids.TAX_WEIGHTS, strict=False))
    assert int(code[9]) == 10 - weighted % 11
    assert ids.is_valid_tax_code(ids.random_tax_code(random.Random(key), prefix))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**40), st.integers(1940, 2008), st.booleans())
def test_cccd_encodes_place_century_sex_and_year(key: int, year: int, female: bool) -> None:
    number = ids.cccd("079", year, female, ids.Numbering(key), serial=12345)
    assert ids.is_valid_cccd(number)
    assert ids.cccd_birth_year(number) == year
    assert int(number[3]) % 2 == int(female)


@pytest.mark.parametrize("size", [1, 7, 1000, 1234, 10_007])
def test_permute_is_a_bijection(size: int) -> None:
    assert sorted(ids.permute(x, size, key=42) for x in range(size)) == list(range(size))


def test_numbering_gives_every_holder_its_own_numbers() -> None:
    numbering = ids.Numbering(key=7)
    serials = range(0, 1_000_000, 37)
    assert len({numbering.digits(s, 6) for s in serials}) == len(serials)
    # a borrower and a spouse share a serial, not the last digits of their CCCD
    assert ids.cccd("001", 1980, False, numbering, 5)[-6:] != \
        ids.cccd("001", 1982, True, numbering, 5)[-6:]
    seven = [numbering.digits(s, 7, ns) for s in serials for ns in (0, 1)]
    assert len(set(seven)) == len(seven)
    reserved = frozenset({numbering.tax_code("01", 5)})
    codes = [numbering.tax_code("01", s, reserved) for s in serials if s != 5]
    assert len(set(codes)) == len(codes) and not reserved & set(codes)
    assert numbering.tax_code("01", 5) != numbering.tax_code("01", 5, namespace=1)


def test_spec_example_is_valid() -> None:
    assert validate_registration(SPEC_EXAMPLE) == []


Edit = Callable[[dict[str, Any]], None]


def _set(value: Any, *path: str | int) -> Edit:
    def edit(obj: dict[str, Any]) -> None:
        target: Any = obj
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return edit


def _delete(key: str) -> Edit:
    def edit(obj: dict[str, Any]) -> None:
        del obj[key]
    return edit


def _event(index: int, kind: str, at: str) -> Edit:
    return lambda obj: obj["events"].insert(index, {"type": kind, "at": at})


def _both(*edits: Edit) -> Edit:
    def edit(obj: dict[str, Any]) -> None:
        for e in edits:
            e(obj)
    return edit


@pytest.mark.parametrize(("edit", "expected"), [
    (_delete("registration_number"), "registration_number: required"),
    (_set("pledge", "kind"), "kind: must be one of"),
    (_set("active", "status"), "status: must be one of"),
    (_set("2024-03-05T09:41:00", "registered_at"), "registered_at: must be an ISO 8601"),
    (_set([], "grantors"), "grantors: must be a non-empty list"),
    (_set("ssn", "grantors", 0, "id_type"), "grantors[0].id_type: must be one of"),
    (_set(" ", "grantors", 0, "name"), "grantors[0].name: must not be empty"),
    (_set("car", "assets", 0, "asset_type"), "assets[0].asset_type: must be one of"),
    (_set("X", "assets", 0, "vin"), "assets[0].vin: unknown field"),
    (_set("01/03/2024", "obligation", "signed_at"), "obligation.signed_at: must be a date"),
    (_set("2023-01-01T00:00:00+07:00", "events", 0, "at"), "events[0].at: events must be in"),
    (_set("deleted", "status"), "events: a deleted registration has exactly one deletion"),
    (_event(1, "deletion", "2024-07-01T10:00:00+07:00"),
     "events: a registration in force has no deletion event"),
    (_both(_event(0, "deletion", "2024-04-01T10:00:00+07:00"), _set("deleted", "status")),
     "events[0].type: the deletion must be the last event"),
    (_set("A\x07B", "secured_parties", 0, "name"), "must not contain control characters"),
])
def test_each_rule_names_its_field(edit: Edit, expected: str) -> None:
    obj = copy.deepcopy(SPEC_EXAMPLE)
    edit(obj)
    problems = validate_registration(obj)
    assert any(expected in p for p in problems), problems


def test_not_an_object() -> None:
    assert validate_registration([]) == ["(registration): must be a JSON object"]
