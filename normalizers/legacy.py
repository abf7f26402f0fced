"""Repair text typed in legacy Vietnamese encodings.

Before Unicode, Vietnamese was typed with font-based encodings. When such text
is copied into a Unicode system each byte turns into the Windows-1252
character with the same code, giving mojibake such as ``Buøi Minh Hoaøng``
(VNI-Windows) or ``NguyÔn V¨n Tó`` (TCVN3/ABC). A third kind is UTF-8 bytes
read back as Windows-1252 or Windows-1250 (``BĂši Minh Anh TháşŁo``).

:func:`repair_legacy` converts such text back to Unicode. It never touches
valid Vietnamese Unicode:

* VNI and TCVN3 decoding is tried only when the text holds a character that
  Vietnamese Unicode text does not use (``ø``, ``ö``, ``¨``, ``©``, …), only on
  text made entirely of Windows-1252 characters, and the result is kept only
  when every word is a well-formed Vietnamese syllable.
* UTF-8 re-decoding is strict (a wrong guess fails to decode) and is also kept
  only when the result is well-formed Vietnamese.

Each word is repaired on its own, because real data mixes Unicode and legacy
words in one name (``Nông Trung Haäu``): a word is decoded only when it is not
well-formed Vietnamese Unicode (a suspicious character, or letters that make no
Vietnamese syllable such as ``Ngoâ``). The price: a legacy word that happens to
be valid Unicode too (TCVN3 ``Tó`` for ``Tú``) stays as it is. The VNI and TCVN3 tables live
in ``normalizers/data/`` as TSV files.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Final

from normalizers.alphabet import DECOMPOSE, NO_TONE, VIETNAMESE_LETTERS
from normalizers.data_files import read_text
from normalizers.syllables import is_valid


def _load_table(name: str) -> dict[str, str]:
    """Legacy sequence -> Unicode letter, from a TSV file ``letter<TAB>sequence``."""
    table: dict[str, str] = {}
    text = read_text(name)
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        letter, sequence = line.split("\t")
        table[sequence] = letter
    return table


#: VNI sequence (one or two characters) -> Unicode letter.
VNI_TO_UNICODE: Final = _load_table("vni_windows.tsv")
#: TCVN3 character -> Unicode letter.
TCVN3_TO_UNICODE: Final = _load_table("tcvn3.tsv")
UNICODE_TO_VNI: Final = {letter: seq for seq, letter in VNI_TO_UNICODE.items()}
UNICODE_TO_TCVN3: Final = {letter: seq for seq, letter in TCVN3_TO_UNICODE.items()}

_TCVN3_TRANSLATION: Final = str.maketrans(TCVN3_TO_UNICODE)


def _code_page_chars(code_page: str) -> dict[str, int]:
    """Character -> byte for a Windows code page; undefined bytes map to the C1
    control character of the same number, as lenient decoders produce them."""
    chars: dict[str, int] = {}
    for byte in range(256):
        try:
            char = bytes([byte]).decode(code_page)
        except UnicodeDecodeError:
            char = chr(byte)
        chars[char] = byte
    return chars


_CP1252: Final = _code_page_chars("cp1252")
_CP1250: Final = _code_page_chars("cp1250")
_LATIN2: Final = _code_page_chars("iso8859_2")

#: Characters that valid Vietnamese Unicode text does not contain but legacy
#: text does: every non-ASCII character of Windows-1252/1250 that is neither a
#: Vietnamese letter nor white space, nor common typographic punctuation.
_TYPOGRAPHIC: Final = frozenset("\u00a0\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u2022")
SUSPICIOUS: Final = frozenset(
    char for char in list(_CP1252) + list(_CP1250) + list(_LATIN2)
    if not char.isascii() and char not in VIETNAMESE_LETTERS and char not in _TYPOGRAPHIC
)
_HAS_SUSPICIOUS: Final = re.compile("[" + re.escape("".join(sorted(SUSPICIOUS))) + "]")
_LETTER_RUN: Final = re.compile(r"[^\W\d_]+")
#: What is repaired as one word: ASCII letters and any non-ASCII character.
_REPAIR_UNIT: Final = re.compile(r"[A-Za-z\u0080-\U0010ffff]+")
#: A no-break space that is a space, not a byte of UTF-8 mojibake: one that does not
#: follow a character whose byte (Windows-1252 or -1250) starts or continues a UTF-8
#: sequence (``à`` is ``Ã`` + no-break space). It separates words, as ``str.split``
#: and so N1's word-by-word path have it.
_SPACE_NBSP: Final = re.compile("(?<![" + re.escape("".join(sorted(
    {char for table in (_CP1252, _CP1250) for char, byte in table.items()
     if 0x80 <= byte <= 0xBF or 0xC2 <= byte <= 0xF4}))) + "])\u00a0")
#: No-break space and C1 controls: in UTF-8 mojibake they are continuation bytes.
_UTF8_HINT: Final = re.compile(r"[\u0080-\u00a0]")


def decode_vni(text: str) -> str:
    """Read VNI-Windows mojibake as Vietnamese (longest sequence first)."""
    out: list[str] = []
    i = 0
    length = len(text)
    while i < length:
        pair = text[i:i + 2]
        if len(pair) == 2 and pair in VNI_TO_UNICODE:
            out.append(VNI_TO_UNICODE[pair])
            i += 2
            continue
        out.append(VNI_TO_UNICODE.get(text[i], text[i]))
        i += 1
    return "".join(out)


def decode_tcvn3(text: str) -> str:
    """Read TCVN3 (ABC) mojibake as Vietnamese."""
    return text.translate(_TCVN3_TRANSLATION)


def encode_vni(text: str) -> str:
    """Vietnamese Unicode (NFC) -> VNI-Windows mojibake; for tests and tools."""
    return "".join(UNICODE_TO_VNI.get(char, char) for char in text)


def encode_tcvn3(text: str) -> str:
    """Vietnamese Unicode (NFC) -> TCVN3 mojibake. Upper-case toned vowels do
    not exist in TCVN3 and come out lower-case."""
    out: list[str] = []
    for char in text:
        sequence = UNICODE_TO_TCVN3.get(char)
        if sequence is None:
            sequence = UNICODE_TO_TCVN3.get(char.lower(), char)
        out.append(sequence)
    return "".join(out)


@lru_cache(maxsize=65536)
def _word_is_vietnamese(word: str) -> bool:
    if word.isascii():
        return True
    tones = 0
    toneless: list[str] = []
    for char in word:
        if char not in VIETNAMESE_LETTERS:
            return False
        parts = DECOMPOSE.get(char)
        if parts is None:
            toneless.append(char.lower())
            continue
        base, tone = parts
        tones += tone != NO_TONE
        toneless.append(base.lower())
    return tones <= 1 and is_valid("".join(toneless))


def is_vietnamese_text(text: str) -> bool:
    """True when no character is suspicious and every word holding a non-ASCII
    letter is one well-formed Vietnamese syllable with at most one tone mark."""
    if _HAS_SUSPICIOUS.search(text):
        return False
    return all(_word_is_vietnamese(word) for word in _LETTER_RUN.findall(text))


def _in_code_page(text: str, chars: dict[str, int]) -> bool:
    return all(char in chars for char in text)


def _redecode_utf8(text: str) -> str | None:
    """UTF-8 bytes that were read as Windows-1252 or -1250, read again as UTF-8."""
    if text.isascii():
        return None
    for chars in (_CP1252, _LATIN2, _CP1250):
        if not _in_code_page(text, chars):
            continue
        raw = bytes(chars[char] for char in text)
        try:
            decoded = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if decoded != text and is_vietnamese_text(decoded):
            return decoded
    return None


def _decode_font_encoding(text: str, decoders: tuple[_Decoder, ...]) -> str | None:
    """VNI-Windows or TCVN3 mojibake, read as Vietnamese (the caller has
    found the text is not well-formed Vietnamese Unicode)."""
    for decode in decoders:
        decoded = _decode_with(text, decode)
        if decoded is not None:
            return decoded
    return None


@lru_cache(maxsize=16384)
def _decode_with(text: str, decode: _Decoder) -> str | None:
    if not _LEGACY_CHARS[decode] & set(text) or not _in_code_page(text, _CP1252):
        return None
    decoded = decode(text)
    if decoded != text and is_vietnamese_text(decoded):
        return decoded
    return None


_Decoder = Callable[[str], str]
_FONT_DECODERS: Final[tuple[_Decoder, ...]] = (decode_vni, decode_tcvn3)
#: Non-ASCII characters each table reads differently; a word without any is not theirs.
_LEGACY_CHARS: Final[dict[_Decoder, frozenset[str]]] = {
    decode_vni: frozenset(char for seq in VNI_TO_UNICODE for char in seq if not char.isascii()),
    decode_tcvn3: frozenset(TCVN3_TO_UNICODE),
}


def _needs_word_repair(word: str) -> bool:
    return not word.isascii() and (
        not is_vietnamese_text(word) or _UTF8_HINT.search(word) is not None)


def _repair_word(word: str, decoders: tuple[_Decoder, ...]) -> tuple[str, _Decoder | None]:
    """The word repaired, and the font table used (None for UTF-8 or no repair)."""
    repaired = _redecode_utf8(word)
    if repaired is not None:
        return repaired, None
    for decode in decoders:
        repaired = _decode_font_encoding(word, (decode,))
        if repaired is not None:
            return repaired, decode
    folded = word.casefold()
    if folded != word:  # mixed-case legacy pairs such as "Aø"
        return _decode_font_encoding(folded, decoders) or word, None
    return word, None


def _preferred_decoders(words: list[str]) -> tuple[_Decoder, ...]:
    """Font tables ordered by how many of the words they decode (VNI first on ties)."""
    counts = {
        decode: sum(_decode_font_encoding(word, (decode,)) is not None for word in words)
        for decode in _FONT_DECODERS
    }
    return tuple(sorted(_FONT_DECODERS, key=lambda decode: -counts[decode]))


def needs_repair(text: str) -> bool:
    """Could this NFC text hold legacy-encoded words? (False for ASCII and for
    text that is all well-formed Vietnamese.)"""
    if text.isascii():
        return False
    return not is_vietnamese_text(text) or _UTF8_HINT.search(text) is not None


@lru_cache(maxsize=4096)
def repair_legacy(text: str) -> str:
    """Text (NFC) with legacy-encoded words converted to Unicode. A word that
    is well-formed Vietnamese Unicode is never changed. A word of symbols only
    (TCVN3 ``¸`` is ``á``) is decoded only when it has two or more characters
    or another word of the text was decoded with the same table; a lone ``©``
    stays a symbol."""
    if not needs_repair(text):
        return text
    spans = [m.span() for m in _REPAIR_UNIT.finditer(_SPACE_NBSP.sub(" ", text))]
    words = [text[start:end] for start, end in spans]
    pieces = [text[end:start] for (_, end), (start, _) in
              zip([(0, 0), *spans], [*spans, (len(text), len(text))], strict=True)]
    broken = [i for i, word in enumerate(words) if _needs_word_repair(word)]
    lettered = [i for i in broken if any(char.isalpha() for char in words[i])]
    decoders = _preferred_decoders([words[i] for i in lettered])
    used: set[_Decoder] = set()
    repaired = list(words)
    for index in lettered:
        repaired[index], decode = _repair_word(words[index], decoders)
        if decode is not None:
            used.add(decode)
    for index in broken:
        word = words[index]
        if index in lettered:
            continue
        context = tuple(d for d in decoders if d in used) if len(word) < 2 else decoders
        repaired[index] = (_redecode_utf8(word) if len(word) >= 2 else None) or (
            _decode_font_encoding(word, context) or word)
    out = [pieces[0]]
    for word, piece in zip(repaired, pieces[1:], strict=True):
        out.append(word)
        out.append(piece)
    return "".join(out)
