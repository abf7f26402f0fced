"""Multi-search gives every lookup the single search's answer, also when a page may be
short and the lookup falls back to the single-search path."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_search_end_to_end import commit
from tests.conftest import wait_until

pytestmark = pytest.mark.services


def _registration(number: int, name: str, id_number: str, chassis: str,
                  status: str = "in_force") -> dict[str, Any]:
    return {
        "registration_number": f"2024-{number:010d}", "kind": "mortgage",
        "registered_at": f"2024-03-{number % 28 + 1:02d}T09:00:00+07:00", "status": status,
        "grantors": [{"party_type": "individual", "name": name, "id_type": "cccd",
                      "id_number": id_number}],
        "secured_parties": [{"party_type": "organization", "name": "Ngân hàng TMCP Thử",
                             "id_type": "tax_code", "id_number": "0100112437"}],
        "assets": [{"asset_type": "motor_vehicle", "description": "Xe ô tô",
                    "chassis_number": chassis, "plate_number": f"30A-{number:03d}.45"}],
        "events": [] if status == "in_force" else [
            {"type": "deletion", "at": "2024-09-01T08:00:00+07:00"}],
    }


REGISTRATIONS = [
    *[_registration(n, "Nguyễn Văn An", f"00119001234{n % 10}", f"RLHJC5218HY01234{n % 10}")
      for n in range(1, 8)],
    _registration(8, "Nguyễn Văn Ân", "001190012399", "RLHJC5218HY099999"),
    _registration(9, "NGUYEN VAN AN", "011190012345", "RLHJC5218HY012345"),
    _registration(10, "Văn An Nguyễn", "079190012345", "MHFAB3FY0NM102664"),
    _registration(11, "Nguyễn Văn An", "001190012345", "RLHJC5218HY012345", status="deleted"),
]

LOOKUPS = [
    ("debtor_name", "Không Ai Khác", None),  # no candidates at all, first in the msearch
    ("debtor_name", "Nguyễn Văn An", None), ("debtor_name", "nguyen van an", "individual"),
    ("debtor_name", "Ông Nguyễn Văn Ân", None), ("id_number", "1190012345", None),
    ("id_number", "001 190 012 345", None), ("chassis_number", "RLHJC5218HY01234", None),
    ("chassis_number", "rlhjc-5218-hy012345", None), ("plate_number", "30A00245", None),
    ("registration_number", "2024-0000000003", None), ("registration_number", "---", None),
    ("debtor_name", "Không Ai Cả", None),
]


def _answer(outcome: Any) -> tuple[Any, ...]:
    def tiers(matches: list[Any]) -> list[tuple[Any, ...]]:
        return [(m.registration["registration_number"], m.tier, m.reasons, m.score, m.field,
                 m.position) for m in matches]

    return tiers(outcome.exact), tiers(outcome.close), outcome.close_left_out, outcome.normalised


#: (exact page, close candidates classified, close cap)
OPTIONS = [
    (1000, 2000, 50),  # one page of each kind holds every candidate
    (3, 2, 50),        # pages of 5 fill up: those lookups take the single-search path
    (1000, 2, 1),      # few close candidates classified, the close tier capped
]


def test_multi_search_equals_single_search(api_client: TestClient, es_client: Any,
                                           settings: Any) -> None:
    from query.multi import Lookup, search_many
    from query.search import search

    for registration in REGISTRATIONS:
        commit(registration)
    wait_until(lambda: es_client.count(index=settings.index_alias)["count"]
               == len(REGISTRATIONS), what="registrations indexed")
    es_client.indices.refresh(index=settings.index_alias)
    lookups = [Lookup(*lookup) for lookup in LOOKUPS]
    for (exact_page, close_limit, close_cap), include_deleted in (
            (options, deleted) for options in OPTIONS for deleted in (False, True)):
        many = search_many(es_client, settings.index_alias, [*lookups, lookups[0]],
                           include_deleted=include_deleted, close_cap=close_cap,
                           close_candidate_limit=close_limit, exact_page=exact_page)
        assert set(many.outcomes) == set(lookups)
        for lookup in lookups:
            single = search(es_client, settings.index_alias, lookup.criterion, lookup.value,
                            lookup.party_type, include_deleted=include_deleted,
                            close_cap=close_cap, close_candidate_limit=close_limit)
            assert _answer(many.outcomes[lookup]) == _answer(single), (lookup, exact_page)
        assert (many.fallbacks >= 2) if exact_page == 3 else (many.fallbacks == 0)
        if include_deleted:
            assert len(many.outcomes[lookups[1]].exact) >= 8  # the deleted one too
