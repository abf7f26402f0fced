"""The text normal forms of the matching contract.

* **N0, clean text**: NFC; legacy encodings repaired; control characters
  removed (white-space controls become spaces); canonical tone placement.
* **N1, exact form**: N0, case-folded, every run of characters that are not
  letters or digits turned into one space, trimmed. Diacritics kept.
* **N2, folded form**: N1 without diacritics, ``đ`` → ``d``.

N2 of Vietnamese text is ASCII. Other Latin letters with diacritics fold to
ASCII too (``ø`` → ``o`` through ``unidecode``); letters of other scripts stay.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

from unidecode import unidecode

from normalizers.alphabet import FOLD_TO_ASCII
from normalizers.legacy import needs_repair, repair_legacy
from normalizers.tones import canonical_tones

_ASCII_CONTROLS: Final = re.compile(r"[\x00-\x1f\x7f]")


def _control_class() -> str:
    """Regex class of every control (Cc) and format (Cf) character."""
    ranges = [range(0x10000), range(0x110BD, 0x13440), range(0x1BCA0, 0x1D17B),
              range(0xE0000, 0xE0080)]
    chars = [chr(code) for block in ranges for code in block
             if unicodedata.category(chr(code)) in ("Cc", "Cf")]
    return "[" + "".join(re.escape(char) for char in chars) + "]"


_CONTROLS: Final = re.compile(_control_class())
_WHITESPACE_CONTROLS: Final = re.compile(r"[\t\n\r\x0b\x0c\x1c-\x1f\x85\u2028\u2029]")
_NON_WORD: Final = re.compile(r"[\W_]+")
_NON_WORD_BUT_SPACE: Final = re.compile(r"[^\w ]|_")
_ETH: Final = str.maketrans({"Ð": "Đ", "ð": "đ"})
_FOLD: Final = str.maketrans(FOLD_TO_ASCII)


def _remove_controls(text: str) -> str:
    """White-space controls become spaces; other control and format characters go."""
    text = _WHITESPACE_CONTROLS.sub(" ", text)
    return _CONTROLS.sub("", text)


def _has_controls(text: str) -> bool:
    return _CONTROLS.search(text) is not None


@lru_cache(maxsize=65536)
def n0(text: str) -> str:
    """Clean text (N0)."""
    if text.isascii():
        return _remove_controls(text) if _has_controls(text) else text
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = text.translate(_ETH)
    needed = needs_repair(text)
    if not needed and _has_controls(text):
        # a control between two letters hid a legacy-encoded word that its removal joins
        # (``Y\x1bÒ``): removed first, the word is repaired now, not by a second N0
        text = _remove_controls(text)
        needed = needs_repair(text)
    if not needed:
        return canonical_tones(text)
    for _ in range(4):  # repair, control removal and tones until nothing changes
        before = text
        if needs_repair(text):
            text = unicodedata.normalize("NFC", repair_legacy(text))
        if _has_controls(text):
            text = _remove_controls(text)
        text = canonical_tones(text)
        if text == before or not needs_repair(text):
            break
    return text


def _n1_from_n0(clean: str) -> str:
    folded = clean.casefold()
    if not folded.isascii() and not unicodedata.is_normalized("NFC", folded):
        folded = unicodedata.normalize("NFC", folded)
    return _NON_WORD.sub(" ", folded).strip()


@lru_cache(maxsize=65536)
def n1(text: str) -> str:
    """Exact form (N1).

    Names are made of a small vocabulary of syllables, so N1 is computed word by
    word through a word cache when no word needs legacy repair (the result is
    the same: no step of N0 or N1 looks across white space). Otherwise the
    whole text goes through :func:`_n1_whole`."""
    if "\u00a0" in text:  # a space or a byte of UTF-8 mojibake: repair decides
        return _n1_whole(text)
    parts: list[str] = []
    for word in text.split():
        exact = _n1_word(word)
        if exact is None:
            return _n1_whole(text)
        if exact:
            parts.append(exact)
    return " ".join(parts)


@lru_cache(maxsize=65536)
def _n1_word(word: str) -> str | None:
    """N1 of one white-space-free word, or None when it needs the whole text."""
    if not word.isascii() and needs_repair(unicodedata.normalize("NFC", word)):
        return None
    exact = _n1_from_n0(n0(word))
    if not exact.isascii() and needs_repair(exact):
        return None
    return exact


def _n1_whole(text: str) -> str:
    """N1 of a whole text.

    Dropping punctuation can expose a legacy-encoded word that N0 left alone
    (a TCVN3 symbol next to a letter), so the result is cleaned again until it
    is its own N0: that makes N1 idempotent."""
    clean = n0(text)
    exact = _n1_from_n0(clean)
    if exact.isascii() or not _NON_WORD_BUT_SPACE.search(clean):
        return exact  # nothing but case and spaces changed: N0 stays N0
    for _ in range(3):
        if exact.isascii() or not needs_repair(exact):
            break
        again = _n1_from_n0(n0(exact))
        if again == exact:
            break
        exact = again
    return exact


@lru_cache(maxsize=65536)
def fold(n1_text: str) -> str:
    """N1 text -> N2: diacritics removed, đ -> d. Expects N1 (lower case,
    letters, digits and single spaces) and keeps its spaces where they are."""
    folded = n1_text.translate(_FOLD)
    if folded.isascii():
        return folded
    return " ".join(_fold_token_slow(token) for token in folded.split(" "))


def _fold_token_slow(token: str) -> str:
    """Strip combining marks; Latin letters left non-ASCII go through unidecode.
    Never returns an empty string for a non-empty token, nor a space."""
    stripped = "".join(
        char for char in unicodedata.normalize("NFKD", token)
        if not unicodedata.combining(char)
    )
    out: list[str] = []
    for char in stripped:
        if char.isascii() or not unicodedata.name(char, "").startswith("LATIN"):
            out.append(char.lower())
            continue
        ascii_form = _NON_WORD.sub("", unidecode(char).casefold())
        out.append(ascii_form or char)
    result = _NON_WORD.sub("", "".join(out))
    return result or token


def n2(text: str) -> str:
    """Folded form (N2)."""
    return fold(n1(text))


def tokens(n1_text: str) -> list[str]:
    """Words of an N1 string."""
    return n1_text.split()


def has_diacritics(token: str) -> bool:
    """True when a word (in N1) carries any diacritic, i.e. differs from its N2."""
    return not token.isascii() and fold(token) != token
