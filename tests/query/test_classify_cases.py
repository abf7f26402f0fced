"""Worked pairs: the matching contract's own (``docs/matching-dev-cases.jsonl``, kept
beside the contract, ``docs/matching-contract.md``) and this project's rule cases
(``tests/query/data/rule_cases.jsonl``). Nothing is read from outside the repository."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from query.classify import classify

DATA = Path(__file__).parent / "data"
DOCS = Path(__file__).resolve().parents[2] / "docs"


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


DEV_CASES = _load(DOCS / "matching-dev-cases.jsonl")
RULE_CASES = _load(DATA / "rule_cases.jsonl")


@pytest.mark.parametrize("case", DEV_CASES, ids=_case_id)
def test_dev_case(case: dict[str, Any]) -> None:
    _check(case)


@pytest.mark.parametrize("case", RULE_CASES, ids=_case_id)
def test_rule_case(case: dict[str, Any]) -> None:
    _check(case)


def test_the_contract_and_its_worked_pairs_live_in_the_repository() -> None:
    contract = (DOCS / "matching-contract.md").read_text(encoding="utf-8")
    assert contract.count("# Matching contract") == 1
    assert len(DEV_CASES) >= 50
    # every reason the contract names is one the classifier knows, and the other way round
    from query.reasons import REASON_CODES

    named = {code for code in REASON_CODES if f"`{code}`" in contract}
    assert named == set(REASON_CODES)


def test_every_reason_code_has_a_case() -> None:
    from query.reasons import REASON_CODES

    covered = {code for case in DEV_CASES + RULE_CASES for code in case.get("reasons", [])}
    assert covered == set(REASON_CODES)
