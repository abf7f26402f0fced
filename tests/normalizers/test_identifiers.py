"""Identifier form, number kinds and serial form."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizers.identifiers import id_kind, identifier_form, separator_pattern, tax_parent
from normalizers.serials import serial_form


@pytest.mark.parametrize(("raw", "form"), [
    ("0101234567-001", "0101234567001"),
    ("C 123.456-7", "C1234567"),
    ("c1234567", "C1234567"),
    ("００１２３", "00123"),  # full-width digits
    ("Số: 12/34", "S1234"),
    ("", ""),
])
def test_identifier_form(raw: str, form: str) -> None:
    assert identifier_form(raw) == form


@pytest.mark.parametrize(("form", "kind"), [
    ("012345678", "cmnd"), ("001190012345", "cccd"), ("0101234567", "tax_code"),
    ("0101234567001", "tax_branch"), ("C1234567", "passport"), ("12345", "other"),
    ("AB12", "other"),
])
def test_id_kind(form: str, kind: str) -> None:
    assert id_kind(form) == kind


def test_tax_parent() -> None:
    assert tax_parent("0101234567001") == "0101234567"
    assert tax_parent("0101234567") is None
    assert tax_parent("C10123456700") is None


@pytest.mark.parametrize(("raw", "form"), [
    ("RLHJC52*18#", "RLHJC5218"),
    ("rlhjc5218", "RLHJC5218"),
    ("RL4B29F3K5O12345", "RL4B29F3K5012345"),
    ("Q1I0", "0110"),
    ("30A-123.45", "30A12345"),
])
def test_serial_form(raw: str, form: str) -> None:
    assert serial_form(raw) == form


def test_separator_pattern() -> None:
    assert separator_pattern("30A-123.45") == "x-x.x"
    assert separator_pattern(" 30A12345 ") == "x"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_forms_are_idempotent_ascii_and_upper(text: str) -> None:
    form = identifier_form(text)
    assert identifier_form(form) == form
    assert (form.isascii() and form == form.upper() and form.isalnum()) or form == ""
    serial = serial_form(text)
    assert serial_form(serial) == serial
    assert not set(serial) & set("OQI")
