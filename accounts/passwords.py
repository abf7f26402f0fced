"""Users' passwords: the policy (pure) and hashing with Argon2 (pwdlib's recommended hasher,
argon2-cffi underneath), never stored in clear."""

from __future__ import annotations

import unicodedata
from functools import cache

from pwdlib import PasswordHash

from accounts.errors import AccountInputError

MIN_LENGTH = 10
#: Argon2 takes any length; a bound keeps one request's hashing cost bounded.
MAX_LENGTH = 256

_TEXTS: dict[str, tuple[str, str]] = {
    "min_length": (f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự.",
                   f"The password must be at least {MIN_LENGTH} characters long."),
    "max_length": (f"Mật khẩu không được dài quá {MAX_LENGTH} ký tự.",
                   f"The password must not be longer than {MAX_LENGTH} characters."),
    "character_classes": (
        "Mật khẩu phải có ít nhất hai loại ký tự (chữ thường, chữ hoa, chữ số, ký hiệu).",
        "The password must mix at least two kinds of characters (lower case, upper case,"
        " digits, symbols)."),
    "not_email": ("Mật khẩu không được trùng với địa chỉ thư điện tử.",
                  "The password must not be the e-mail address."),
    "no_control_characters": ("Mật khẩu không được chứa ký tự điều khiển.",
                              "The password must not contain control characters."),
}


def character_class(char: str) -> str:
    if char.isdigit():
        return "digit"
    if char.islower():
        return "lower"
    if char.isupper():
        return "upper"
    return "letter" if char.isalpha() else "symbol"


def policy_violation(password: str, email: str | None) -> str | None:
    """The first rule ``password`` breaks (a key of the texts), or None when acceptable."""
    if any(unicodedata.category(c) == "Cc" for c in password):
        return "no_control_characters"
    if len(password) < MIN_LENGTH:
        return "min_length"
    if len(password) > MAX_LENGTH:
        return "max_length"
    if len({character_class(c) for c in password}) < 2:
        return "character_classes"
    if email:
        folded = password.strip().casefold()
        if folded in (email.strip().casefold(), email.split("@", 1)[0].strip().casefold()):
            return "not_email"
    return None


def check(password: str, email: str | None, field: str = "password") -> None:
    """Raise ``AccountInputError`` naming the rule when the password breaks the policy."""
    rule = policy_violation(password, email)
    if rule is not None:
        raise AccountInputError(field, rule, *_TEXTS[rule])


@cache
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """Whether it matches, and a new hash when the stored one uses outdated parameters.

    With no stored hash a dummy hash is checked anyway, so that an unknown user takes as
    long as a wrong password."""
    if password_hash is None:
        _hasher().verify(password, _dummy_hash())
        return False, None
    return _hasher().verify_and_update(password, password_hash)


@cache
def _dummy_hash() -> str:
    return _hasher().hash("dummy password, never matched")
