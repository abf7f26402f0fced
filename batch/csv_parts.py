"""CSV text of a batch's match columns, rendered once per lookup.

The CSV export has one line per match: the row's and criterion's columns around the
match's columns (``export.KEYS``). The match's part is the same for every row that
asks the same lookup, so workers store it with the lookup (``lookup_lines``) and the
export only puts lines together. Quoting is ``csv.writer``'s (minimal), field by field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

#: What a spreadsheet may take for the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: Any) -> Any:
    """A text cell that Excel or LibreOffice could run as a formula, prefixed with a single
    quote (OWASP's advice: the quote shows, and the cell stays text); anything else as is.
    Numbers are ours, never the uploader's, and stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_field(value: Any) -> str:
    """One field as ``csv.writer`` writes it (minimal quoting) after ``neutralised``: the
    common case of a match's columns without the writer's per-line overhead."""
    value = neutralised(value)
    text = "" if value is None else value if isinstance(value, str) else repr(value)
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    if "," in text or "\n" in text or "\r" in text:
        return f'"{text}"'
    return text


_FEW_KEPT: Final = 10_000


class FewValues(dict[Any, str]):
    """Text fields with few distinct values (tier, reasons, kind, ...) quoted once (text
    only: as keys, 0, 0.0 and False are one)."""

    def __missing__(self, value: Any) -> str:
        if len(self) >= _FEW_KEPT:
            self.clear()
        text = self[value] = csv_field(value)
        return text


def match_fields(match: dict[str, Any], few: FewValues) -> str:
    """A match's columns (``match_values``, field for field: the export's property test
    compares the two) as CSV text."""
    registration = match["registration"]
    matched = match["matched"]
    return (f'{few[match["tier"]]},{csv_field(match["score"])},{few[", ".join(match["reasons"])]},'
            f'{few[matched["role"]]},{csv_field(matched["position"])},{few[matched["field"]]},'
            f'{csv_field(matched["value_as_registered"])},'
            f'{csv_field(registration["registration_number"])},{few[registration["kind"]]},'
            f'{few[registration["status"]]},{csv_field(registration["registered_at"])}')


#: Version of the match columns stored with each lookup (``lookup_lines``): lines stored
#: in another version are rendered again from the lookup's result. Bump it whenever
#: ``match_values`` or the quoting changes.
CSV_FORMAT: Final = 2


@dataclass(frozen=True)
class CsvLookup:
    """What the CSV lines of a lookup need: its counts and its matches' columns."""

    exact_count: int
    close_count: int
    close_left_out: int
    #: Each match's columns as CSV text, exact tier first.
    lines: list[str]

    @classmethod
    def of_stored(cls, stored: list[Any]) -> CsvLookup | None:
        """From ``lookup_lines``' list; None when stored in another format version."""
        if not stored or stored[0] != CSV_FORMAT:
            return None
        return cls(stored[1], stored[2], stored[3], stored[4:])

    @classmethod
    def of_result(cls, result: dict[str, Any], few: FewValues | None = None) -> CsvLookup:
        few = FewValues() if few is None else few
        return cls(result["exact"]["count"], result["close"]["count"],
                   result["close"]["left_out"],
                   [match_fields(m, few) for tier in ("exact", "close")
                    for m in result[tier]["results"]])


def lookup_lines(result: dict[str, Any], few: FewValues | None = None) -> list[Any]:
    """A lookup's CSV parts to store beside its result (``batch_lookups.csv``), so that
    the CSV export puts lines together without reading the matches again."""
    found = CsvLookup.of_result(result, few)
    return [CSV_FORMAT, found.exact_count, found.close_count, found.close_left_out,
            *found.lines]


def match_values(match: dict[str, Any]) -> tuple[Any, ...]:
    """A match's values for its columns (``export.KEYS`` from ``tier`` to ``registered_at``)."""
    registration = match["registration"]
    matched = match["matched"]
    return (match["tier"], match["score"], ", ".join(match["reasons"]), matched["role"],
            matched["position"], matched["field"], matched["value_as_registered"],
            registration["registration_number"], registration["kind"],
            registration["status"], registration["registered_at"])


