"""VNI-Windows, the legacy Vietnamese 8-bit encoding, as it looks when read as Windows-1252.

Text typed in VNI fonts and later read as Unicode shows "Nguyễn" as "Nguyeãn" and "Bùi" as
"Buøi". ``derive_names`` repairs such names in the source data; the generator writes a few
on purpose (legacy-encoded declarations the engine must recognise, see ``generator``).
"""

from __future__ import annotations

import unicodedata
from typing import Final

_CIRCUMFLEX, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"

# A modifier byte after a vowel: (quality mark, tone mark).
_MODIFIERS: Final = {
    "ù": ("", _ACUTE), "ø": ("", _GRAVE), "û": ("", _HOOK), "õ": ("", _TILDE), "ï": ("", _DOT),
    "â": (_CIRCUMFLEX, ""), "á": (_CIRCUMFLEX, _ACUTE), "à": (_CIRCUMFLEX, _GRAVE),
    "å": (_CIRCUMFLEX, _HOOK), "ã": (_CIRCUMFLEX, _TILDE), "ä": (_CIRCUMFLEX, _DOT),
    "ê": (_BREVE, ""), "é": (_BREVE, _ACUTE), "è": (_BREVE, _GRAVE),
    "ú": (_BREVE, _HOOK), "ü": (_BREVE, _TILDE), "ë": (_BREVE, _DOT),
}
_MODIFIERS_ANY_CASE: Final = {**_MODIFIERS, **{k.upper(): v for k, v in _MODIFIERS.items()}}
# Letters VNI writes as one byte of their own.
_STANDALONE: Final = {
    "ô": "ơ", "ö": "ư", "ñ": "đ", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ",
}
_STANDALONE_ANY_CASE: Final = {
    **_STANDALONE, **{k.upper(): v.upper() for k, v in _STANDALONE.items()}
}
_BASE_VOWELS: Final = frozenset("aeiouyAEIOUY")
_QUALITY_OK: Final = {_CIRCUMFLEX: frozenset("aeoAEO"), _BREVE: frozenset("aA")}


def decode(text: str) -> str | None:
    """VNI text (read as Windows-1252) to NFC Unicode; None if it is not VNI spelling."""
    out: list[str] = []
    chars = list(text)
    i = 0
    while i < len(chars):
        ch = chars[i]
        nxt = chars[i + 1] if i + 1 < len(chars) else ""
        letter = _STANDALONE_ANY_CASE.get(ch, ch)
        can_take_mark = ch in _BASE_VOWELS or letter in "ơưƠƯ"
        if can_take_mark and nxt in _MODIFIERS_ANY_CASE:
            quality, tone = _MODIFIERS_ANY_CASE[nxt]
            if quality and ch not in _QUALITY_OK[quality]:
                return None
            out.append(unicodedata.normalize("NFC", letter + quality + tone))
            i += 2
            continue
        if ch in _MODIFIERS_ANY_CASE:
            return None  # a modifier with no vowel before it
        out.append(letter)
        i += 1
    return unicodedata.normalize("NFC", "".join(out))


_TONE_BYTE: Final = {"": "", _ACUTE: "ù", _GRAVE: "ø", _HOOK: "û", _TILDE: "õ", _DOT: "ï"}
_CIRCUMFLEX_BYTE: Final = {"": "â", _ACUTE: "á", _GRAVE: "à", _HOOK: "å", _TILDE: "ã", _DOT: "ä"}
_BREVE_BYTE: Final = {"": "ê", _ACUTE: "é", _GRAVE: "è", _HOOK: "ú", _TILDE: "ü", _DOT: "ë"}
_I_BYTE: Final = {_ACUTE: "í", _GRAVE: "ì", _HOOK: "æ", _TILDE: "ó", _DOT: "ò"}


def encode(text: str) -> str:
    """NFC Unicode Vietnamese to VNI as read in Windows-1252 (the inverse of ``decode``)."""
    out: list[str] = []
    upper_word = text.upper() == text  # modifier bytes are capitals only in capitalised words
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        quality = next((m for m in marks if m in (_CIRCUMFLEX, _BREVE, _HORN)), "")
        tone = next((m for m in marks if m in _I_BYTE), "")
        if quality == _HORN:
            letter = {"o": "ô", "u": "ö"}[base.lower()]
            letter = letter.upper() if base.isupper() else letter
            modifier = _TONE_BYTE[tone]
        elif ch in "đĐ":
            letter, modifier = ("Ñ" if ch == "Đ" else "ñ"), ""
        elif base in "iI" and tone:
            letter, modifier = _I_BYTE[tone], ""
            letter = letter.upper() if base.isupper() else letter
        elif base in "yY" and tone == _DOT:
            letter, modifier = ("Î" if base.isupper() else "î"), ""
        elif quality == _CIRCUMFLEX:
            letter, modifier = base, _CIRCUMFLEX_BYTE[tone]
        elif quality == _BREVE:
            letter, modifier = base, _BREVE_BYTE[tone]
        elif tone:
            letter, modifier = base, _TONE_BYTE[tone]
        else:
            letter, modifier = ch, ""
        out.append(letter + (modifier.upper() if upper_word else modifier))
    return "".join(out)
