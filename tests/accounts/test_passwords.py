"""The password policy (pure: properties) and Argon2 hashing (one round trip)."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts import passwords
from accounts.errors import AccountInputError

_ONE_CLASS = st.one_of(
    st.text(alphabet=string.ascii_lowercase + "đăâêôơư", min_size=1, max_size=60),
    st.text(alphabet=string.ascii_uppercase + "ĐĂÂÊÔƠƯ", min_size=1, max_size=60),
    st.text(alphabet=string.digits, min_size=1, max_size=60),
    st.text(alphabet="!@#$%^&*()-_=+[]{};:,.<>/?", min_size=1, max_size=60),
)
_PRINTABLE = st.characters(blacklist_categories=("Cc", "Cs"))


@given(_ONE_CLASS)
def test_one_kind_of_character_is_never_enough(password: str) -> None:
    assert passwords.policy_violation(password, None) in ("min_length", "character_classes")


@given(st.text(_PRINTABLE, max_size=passwords.MIN_LENGTH - 1))
def test_short_passwords_are_refused(password: str) -> None:
    assert passwords.policy_violation(password, None) == "min_length"


@given(st.text(_PRINTABLE, min_size=passwords.MIN_LENGTH, max_size=80)
       .filter(lambda p: len({passwords.character_class(c) for c in p}) >= 2))
def test_long_mixed_passwords_are_accepted(password: str) -> None:
    assert passwords.policy_violation(password, "someone.else@nganhang.vn") is None


@given(st.from_regex(r"[a-z]{4,12}[0-9]{2,6}", fullmatch=True), st.booleans())
def test_the_email_is_never_the_password(local: str, upper: bool) -> None:
    email = f"{local}@nganhang.vn"
    for candidate in (email, local):
        typed = candidate.upper() if upper else candidate
        if len(typed) >= passwords.MIN_LENGTH:
            assert passwords.policy_violation(typed, email) == "not_email"


@given(st.text(_PRINTABLE, max_size=40), st.sampled_from(["\x00", "\n", "\x1b"]))
def test_control_characters_are_refused(text: str, control: str) -> None:
    assert passwords.policy_violation(text + control + "Aa1" * 4, None) == \
        "no_control_characters"


def test_the_refusal_names_the_field_and_rule_in_both_languages() -> None:
    with pytest.raises(AccountInputError) as caught:
        passwords.check("short1A", "an@nganhang.vn", "new_password")
    error = caught.value
    assert (error.field, error.rule, error.status) == ("new_password", "min_length", 422)
    assert "ít nhất 10 ký tự" in error.message_vi and "at least 10" in error.message_en


def test_argon2_hash_round_trip() -> None:
    hashed = passwords.hash_password("Mật khẩu dài 2027")
    assert hashed.startswith("$argon2id$") and "Mật khẩu" not in hashed
    assert passwords.verify("Mật khẩu dài 2027", hashed)[0] is True
    assert passwords.verify("mật khẩu dài 2027", hashed)[0] is False
    assert passwords.verify("anything", None) == (False, None)
