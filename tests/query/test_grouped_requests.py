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
    assert tiers.exact == [values[0], values[3]]
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
