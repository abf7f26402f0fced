"""The hot path's searches against the real Elasticsearch: the client's answers, filtered
when asked, and the client's own errors when Elasticsearch does not answer 200."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from elastic_transport import ConnectionError as TransportConnectionError
from elasticsearch import BadRequestError, NotFoundError

from core import elastic
from tests.service_env import named

pytestmark = pytest.mark.services

INDEX = named("test-elastic-direct", "-")


@pytest.fixture()
def client(settings: Any) -> Iterator[Any]:
    es = elastic.client(settings.es_url)
    es.options(ignore_status=404).indices.delete(index=INDEX)
    es.indices.create(index=INDEX, mappings={"properties": {"n": {"type": "long"},
                                                            "w": {"type": "keyword"}}})
    es.bulk(index=INDEX, refresh=True, operations=[
        part for i in range(30) for part in ({"index": {"_id": str(i)}},
                                             {"n": i, "w": "đỏ" if i % 3 else "xanh"})])
    yield es
    es.options(ignore_status=404).indices.delete(index=INDEX)
    es.close()


def _without_took(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "took"}


def test_a_search_answers_as_the_client_does(client: Any) -> None:
    body = {"query": {"term": {"w": "đỏ"}}, "size": 5, "sort": [{"n": "desc"}],
            "aggs": {"words": {"terms": {"field": "w"}}}}
    direct = elastic.search(client, INDEX, body)
    assert _without_took(direct) == _without_took(client.search(index=INDEX, **body).body)
    assert [hit["_source"]["n"] for hit in direct["hits"]["hits"]] == [29, 28, 26, 25, 23]
    filtered = elastic.search(client, INDEX, body, filter_path=["aggregations"])
    assert filtered == {"aggregations": {"words": {
        "doc_count_error_upper_bound": 0, "sum_other_doc_count": 0,
        "buckets": [{"key": "đỏ", "doc_count": 20}]}}}


def test_a_multi_search_answers_as_the_client_does(client: Any) -> None:
    searches = [{}, {"query": {"term": {"w": "xanh"}}, "size": 0},
                {}, {"query": {"range": {"n": {"gte": 25}}}, "size": 2, "sort": ["n"]}]
    direct = elastic.msearch(client, INDEX, searches)
    assert [r["hits"]["total"]["value"] for r in direct["responses"]] == [10, 5]
    assert [h["_id"] for h in direct["responses"][1]["hits"]["hits"]] == ["25", "26"]
    by_client = client.msearch(index=INDEX, searches=searches).body
    assert [_without_took(r) for r in direct["responses"]] == \
        [_without_took(r) for r in by_client["responses"]]


def test_an_answer_other_than_200_raises_the_clients_own_error(client: Any) -> None:
    with pytest.raises(NotFoundError):
        elastic.search(client, "test-elastic-no-such-index", {"query": {"match_all": {}}})
    with pytest.raises(BadRequestError):
        elastic.search(client, INDEX, {"query": {"no_such_query": {}}})
    with pytest.raises(BadRequestError):  # a multi-search Elasticsearch cannot parse
        elastic.msearch(client, INDEX, [{}, {"query": {"no_such_query": {}}}])
    # one that it can answers 200 and reports each search's failure in its place
    failed = elastic.msearch(client, INDEX, [{"index": "test-elastic-no-such-index"},
                                             {"size": 0}, {}, {"size": 0}])
    assert [r["status"] for r in failed["responses"]] == [404, 200]


def test_no_server_raises_the_clients_connection_error() -> None:
    es = elastic.client("http://127.0.0.1:9", max_retries=0)
    with pytest.raises(TransportConnectionError):
        elastic.search(es, INDEX, {"query": {"match_all": {}}})


def test_several_nodes_fail_over_to_one_that_answers(client: Any, settings: Any) -> None:
    """A node that refuses (a dead cluster node) is passed over, even when the caller asked
    for no retries: with several nodes those go to the other nodes."""
    dead = "http://127.0.0.1:9"
    for nodes in (f"{dead},{settings.es_url}", [dead, dead, settings.es_url]):
        es = elastic.client(nodes, max_retries=0)
        assert es.transport.max_retries >= len(es.transport.node_pool) - 1 >= 1
        for _ in range(6):  # whichever node the pool picks first
            assert elastic.search(es, INDEX, {"size": 0})["hits"]["total"]["value"] == 30
            counted = es.count(index=INDEX)
            assert counted["count"] == 30
        es.close()

