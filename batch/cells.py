"""One spreadsheet cell → the text to search, undoing what spreadsheets do to numbers.

Excel turns ID numbers into numbers: ``001190012345`` becomes ``1190012345``
(leading zeros lost), and long ones are shown, and exported to CSV, as
``1.19001E+11`` or come back as ``1190012345.0``. Numbers are turned back into
digit strings and the row carries a note. Lost leading zeros are not restored
(they cannot be known): the contract's close tier (``leading_zeros``) finds them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Final

from batch.messages import Message
from query.criteria import NUMBER_CRITERIA

#: Criteria whose values are numbers or codes, never words.
NUMBER_FIELDS: Final = NUMBER_CRITERIA

_SCIENTIFIC: Final = re.compile(r"\s*(\d+(?:[.,]\d+)?)[eE]\+?(\d{1,2})\s*")
_INTEGER_WITH_ZERO_FRACTION: Final = re.compile(r"\s*(\d+)[.,]0+\s*")


@dataclass(frozen=True)
class CellText:
    text: str | None
    note: Message | None = None
    not_text: bool = False


def _digits(number: Decimal) -> str | None:
    if number != number.to_integral_value():
        return None
    return str(int(number))


def _number_cell(value: int | float, field: str, column: str) -> CellText:
    if isinstance(value, float) and not value.is_integer():
        return CellText(repr(value))
    text = str(int(value))
    if field not in NUMBER_FIELDS:
        return CellText(text)
    original = repr(value) if isinstance(value, float) else text
    return CellText(text, Message.of("numeric_cell", column, original=original, value=text))


def _number_text(text: str, field: str, column: str) -> CellText:
    """A string cell of a number field as Excel may have rewritten it."""
    scientific = _SCIENTIFIC.fullmatch(text)
    if scientific:
        try:
            number = Decimal(scientific.group(1).replace(",", ".")).scaleb(
                int(scientific.group(2)))
        except InvalidOperation:
            return CellText(text)
        digits = _digits(number)
        if digits is not None:
            return CellText(digits, Message.of("scientific_notation", column,
                                               original=text.strip(), value=digits))
    zero_fraction = _INTEGER_WITH_ZERO_FRACTION.fullmatch(text)
    if zero_fraction:
        digits = zero_fraction.group(1)
        return CellText(digits, Message.of("numeric_cell", column, original=text.strip(),
                                           value=digits))
    return CellText(text)


def cell_text(value: object, field: str, column: str) -> CellText:
    """The cell's text (None when empty), with a note when a number was turned back."""
    if value is None:
        return CellText(None)
    if isinstance(value, bool):
        return CellText(None, not_text=True)
    if isinstance(value, int | float):
        return _number_cell(value, field, column)
    if isinstance(value, datetime | date | time):
        return CellText(value.isoformat())
    if not isinstance(value, str):
        return CellText(None, not_text=True)
    if not value.strip():
        return CellText(None)
    if field in NUMBER_FIELDS:
        return _number_text(value, field, column)
    return CellText(value)
