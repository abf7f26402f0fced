"""Small text helpers for the certificate: escaping, dates, money, bilingual markup."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from xml.sax.saxutils import escape

from certify.snapshot import VN_TZ
from certify.wording import Bilingual

EN_GREY = "#555555"


def esc(text: str) -> str:
    """Text as registered, made safe for ReportLab paragraph markup.

    NFC is applied for display only (decomposed Vietnamese prints badly without
    shaping); the stored snapshot keeps the text exactly as registered.
    """
    cleaned = "".join(
        ch if unicodedata.category(ch) != "Cc" else " " for ch in unicodedata.normalize("NFC", text)
    )
    return escape(cleaned)


def bi(pair: Bilingual, *, sep: str = " ") -> str:
    """Vietnamese, then the English in grey brackets (markup)."""
    if not pair.en:
        return esc(pair.vi)
    if not pair.vi:
        return f'<font color="{EN_GREY}">{esc(pair.en)}</font>'
    return f'{esc(pair.vi)}{sep}<font color="{EN_GREY}">({esc(pair.en)})</font>'


def bi_label(pair: Bilingual) -> str:
    """A bold bilingual label followed by a colon (markup)."""
    return f'<b>{esc(pair.vi)}</b> <font color="{EN_GREY}">({esc(pair.en)})</font>:'


def vn_datetime(value: datetime, *, seconds: bool = True) -> str:
    """``dd/mm/yyyy hh:mm:ss`` in Viet Nam time."""
    local = value.astimezone(VN_TZ)
    return local.strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")


def vn_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def vnd(amount: int) -> Bilingual:
    """``50.000 đồng`` / ``VND 50,000``."""
    grouped = f"{amount:,}"
    return Bilingual(f"{grouped.replace(',', '.')} đồng", f"VND {grouped}")


def pdf_date(value: datetime) -> str:
    """A PDF date string (``D:YYYYMMDDHHmmSS+07'00'``) in Viet Nam time."""
    local = value.astimezone(VN_TZ)
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hh, mm = divmod(abs(minutes), 60)
    return local.strftime("D:%Y%m%d%H%M%S") + f"{sign}{hh:02d}'{mm:02d}'"
