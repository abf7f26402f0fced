"""Names are searched with only the fields classification needs; the matches shown are
then read whole, and a registration changed in between is classified again."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_search_end_to_end import commit
from tests.conftest import wait_until
from tests.query.test_multi import _registration

pytestmark = pytest.mark.services


def _indexed(es_client: Any, settings: Any, count: int) -> None:
    wait_until(lambda: es_client.count(index=settings.index_alias)["count"] == count,
               what="registrations indexed")
    es_client.indices.refresh(index=settings.index_alias)


def test_name_matches_are_read_whole_and_changes_in_between_are_classified_again(
        api_client: TestClient, es_client: Any, settings: Any) -> None:
    from query.search import hydrate, search

    for n, name in ((1, "Trần Thị Bích"), (2, "Trần Thị Bích"), (3, "Trần Bích")):
        commit(_registration(n, name, f"00119000000{n}", f"RLHJC5218HY0000{n}"))
    _indexed(es_client, settings, 3)
    outcome = search(es_client, settings.index_alias, "debtor_name", "Trần Thị Bích")
    assert [m.whole for m in outcome.exact + outcome.close] == [False, False, False]
    assert "address" not in str(outcome.exact[0].registration)
    assert "secured_parties" not in outcome.exact[0].registration

    # registration 2 is renamed behind the search's back (as if amended in between)
    from indexer.documents import build
    from mappings import registration_json

    hit = es_client.search(index=settings.index_alias,
                           query={"term": {"registration_number": "2024-0000000002"}},
                           docvalue_fields=[{"field": registration_json.FIELD}])
    doc_id = hit["hits"]["hits"][0]["_id"]
    registered = registration_json.decode(
        hit["hits"]["hits"][0]["fields"][registration_json.FIELD][0])
    renamed = dict(registered, grantors=[
        dict(registered["grantors"][0], name="Lê Văn Cường")])
    es_client.index(index=settings.index_alias, id=doc_id,
                    document=build(int(doc_id), renamed, "1/0"),
                    version=10**15, version_type="external", refresh=True)

    shown = hydrate(es_client, settings.index_alias, outcome, outcome.exact + outcome.close,
                    include_deleted=False, value="Trần Thị Bích", party_type=None)
    numbers = {m.registration["registration_number"]: m for m in shown}
    assert set(numbers) == {"2024-0000000001", "2024-0000000003"}
    assert all(m.whole for m in shown)
    assert numbers["2024-0000000001"].tier == "exact"
    assert numbers["2024-0000000001"].registration["secured_parties"][0]["name"] == \
        "Ngân hàng TMCP Thử"
    assert numbers["2024-0000000003"].tier == "close"
    assert numbers["2024-0000000003"].reasons == ("extra_token",)  # the query has one more


def test_the_api_shows_whole_registrations_for_name_searches(
        api_client: TestClient, es_client: Any, settings: Any) -> None:
    commit(_registration(1, "Phạm Minh Đức", "001190000001", "RLHJC5218HY00001"))
    _indexed(es_client, settings, 1)
    body = api_client.post("/v1/search", json={"debtor_name": "Pham Minh Duc"}).json()
    assert body["exact"]["count"] == 1
    registration = body["exact"]["results"][0]["registration"]
    assert registration["assets"][0]["description"] == "Xe ô tô"
    assert registration["secured_parties"][0]["id_number"] == "0100112437"
