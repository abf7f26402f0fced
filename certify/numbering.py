"""Certificate numbers: ``CN-YYYY-SSSSSSSS-C``.

``YYYY`` is the year of issue, ``SSSSSSSS`` an 8-digit sequence within the year
and ``C`` a Damm check digit over the 12 digits. The Damm algorithm catches
every single-digit substitution and every swap of two adjacent digits, so a
number mistyped on a bank's form is refused instead of finding another
certificate.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from certify.errors import CertificateNumberError
from certify.wording import label

PREFIX = "CN"
MAX_SEQUENCE = 99_999_999

# Damm's totally anti-symmetric quasigroup of order 10.
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

_CANONICAL = re.compile(r"CN-(\d{4})-(\d{8})-(\d)")
_LENIENT = re.compile(r"CN-?(\d{4})-?(\d{8})-?(\d)")


class CertificateNumber(NamedTuple):
    year: int
    sequence: int

    def __str__(self) -> str:
        return new_number(self.sequence, self.year)


def check_digit(digits: str) -> str:
    """Damm check digit of a string of ASCII digits."""
    interim = 0
    for ch in digits:
        if not "0" <= ch <= "9":
            raise ValueError(f"not a digit: {ch!r}")
        interim = _DAMM[interim][ord(ch) - 48]
    return str(interim)


def new_number(seq: int, year: int) -> str:
    """The certificate number for sequence ``seq`` (1..99 999 999) of ``year``."""
    if not 1 <= seq <= MAX_SEQUENCE:
        raise ValueError(f"sequence out of range 1..{MAX_SEQUENCE}: {seq}")
    if not 2000 <= year <= 9999:
        raise ValueError(f"year out of range 2000..9999: {year}")
    body = f"{year:04d}{seq:08d}"
    return f"{PREFIX}-{year:04d}-{seq:08d}-{check_digit(body)}"


def is_valid_number(text: str) -> bool:
    """True for a number in canonical form whose check digit is right."""
    m = _CANONICAL.fullmatch(text)
    if m is None:
        return False
    year, seq, check = m.groups()
    return int(seq) >= 1 and int(year) >= 2000 and check_digit(year + seq) == check


def parse_number(text: str) -> CertificateNumber:
    """Read a number as a person may type it (case, spaces and hyphens forgiven).

    Raises :class:`CertificateNumberError` (a ``ValueError``) when the text is not
    a certificate number or its check digit is wrong.
    """
    compact = re.sub(r"\s+", "", text).upper()
    m = _LENIENT.fullmatch(compact)
    if m is not None:
        year, seq, check = m.groups()
        if int(seq) >= 1 and int(year) >= 2000 and check_digit(year + seq) == check:
            return CertificateNumber(int(year), int(seq))
    msg = label("errors", "bad_number").format(text=text[:40])
    raise CertificateNumberError(msg.vi, msg.en)
