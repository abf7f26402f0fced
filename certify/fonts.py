"""Font registration for certificates: a TrueType font that prints every Vietnamese letter."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from certify.errors import FontError
from certify.wording import label

DEFAULT_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
DEFAULT_REGULAR = DEFAULT_FONT_DIR / "DejaVuSans.ttf"
DEFAULT_BOLD = DEFAULT_FONT_DIR / "DejaVuSans-Bold.ttf"

# Every letter of the Vietnamese alphabet with every tone mark, both cases, and
# the symbols the certificate prints.
_VOWELS = "aăâeêioôơuưy"
_TONES = "\u0300\u0301\u0303\u0309\u0323"
VIETNAMESE_CHARS = (
    frozenset(
        "abcdefghijklmnopqrstuvwxyzđABCDEFGHIJKLMNOPQRSTUVWXYZĐ0123456789"
        "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
        "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
        "–—“”‘’…·•«»№"
    )
    | frozenset(_VOWELS)
    | frozenset(_TONES)
)


@dataclass(frozen=True)
class FontSet:
    """ReportLab names of the registered regular and bold faces."""

    regular: str
    bold: str


_lock = threading.Lock()
_registered: dict[tuple[Path, Path], FontSet] = {}


def _load(path: Path) -> TTFont:
    if not path.is_file():
        msg = label("errors", "font_missing").format(path=path)
        raise FontError(msg.vi, msg.en)
    name = "Cert-" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    try:
        font = TTFont(name, str(path))
    except (TTFError, OSError) as exc:
        msg = label("errors", "font_missing").format(path=f"{path} ({exc})")
        raise FontError(msg.vi, msg.en) from exc
    cmap: dict[int, int] = font.face.charToGlyph
    missing = sorted(ch for ch in VIETNAMESE_CHARS if ord(ch) not in cmap)
    if missing:
        msg = label("errors", "font_lacks_glyphs").format(path=path, chars=" ".join(missing))
        raise FontError(msg.vi, msg.en)
    return font


def register_fonts(regular: Path | None = None, bold: Path | None = None) -> FontSet:
    """Register (once per pair of paths) and return the font names to use.

    Defaults are Debian's DejaVu Sans (package ``fonts-dejavu-core``). Raises
    :class:`FontError` with an install hint if a file is missing, or if the font
    cannot print every Vietnamese letter.
    """
    key = (Path(regular or DEFAULT_REGULAR), Path(bold or DEFAULT_BOLD))
    with _lock:
        found = _registered.get(key)
        if found is not None:
            return found
        regular_font, bold_font = _load(key[0]), _load(key[1])
        pdfmetrics.registerFont(regular_font)
        pdfmetrics.registerFont(bold_font)
        faces: tuple[tuple[Literal[0, 1], Literal[0, 1], str], ...] = (
            (0, 0, regular_font.fontName),
            (1, 0, bold_font.fontName),
            (0, 1, regular_font.fontName),
            (1, 1, bold_font.fontName),
        )
        for bold_flag, italic_flag, face in faces:
            addMapping(regular_font.fontName, bold_flag, italic_flag, face)
        fonts = FontSet(regular=regular_font.fontName, bold=bold_font.fontName)
        _registered[key] = fonts
        return fonts
