"""Name-search pages found by registered value equal the pages found by reading every
candidate (``query.search.search`` ranked, then read whole), on real Elasticsearch."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_search_end_to_end import commit
from tests.conftest import wait_until
from tests.query.test_multi import _registration

pytestmark = pytest.mark.services


def _with(registration: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return dict(registration, **changes)


def _corpus() -> list[dict[str, Any]]:
    """Namesakes, diacritics and order variants, a co-grantor of another name, an
    organisation of the same words, a deleted one, and registered times that tie."""
    found: list[dict[str, Any]] = []
    names = ["Nguyễn Văn An"] * 6 + ["Nguyễn Văn Ân", "NGUYEN VAN AN", "Văn An Nguyễn",
                                     "Nguyễn An", "Nguyễn Văn Anh", "Nguyễn Văn A An",
                                     "Trần Thị Bích"]
    for n, name in enumerate(names, start=1):
        found.append(_registration(n, name, f"0011900{n:05d}", f"RLHJC5218HY{n:06d}"))
    for n in (2, 3, 4):  # the same second: the registration id decides
        found[n - 1]["registered_at"] = "2024-05-05T10:00:00+07:00"
    # the same millisecond, the later microsecond on the higher id: still the id decides,
    # as Elasticsearch's dates keep milliseconds
    found[4]["registered_at"] = "2024-05-06T10:00:00.0012+07:00"
    found[5]["registered_at"] = "2024-05-06T10:00:00.0017+07:00"
    both = _registration(20, "Lê Thị Cúc", "001190099920", "RLHJC5218HY000020")
    both["grantors"].append({"party_type": "individual", "name": "Nguyễn Văn Ân",
                             "id_type": "cccd", "id_number": "001190099921"})
    found.append(both)
    found.append(_with(_registration(21, "Nguyen Van An", "0100112437", "RLHJC5218HY000021"),
                       grantors=[{"party_type": "organization", "name": "Nguyễn Văn An",
                                  "id_type": "tax_code", "id_number": "0100112437"}]))
    found.append(_registration(22, "Nguyễn Văn An", "001190099922", "RLHJC5218HY000022",
                               status="deleted"))
    return found


QUERIES = [("Nguyễn Văn An", None), ("nguyen van an", "individual"),
           ("Nguyễn Văn An", "organization"), ("Nguyễn Văn Ân", None), ("Văn An", None),
           ("Trần Thị Bích", None), ("Không Ai Khác", None)]
#: (exact offset, exact limit, close offset, close cap)
PAGES = [(0, 100, 0, 50), (0, 2, 0, 2), (2, 3, 1, 2), (50, 10, 40, 5)]


def _shown(matches: list[Any]) -> list[tuple[Any, ...]]:
    return [(m.registration["registration_number"], m.tier, m.score, m.reasons, m.role,
             m.position, m.field, m.value_as_registered) for m in matches]


def test_pages_by_value_equal_pages_by_candidate(api_client: TestClient, es_client: Any,
                                                 settings: Any) -> None:
    from query.candidates import plan
    from query.grouped import search_page
    from query.search import hydrate, search

    registrations = _corpus()
    for registration in registrations:
        commit(registration)
    wait_until(lambda: es_client.count(index=settings.index_alias)["count"]
               == len(registrations), what="registrations indexed")
    es_client.indices.refresh(index=settings.index_alias)
    index = settings.index_alias
    compared = 0
    for (value, party_type), include_deleted, (e_off, e_lim, c_off, c_cap) in (
            (q, d, p) for q in QUERIES for d in (False, True) for p in PAGES):
        candidate_plan = plan("debtor_name", value, party_type)
        page = search_page(es_client, index, value, party_type, candidate_plan,
                           include_deleted=include_deleted, exact_offset=e_off,
                           exact_limit=e_lim, close_offset=c_off, close_cap=c_cap)
        assert page is not None
        outcome = search(es_client, index, "debtor_name", value, party_type,
                         include_deleted=include_deleted, close_cap=c_cap,
                         close_offset=c_off, close_candidate_limit=5000)
        exact = hydrate(es_client, index, outcome, outcome.exact[e_off:e_off + e_lim],
                        include_deleted, value, party_type)
        close = hydrate(es_client, index, outcome, outcome.close, include_deleted, value,
                        party_type)
        where = (value, party_type, include_deleted, e_off, c_off)
        assert page.normalised == outcome.normalised
        assert page.exact_count == len(outcome.exact), where
        assert _shown(page.exact) == _shown(exact), where
        assert page.close_count == outcome.close_before + len(outcome.close) \
            + outcome.close_left_out, where
        assert (page.close_before, page.close_left_out) == (
            outcome.close_before, outcome.close_left_out), where
        assert _shown(page.close) == _shown(close), where
        assert all(page.hashes[m.registration_id] for m in page.exact + page.close)
        compared += bool(page.exact or page.close)
    assert compared >= 20
    # the namesakes that tie on their registered time come in registration order
    first = search_page(es_client, index, "Nguyễn Văn An", "individual",
                        plan("debtor_name", "Nguyễn Văn An", "individual"))
    assert first is not None and first.exact_count >= 6
    tied = [m.registration["registration_number"] for m in first.exact
            if m.registration["registered_at"].startswith("2024-05-05")]
    assert tied == sorted(tied) and len(tied) == 3
    same_ms = [m.registration["registration_number"] for m in first.exact
               if m.registration["registered_at"].startswith("2024-05-06")]
    assert same_ms == sorted(same_ms) and len(same_ms) == 2
    # the co-grantor's registration matches by its second grantor, close
    dien = search_page(es_client, index, "Nguyễn Văn Ân", None,
                       plan("debtor_name", "Nguyễn Văn Ân", None))
    assert dien is not None
    assert ("2024-0000000020", "exact", 1) in [
        (m.registration["registration_number"], m.tier, m.position) for m in dien.exact]


def test_what_the_value_way_cannot_answer_is_left_to_the_candidate_way(
        api_client: TestClient, es_client: Any, settings: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from query import grouped
    from query.candidates import plan

    for registration in _corpus():
        commit(registration)
    wait_until(lambda: es_client.count(index=settings.index_alias)["count"] == len(_corpus()),
               what="registrations indexed")
    es_client.indices.refresh(index=settings.index_alias)
    candidate_plan = plan("debtor_name", "Nguyễn Văn An", None)
    assert grouped.search_page(es_client, settings.index_alias, "Nguyễn Văn An", None,
                               candidate_plan, exact_offset=9995, exact_limit=10) is None
    expected = api_client.post("/v1/search", json={"debtor_name": "Nguyễn Văn An"}).json()
    monkeypatch.setattr(grouped, "VALUE_LIMIT", 2)  # the candidates hold more values
    assert grouped.search_page(es_client, settings.index_alias, "Nguyễn Văn An", None,
                               candidate_plan) is None
    answer = api_client.post("/v1/search", json={"debtor_name": "Nguyễn Văn An"}).json()
    assert answer["exact"] == expected["exact"]
    assert answer["close"]["count"] == expected["close"]["count"]
    assert [r["registration"]["registration_number"] for r in answer["close"]["results"]] == \
        [r["registration"]["registration_number"] for r in expected["close"]["results"]]
    # an index built by a mapping before version 7 has no registration doc value
    monkeypatch.setattr(grouped, "VALUE_LIMIT", 5000)
    page_request = grouped.page_request

    def without_registration_json(*args: Any) -> dict[str, Any]:
        return {**page_request(*args), "docvalue_fields": ["packed"]}

    monkeypatch.setattr(grouped, "page_request", without_registration_json)
    assert grouped.search_page(es_client, settings.index_alias, "Nguyễn Văn An", None,
                               candidate_plan) is None
    answer = api_client.post("/v1/search", json={"debtor_name": "Nguyễn Văn An"}).json()
    assert answer["exact"] == expected["exact"]
    assert answer["close"]["count"] == expected["close"]["count"]
