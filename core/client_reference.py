"""The client reference: the bank's own loan or file number, carried on a search, a
certificate, a batch or a watch entry, echoed, stored, printed and listed (issue 24).

One rule, checked wherever one enters (the API's bodies and parameters, a batch or watch
file's ``client_reference`` column, the command line):

* at most :data:`MAX_LENGTH` characters, after surrounding white space is dropped (a blank
  reference is no reference);
* it starts with a letter or a digit (any script: ``HĐ-001`` is fine), so no spreadsheet
  reads it as a formula (``=``, ``+``, ``-``, ``@``);
* then only letters, digits, spaces and ``- _ . / : # ( )`` (no control characters, no
  quotes, no ``<`` or ``&``: it is printed on certificates and statements and sent in
  webhooks, and no ``,`` ``;`` or ``|``: it is a cell of a CSV file).

Pure: no I/O. The wording of its refusal is the API's (``query.problems``: rules
``max_length`` and ``client_reference_characters``).
"""

from __future__ import annotations

import unicodedata
from typing import Final

MAX_LENGTH: Final = 64
#: Punctuation a reference may hold besides letters, digits and spaces.
PUNCTUATION: Final = frozenset("-_./:#()")
FIELD: Final = "client_reference"


class ClientReferenceError(ValueError):
    """The reference breaks the rule: ``rule`` is ``max_length`` or
    ``client_reference_characters``."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


def _letter_or_digit(ch: str) -> bool:
    return unicodedata.category(ch)[0] in ("L", "N")


def problem(value: str) -> str | None:
    """The rule the (already cleaned) value breaks, or None."""
    if len(value) > MAX_LENGTH:
        return "max_length"
    if not _letter_or_digit(value[0]):
        return "client_reference_characters"
    for ch in value:
        if not (_letter_or_digit(ch) or ch == " " or ch in PUNCTUATION):
            return "client_reference_characters"
    return None


def clean(value: str | None) -> str | None:
    """The reference as stored: NFC, surrounding white space dropped, None when blank.
    Raises ``ClientReferenceError`` when it breaks the rule."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        return None
    rule = problem(text)
    if rule is not None:
        raise ClientReferenceError(rule)
    return text
