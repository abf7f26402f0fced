"""The summary a batch certificate prints, from the JSON Lines objects of its rows."""

from __future__ import annotations

from typing import Any

import pytest

from batch.certificate_summary import (
    LISTED_REGISTRATIONS,
    RowNotSearchedError,
    row_lines,
    summarise,
)


def _match(number: str) -> dict[str, Any]:
    return {"tier": "exact", "registration": {"registration_number": number}}


def crit(name: str, value: str, exact: list[str] | None = None, close: int = 0,
         party_type: str | None = None) -> dict[str, Any]:
    numbers = exact or []
    return {"criterion": name, "value": value, "column": name, "party_type": party_type,
            "exact": {"count": len(numbers), "results": [_match(n) for n in numbers]},
            "close": {"count": close, "shown": close, "left_out": 0, "results": []}}


def row(number: int, status: str = "done", *criteria: dict[str, Any],
        duplicate_of: int | None = None) -> dict[str, Any]:
    return {"row": number, "status": status, "criteria": list(criteria),
            "duplicate_of": duplicate_of, "problems": [], "notes": [],
            "registry_current_as_of": "2026-03-05T09:00:00+07:00"}


def test_counts_add_up_by_row_and_by_criterion() -> None:
    summary = summarise([
        row(2, "done", crit("debtor_name", "Nguyễn Văn An", ["2024-1", "2024-2"],
                            party_type="individual")),
        row(3, "done", crit("id_number", "001190012345", close=2)),
        row(4, "done", crit("chassis_number", "RLHJC5218")),
        row(5, "invalid", crit("debtor_name", "\x07")),
        row(6, "done", crit("debtor_name", "Nguyễn Văn An", ["2024-1", "2024-2"],
                            party_type="individual"), duplicate_of=2),
        row(7, "error", crit("plate_number", "30A-123.45")),
        row(8, "done", crit("debtor_name", "Lê Thị Bé"), crit("id_number", "079", close=1)),
    ])
    counts = summary.counts()
    assert counts.model_dump() == {
        "total": 7, "valid": 6, "invalid": 1, "duplicate": 1, "searched": 5,
        "with_exact": 2, "close_only": 2, "no_match": 1, "errors": 1}
    assert summary.error_rows == [7]
    tallies = {t.criterion: t.model_dump() for t in summary.by_criterion()}
    assert list(tallies) == ["debtor_name", "id_number", "chassis_number"]
    assert tallies["debtor_name"] == {"criterion": "debtor_name", "searched": 3,
                                      "with_exact": 2, "close_only": 0, "no_match": 1}
    assert tallies["id_number"]["close_only"] == 2
    assert tallies["chassis_number"]["no_match"] == 1
    # every criterion of every row with a match; the no-match rows 4 only counted
    assert [(line.row, line.criterion) for line in summary.lines] == [
        (2, "debtor_name"), (3, "id_number"), (6, "debtor_name"), (8, "debtor_name"),
        (8, "id_number")]
    assert summary.lines[2].duplicate_of == 2
    assert summary.lines[0].exact_registrations == ("2024-1", "2024-2")
    assert summary.lines[0].party_type == "individual"
    assert summary.lines[3].exact_count == 0 and summary.lines[3].close_count == 0


def test_many_exact_matches_list_a_few_numbers_and_count_the_rest() -> None:
    numbers = [f"2024-{i:04d}" for i in range(25)]
    [line] = row_lines(row(9, "done", crit("debtor_name", "Nguyễn Văn An",
                                            numbers + numbers[:3])))
    assert line.exact_count == 28
    assert line.exact_registrations == tuple(numbers[:LISTED_REGISTRATIONS])
    assert line.exact_registrations_total == 25


def test_a_row_without_a_match_has_no_line() -> None:
    assert row_lines(row(2, "done", crit("chassis_number", "ZZTEST1"))) == []


@pytest.mark.parametrize("status", ["pending", "cancelled"])
def test_a_row_not_searched_cannot_be_summarised(status: str) -> None:
    with pytest.raises(RowNotSearchedError) as caught:
        summarise([row(2, status, crit("debtor_name", "An"))])
    assert caught.value.row == 2 and caught.value.status == status


def test_observe_passes_the_objects_through() -> None:
    from batch.certificate_summary import BatchSummary

    objects = [row(2, "done", crit("id_number", "1", ["2024-9"])), row(3, "invalid")]
    summary = BatchSummary()
    assert list(summary.observe(iter(objects))) == objects
    assert summary.counts().with_exact == 1 and summary.counts().invalid == 1
