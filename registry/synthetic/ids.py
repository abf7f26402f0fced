"""Identity, tax and business-registration numbers as Vietnamese authorities issue them.

- CCCD (citizen identity card, 12 digits): 3-digit place code of the province of birth
  registration, a century/sex digit (0/1: born 1900–1999, male/female; 2/3: 2000–2099), the
  last two digits of the birth year, then 6 digits.
- CMND (old identity card, 9 digits): 2-digit area code then 7 digits.
- Passport: one letter and 7 digits (B…, C…).
- Tax code (mã số thuế, 10 digits; since 2010 also the enterprise registration number):
  2-digit province prefix, 7 digits, and a check digit: 10 - (sum of the first 9 digits
  weighted 31, 29, 23, 19, 17, 13, 7, 5, 3) mod 11; a result of 10 or 11 is never issued.
  A branch has the parent's 10 digits, "-" and 3 digits.

Real numbers identify one holder, so the free digits come from ``Numbering``: a keyed
bijection of a person's or organisation's serial in the data set, which keeps numbers unique
(up to a million people per namespace and a million organisations) and looks random.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from typing import Final

from registry.synthetic.places import PROVINCES
from registry.synthetic.sampling import choice, digits

TAX_WEIGHTS: Final = (31, 29, 23, 19, 17, 13, 7, 5, 3)
CCCD_PLACE_CODES: Final = frozenset(p.cccd for p in PROVINCES)
_TAX_RE: Final = re.compile(r"\d{10}(?:-\d{3})?")


def tax_check_digit(first_nine: str) -> int | None:
    """The check digit for 9 digits, or None when no valid code starts with them."""
    total = 0
    for digit, weight in zip(first_nine, TAX_WEIGHTS, strict=True):
        total += (ord(digit) - 48) * weight
    check = 10 - total % 11
    return check if check < 10 else None


def is_valid_tax_code(code: str) -> bool:
    """10 digits with a valid check digit, optionally followed by "-NNN" (a branch)."""
    if not _TAX_RE.fullmatch(code):
        return False
    return tax_check_digit(code[:9]) == int(code[9])


def permute(value: int, size: int, key: int) -> int:
    """A keyed bijection of [0, size): a 4-round Feistel network on a square that covers
    the range, walking the cycle until the result falls inside it."""
    side = math.isqrt(size - 1) + 1
    x = value
    while True:
        left, right = divmod(x, side)
        for round_ in range(4):
            mixed = (right * 0x9E3779B1 + key * 0x85EBCA6B + round_ * 0xC2B2AE35) & 0xFFFFFFFF
            left, right = right, (left + (mixed ^ (mixed >> 15))) % side
        x = left * side + right
        if x < size:
            return x


@dataclass(frozen=True)
class Numbering:
    """Unique free digits for the holders of one data set (``key`` varies with the seed)."""

    key: int

    def digits(self, serial: int, width: int, namespace: int = 0, bucket: int = 0) -> str:
        """``width`` digits for holder ``serial``: distinct serials (or namespaces, up to 5
        of width 7) give distinct digits while serial < 10**6. Each ``bucket`` (the rest of
        the number, when it splits holders) has its own permutation, so holders who share a
        serial in different buckets do not share digits either."""
        size = 10**width
        value = (serial + namespace * 2_000_000) % size if width >= 7 else serial % size
        return str(permute(value, size, self.key * 1_000_003 + bucket)).zfill(width)

    def tax_code(self, prefix: str, serial: int, reserved: frozenset[str] = frozenset(),
                 namespace: int = 0) -> str:
        """A valid tax code for holder ``serial``: prefix, series 0x or 1x (as most codes
        are), 6 unique digits, check digit. Where the check digit does not exist, or the
        code is reserved, the series moves up by 2 (2x, 4x, ...): still unique."""
        value = permute((serial + namespace * 1_000_000) % 2_000_000, 2_000_000, self.key)
        series, rest = divmod(value, 10**6)
        for step in range(series, 10, 2):
            first = f"{prefix}{step}{rest:06d}"
            check = tax_check_digit(first)
            if check is not None and (code := first + str(check)) not in reserved:
                return code
        raise ValueError(f"no valid tax code for serial {serial}")  # (1/11)^5: never seen


def random_tax_code(rng: random.Random, prefix: str) -> str:
    """A valid tax code drawn at random (for parties outside the numbered population)."""
    while True:
        first = f"{prefix}0{digits(rng, 6)}"
        check = tax_check_digit(first)
        if check is not None:
            return first + str(check)


def branch_tax_code(parent: str, branch: int) -> str:
    return f"{parent}-{branch:03d}"


def cccd(place_code: str, birth_year: int, female: bool, numbering: Numbering,
         serial: int) -> str:
    """The CCCD of holder ``serial``. People of one place, sex and birth year get distinct
    last digits; a borrower and spouse share a serial but never a sex."""
    head = f"{place_code}{(birth_year // 100 - 19) * 2 + int(female)}{birth_year % 100:02d}"
    return head + numbering.digits(serial, 6, bucket=int(head))


def is_valid_cccd(number: str) -> bool:
    """Structure of a CCCD number (place code from the real list, century digit 0–3)."""
    return (len(number) == 12 and number.isdigit() and number[:3] in CCCD_PLACE_CODES
            and number[3] in "0123")


def cccd_birth_year(number: str) -> int:
    return 1900 + 100 * (int(number[3]) // 2) + int(number[4:6])


def cmnd(area_code: str, suffix: str) -> str:
    """A 9-digit CMND: 2-digit area code and 7 digits."""
    return area_code + suffix


def passport(rng: random.Random, suffix: str) -> str:
    return choice(rng, "CCCB") + suffix

