"""Identifier form and the kinds of identity, tax and registration numbers.

**Identifier form**: upper-case ASCII letters and digits only; every other
character dropped (``0101234567-001`` → ``0101234567001``, ``C 123.456-7`` →
``C1234567``). Compatibility characters (full-width digits) are folded first.

Kinds recognised from the identifier form alone:

* ``cmnd``: 9 digits (old people's identity card);
* ``cccd``: 12 digits (citizen identity card);
* ``tax_code``: 10 digits (enterprise code = tax code; also old business
  registration numbers);
* ``tax_branch``: 13 digits = the 10-digit code of the parent + a 3-digit
  branch suffix (written ``0101234567-001``);
* ``passport``: one letter and 7 digits (``C1234567``);
* ``other``: anything else.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final, Literal

IdKind = Literal["cmnd", "cccd", "tax_code", "tax_branch", "passport", "other"]

_NOT_IDENTIFIER: Final = re.compile(r"[^A-Z0-9]+")
_PASSPORT: Final = re.compile(r"[A-Z][0-9]{7}")
TAX_CODE_LENGTH: Final = 10
TAX_BRANCH_LENGTH: Final = 13


@lru_cache(maxsize=65536)
def identifier_form(value: str) -> str:
    """Upper-case ASCII letters and digits only."""
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value)
    return _NOT_IDENTIFIER.sub("", value.upper())


def id_kind(form: str) -> IdKind:
    """Kind of a number, from its identifier form."""
    if form.isdigit():
        length = len(form)
        if length == 9:
            return "cmnd"
        if length == 12:
            return "cccd"
        if length == TAX_CODE_LENGTH:
            return "tax_code"
        if length == TAX_BRANCH_LENGTH:
            return "tax_branch"
        return "other"
    if _PASSPORT.fullmatch(form):
        return "passport"
    return "other"


def tax_parent(form: str) -> str | None:
    """The parent's 10-digit tax code of a 13-digit branch tax code, else None."""
    if len(form) == TAX_BRANCH_LENGTH and form.isdigit():
        return form[:TAX_CODE_LENGTH]
    return None


def separator_pattern(value: str) -> str:
    """The value with each run of letters and digits replaced by ``x``: two
    values that differ in this pattern differ in their separators."""
    return re.sub(r"[A-Za-z0-9]+", "x", value.strip())
