"""Serial form for chassis (VIN), engine and plate numbers.

**Serial form**: identifier form, then ``O`` → ``0``, ``Q`` → ``0``, ``I`` → ``1``
(as Australia's PPSR does), so ``RLHJC52*18#`` equals ``rlhjc5218`` and a
chassis number typed with ``O`` for ``0`` equals the right one.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from normalizers.identifiers import identifier_form

_CONFUSABLES: Final = str.maketrans({"O": "0", "Q": "0", "I": "1"})


@lru_cache(maxsize=65536)
def serial_form(value: str) -> str:
    """Identifier form with O, Q -> 0 and I -> 1."""
    return identifier_form(value).translate(_CONFUSABLES)


def serial_from_identifier(form: str) -> str:
    """Serial form of a value already in identifier form."""
    return form.translate(_CONFUSABLES)
