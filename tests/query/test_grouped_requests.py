"""The requests of a name-search page found by value (pure parts)."""

from __future__ import annotations

from mappings.name_value import name_value
from query.grouped import classify_values, page_request, tier_query


def test_values_are_classified_once_each_and_other_party_types_left_out() -> None:
    verdicts: dict = {}
    values = [name_value("individual", "Nguyễn Văn An"),
              name_value("individual", "Nguyễn An"),
              name_value("organization", "Nguyễn Văn An"),
              name_value(None, "Nguyễn Văn An"),
              name_value("individual", "Lê Thị Cúc")]
    tiers = classify_values(values, "Nguyễn Văn An", "individual", verdicts)
    assert [v for group in tiers.exact.values() for v in group] == [values[0], values[3]]
    assert [v for group in tiers.close.values() for v in group] == [values[1]]
    assert ("Nguyễn Văn An", "organization") not in verdicts
    assert verdicts[("Lê Thị Cúc", "individual")].tier is None
    assert len(verdicts) == 3  # the value without a party type shares the first verdict


def test_scores_become_weights_in_their_order() -> None:
    query = tier_query({0.7: ["b"], 0.93: ["a", "c"], 0.5: ["d"]}, include_deleted=False,
                       excluded=["x"])
    scored = query["function_score"]
    weights = {tuple(f["filter"]["terms"]["name_value"]): f["weight"]
               for f in scored["functions"]}
    assert weights == {("d",): 1, ("b",): 2, ("a", "c"): 3}
    assert scored["score_mode"] == "max" and scored["boost_mode"] == "replace"
    base = scored["query"]["bool"]
    assert {"term": {"status": "in_force"}} in base["filter"]
    assert base["must_not"] == [{"terms": {"name_value": ["x"]}}]
    assert sorted(base["filter"][-1]["terms"]["name_value"]) == ["a", "b", "c", "d"]


def test_one_score_needs_no_weights_and_deleted_ones_may_be_asked_for() -> None:
    query = tier_query({1.0: ["a"]}, include_deleted=True, excluded=[])
    assert query == {"constant_score": {"filter": {"bool": {
        "filter": [{"terms": {"name_value": ["a"]}}]}}}}
    request = page_request(query, 20, 10)
    assert (request["from"], request["size"], request["track_total_hits"]) == (20, 10, True)
    assert request["sort"][0] == {"_score": "desc"}


class _Answer:
    def __init__(self, body: dict) -> None:
        self.body = body


class _FailingPages:
    """Answers the values request; every page search in the multi-search fails."""

    def search(self, **_: object) -> _Answer:
        return _Answer({"aggregations": {"values": {"sum_other_doc_count": 0, "buckets": [
            {"key": name_value("individual", "Nguyễn Văn An"), "doc_count": 3}]}}})

    def msearch(self, **_: object) -> _Answer:
        return _Answer({"responses": [{"status": 429, "error": {"type": "rejected"}}]})


def test_a_failed_page_search_is_left_to_the_candidate_reading_way() -> None:
    from query.candidates import plan
    from query.grouped import search_page

    candidate_plan = plan("debtor_name", "Nguyễn Văn An", "individual")
    assert search_page(_FailingPages(), "registrations", "Nguyễn Văn An",  # type: ignore[arg-type]
                       "individual", candidate_plan) is None
