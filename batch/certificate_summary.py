"""What a batch certificate says about the rows, read from the batch's JSON Lines results.

Built from exactly the objects that are embedded in the certificate (``export.json_object``
of each row), so anyone holding the attached file can recompute every count and line.

* counts of rows: total, valid, invalid, duplicate, searched (distinct lookups), with an
  exact match, with close matches only, with no match, whose search failed;
* the same per criterion (a row with several criteria counts once for each);
* a line for every criterion of every row that has any match (no-match rows are only
  counted: a batch of 100,000 rows keeps a readable certificate), with the registration
  numbers matched exactly, at most ``LISTED_REGISTRATIONS`` of them (all are in the file).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from certify.batch_snapshot import BatchCounts, CriterionTally, RowLine
from query.criteria import CRITERIA

#: Registration numbers printed per line; the rest are counted ("and N more").
LISTED_REGISTRATIONS: Final = 10


class RowNotSearchedError(ValueError):
    """A row of a batch that should be finished has no result (pending or cancelled)."""

    def __init__(self, row: int, status: str) -> None:
        super().__init__(f"row {row} is {status}")
        self.row, self.status = row, status


@dataclass
class _Tally:
    searched: int = 0
    with_exact: int = 0
    close_only: int = 0
    no_match: int = 0

    def add(self, exact: int, close: int) -> None:
        self.searched += 1
        if exact:
            self.with_exact += 1
        elif close:
            self.close_only += 1
        else:
            self.no_match += 1


def _registrations(found: dict[str, Any]) -> list[str]:
    """Distinct registration numbers of the exact tier, in result order."""
    numbers = (match["registration"]["registration_number"]
               for match in found["exact"]["results"])
    return list(dict.fromkeys(number for number in numbers if number))


def row_lines(obj: dict[str, Any]) -> list[RowLine]:
    """The lines of one searched row: one per criterion, or none when nothing matched."""
    criteria = obj["criteria"]
    if not any(c["exact"]["count"] or c["close"]["count"] for c in criteria):
        return []
    lines = []
    for found in criteria:
        numbers = _registrations(found)
        lines.append(RowLine(
            row=obj["row"], criterion=found["criterion"], party_type=found.get("party_type"),
            value_as_entered=found["value"], exact_count=found["exact"]["count"],
            close_count=found["close"]["count"],
            exact_registrations=tuple(numbers[:LISTED_REGISTRATIONS]),
            exact_registrations_total=len(numbers), duplicate_of=obj.get("duplicate_of")))
    return lines


@dataclass
class BatchSummary:
    """Counts and lines, fed one JSON Lines object at a time (``add`` or ``observe``)."""

    total: int = 0
    invalid: int = 0
    duplicate: int = 0
    #: Searched rows by what they found (all criteria of a row together).
    rows: _Tally = field(default_factory=_Tally)
    lines: list[RowLine] = field(default_factory=list)
    error_rows: list[int] = field(default_factory=list)
    tallies: dict[str, _Tally] = field(default_factory=dict)

    def add(self, obj: dict[str, Any]) -> None:
        self.total += 1
        status = obj["status"]
        if status == "invalid":
            self.invalid += 1
            return
        if obj.get("duplicate_of") is not None:
            self.duplicate += 1
        if status == "error":
            self.error_rows.append(obj["row"])
            return
        if status != "done":
            raise RowNotSearchedError(obj["row"], status)
        exact = close = 0
        for found in obj["criteria"]:
            counts = found["exact"]["count"], found["close"]["count"]
            self.tallies.setdefault(found["criterion"], _Tally()).add(*counts)
            exact, close = exact + counts[0], close + counts[1]
        self.rows.add(exact, close)
        self.lines += row_lines(obj)

    def observe(self, objects: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """Pass ``objects`` through, adding each: one pass makes the summary and the file."""
        for obj in objects:
            self.add(obj)
            yield obj

    def counts(self) -> BatchCounts:
        valid = self.total - self.invalid
        return BatchCounts(
            total=self.total, valid=valid, invalid=self.invalid, duplicate=self.duplicate,
            searched=valid - self.duplicate, with_exact=self.rows.with_exact,
            close_only=self.rows.close_only, no_match=self.rows.no_match,
            errors=len(self.error_rows))

    def by_criterion(self) -> tuple[CriterionTally, ...]:
        """Per criterion, in the order of the search criteria."""
        return tuple(
            CriterionTally(criterion=name, searched=t.searched,
                           with_exact=t.with_exact, close_only=t.close_only,
                           no_match=t.no_match)
            for name in CRITERIA if (t := self.tallies.get(name)) is not None)


def summarise(objects: Iterable[dict[str, Any]]) -> BatchSummary:
    summary = BatchSummary()
    for obj in objects:
        summary.add(obj)
    return summary
