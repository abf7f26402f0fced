"""Worked pairs: the shared dev cases (a copy lives in tests/query/data so the
project runs without /work/shared) and this project's own rule cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from query.classify import classify

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[2]
SHARED_CANDIDATES = (Path("/work/shared/eval/dev-cases.jsonl"),
                     REPO.parent / "shared" / "eval" / "dev-cases.jsonl")


def _load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _case_id(case: dict[str, Any]) -> str:
    return f"{case['criterion']}:{case['registered']}~{case['query']}"


def _check(case: dict[str, Any]) -> None:
    verdict = classify(case["criterion"], case["registered"], case["query"],
                       case.get("party_type"))
    expected_tier = None if case["expect"] == "none" else case["expect"]
    assert verdict.tier == expected_tier, verdict
    assert set(case.get("reasons", [])) <= set(verdict.reasons), verdict
    assert not set(case.get("not_reasons", [])) & set(verdict.reasons), verdict
    if expected_tier is None:
        assert verdict.reasons == () and verdict.score == 0.0


DEV_CASES = _load(DATA / "dev_cases.jsonl")
RULE_CASES = _load(DATA / "rule_cases.jsonl")


@pytest.mark.parametrize("case", DEV_CASES, ids=_case_id)
def test_dev_case(case: dict[str, Any]) -> None:
    _check(case)


@pytest.mark.parametrize("case", RULE_CASES, ids=_case_id)
def test_rule_case(case: dict[str, Any]) -> None:
    _check(case)


def test_shared_dev_cases_when_present() -> None:
    shared = next((path for path in SHARED_CANDIDATES if path.exists()), None)
    if shared is None:
        pytest.skip("shared eval folder not present")
    cases = _load(shared)
    assert cases
    for case in cases:
        _check(case)


def test_every_reason_code_has_a_case() -> None:
    from query.reasons import REASON_CODES

    covered = {code for case in DEV_CASES + RULE_CASES for code in case.get("reasons", [])}
    assert covered == set(REASON_CODES)
