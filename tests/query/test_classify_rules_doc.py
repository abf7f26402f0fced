"""docs/matching-rules.md is generated from the test data and must not drift."""

from __future__ import annotations

from pathlib import Path

from query.rules_doc import DEFAULT_SOURCES, load_cases, render

DOC = Path(__file__).resolve().parents[2] / "docs" / "matching-rules.md"


def test_rules_doc_is_up_to_date() -> None:
    expected = render(load_cases(DEFAULT_SOURCES))
    assert DOC.read_text(encoding="utf-8") == expected, (
        "docs/matching-rules.md is stale: run "
        "`python -m query.rules_doc > docs/matching-rules.md`")


def test_rules_doc_shows_every_reason_with_an_example() -> None:
    text = DOC.read_text(encoding="utf-8")
    for line in text.split("## Reasons", 1)[1].split("##", 1)[0].splitlines():
        if line.startswith("| `"):
            assert line.rstrip().endswith(") |"), line
