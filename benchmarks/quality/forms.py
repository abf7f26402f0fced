"""Shared forms of the query-variant generator: the variant record, the contract's normal
forms as the benchmark reads them (independently of ``normalizers/``), and edit distance."""


import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from registry.synthetic.vietnamese import (
    fold,
    restyle_tone,
)

EXACT, CLOSE, NONE = "exact", "close", "none"


@dataclass(frozen=True)
class Variant:
    query: str
    variant_class: str
    expected_tier: str  # exact | close | none


# --- shared forms -------------------------------------------------------------------------

_WORD: Final = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The words of a value: runs of letters and digits (N1 splits on everything else)."""
    return _WORD.findall(unicodedata.normalize("NFC", text))


@lru_cache(maxsize=1 << 16)
def n2(word: str) -> str:
    return fold(word).lower()


@lru_cache(maxsize=1 << 16)
def canonical(word: str) -> str:
    """N1 of one word: lower case, NFC, the tone mark in one fixed place (Hoà = Hòa)."""
    word = unicodedata.normalize("NFC", word).lower()
    restyled = restyle_tone(word)
    return min(word, restyled) if restyled else word


def osa(a: str, b: str) -> int:
    """Edit distance with insert, delete, substitute and adjacent swap (each costs one)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1,
                         rows[-1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def within_one_edit(a: str, b: str) -> bool:
    """osa(a, b) <= 1, in linear time."""
    if a == b:
        return True
    if len(a) < len(b):
        a, b = b, a
    if len(a) - len(b) > 1:
        return False
    i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(b))
    if len(a) != len(b):
        return a[i + 1:] == b[i:]  # one deletion
    return a[i + 1:] == b[i + 1:] or (a[i:i + 2] == b[i:i + 2][::-1] and a[i + 2:] == b[i + 2:])


def id_form(text: str) -> str:
    return "".join(c for c in fold(text).upper() if c.isascii() and c.isalnum())


def serial_form(text: str) -> str:
    return id_form(text).replace("O", "0").replace("Q", "0").replace("I", "1")


def keep_checked(variant: Variant, check: Callable[[], bool], out: list[Variant]) -> None:
    if variant.query and check():
        out.append(variant)
