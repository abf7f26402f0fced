"""Criteria → candidates → classified, ranked, explained results.

Rules from the matching contract's "Results" section: exact matches first,
then close; within a tier by score, then newest registration first. The exact
tier is never capped and its count is always true: every exact candidate is
fetched (``search_after`` paging) and classified. The close tier is capped and
says how many it left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import Elasticsearch

from core import elastic
from mappings import packed, registration_json
from query.candidates import SERIAL_FIELDS, CandidatePlan, plan
from query.classify import classify
from query.criteria import FIELDS, criterion_of_field

_PAGE = 1000
_TIER_RANK = {"exact": 0, "close": 1}
_EXACT_CLAUSE = "exact"
#: The registration fields a batch row reports for each match.
REGISTRATION_SUMMARY = packed.SUMMARY_FIELDS


# Not frozen: a frozen dataclass's __init__ costs 1.2 µs against 0.2 µs, and a batch makes
# millions of these. Treat them as values all the same.
@dataclass(slots=True)
class Match:
    tier: str
    score: float
    reasons: tuple[str, ...]
    role: str
    position: int
    field: str
    value_as_registered: str
    registration_id: int
    registration: dict[str, Any]
    #: False when ``registration`` holds only the fields classification needed.
    whole: bool = True

    @property
    def field_criterion(self) -> str:
        """The search criterion that matches against this match's field."""
        return criterion_of_field(self.field)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)


def epoch_ms(registered_at: str) -> int:
    """A registration time as Elasticsearch's ``date`` keeps it: whole milliseconds since
    1970 (a time without an offset is UTC, as there)."""
    moment = datetime.fromisoformat(registered_at)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _MILLISECOND


def ranked(matches: Iterable[Match]) -> list[Match]:
    """Exact before close, higher score first, then newest first, then as found (two stable
    sorts). Times compare to the millisecond, as Elasticsearch sorts them when it ranks a
    page (``query.grouped``): two registrations in one millisecond keep their order."""
    newest_first = sorted(matches, key=lambda m: epoch_ms(m.registration["registered_at"]),
                          reverse=True)
    newest_first.sort(key=lambda m: (_TIER_RANK[m.tier], -m.score))
    return newest_first


@dataclass
class SearchOutcome:
    normalised: str
    exact: list[Match] = field(default_factory=list)
    close: list[Match] = field(default_factory=list)
    close_left_out: int = 0
    #: Close matches before the shown page (``close_offset``).
    close_before: int = 0
    #: False when close-candidate retrieval stopped at its limit: the close count is then
    #: a lower bound. (The exact tier is always complete.)
    close_complete: bool = True
    #: Content hash of each matched registration as read (to notice later changes).
    hashes: dict[int, str] = field(default_factory=dict)


def registered_values(criterion: str, registration: dict[str, Any]
                      ) -> Iterator[tuple[str, int, str, str, str | None]]:
    """(role, position, field, value, party_type) the criterion is matched against."""
    spec = FIELDS.get(criterion)
    if spec is not None and spec.role == "grantor":
        key = spec.field
        for i, party in enumerate(registration.get("grantors", [])):
            value = party.get(key)
            if value:
                yield "grantor", i, key, value, party.get("party_type")
    elif criterion in SERIAL_FIELDS:
        for i, asset in enumerate(registration.get("assets", [])):
            value = asset.get(criterion)
            if value:
                yield "asset", i, criterion, value, None
    elif criterion == "registration_number":
        yield "registration", 0, "registration_number", registration["registration_number"], None


#: Where each criterion's value sits in a packed grantor or asset: (role, field, list,
#: index of the value, index of the party type or None).
_PACKED_AT = {
    "debtor_name": ("grantor", "name", "grantors", packed.GRANTOR_FIELDS.index("name"), 0),
    "id_number": ("grantor", "id_number", "grantors",
                  packed.GRANTOR_FIELDS.index("id_number"), 0),
    **{name: ("asset", name, "assets", packed.ASSET_FIELDS.index(name), None)
       for name in SERIAL_FIELDS},
}


def packed_values(criterion: str, found: packed.Unpacked
                  ) -> list[tuple[str, int, str, str, str | None]]:
    """What :func:`registered_values` yields for the registration, read from its packed
    doc value."""
    if criterion == "registration_number":
        return [("registration", 0, "registration_number",
                 found.summary["registration_number"], None)]
    role, field_name, list_name, at, type_at = _PACKED_AT[criterion]
    values = []
    items = found.grantors if list_name == "grantors" else found.assets
    for position, parts in enumerate(packed.item_parts(items)):
        if parts[at]:
            values.append((role, position, field_name, parts[at],
                           (parts[type_at] or None) if type_at is not None else None))
    return values


Verdicts = dict[tuple[str, str | None], Any]


def best_match(criterion: str, query_value: str, party_type: str | None, reg_id: int,
               registration: dict[str, Any], verdicts: Verdicts | None = None,
               whole: bool = True,
               values: Iterable[tuple[str, int, str, str, str | None]] | None = None
               ) -> Match | None:
    """The best tier this registration reaches; ``verdicts`` memoises per registered value
    (namesakes share one classification within a search). ``values`` are the registered
    values when ``registration`` does not hold them (a packed candidate's summary)."""
    best: Match | None = None
    if values is None:
        values = registered_values(criterion, registration)
    for role, position, field_name, value, registered_type in values:
        if party_type is not None and registered_type is not None and registered_type != party_type:
            continue
        memo_key = (value, registered_type or party_type)
        verdict = verdicts.get(memo_key) if verdicts is not None else None
        if verdict is None:
            verdict = classify(criterion, value, query_value, registered_type or party_type)
            if verdicts is not None:
                verdicts[memo_key] = verdict
        if verdict.tier is None:
            continue
        candidate = Match(verdict.tier, verdict.score, tuple(verdict.reasons), role, position,
                          field_name, value, reg_id, registration, whole)
        if best is None or (_TIER_RANK[candidate.tier], -candidate.score) < (
                _TIER_RANK[best.tier], -best.score):
            best = candidate
    return best


def status_filter(include_deleted: bool) -> list[dict[str, Any]]:
    return [] if include_deleted else [{"term": {"status": "in_force"}}]


#: What a candidate brings back when its whole registration is wanted: its id and
#: content hash (``packed``) and the registration (``registration_json``), doc values both.
WHOLE_FIELDS = [packed.FIELD, registration_json.FIELD]


def fetched_fields(criterion: str, whole: bool) -> dict[str, Any]:
    """What each candidate brings back, from doc values only: the whole registration, or
    only the packed doc value classifying and ranking it need, with the summary a batch
    row reports (``mappings.packed``). No stored fields at all: not even ``_id``, whose
    loading would decompress the stored-fields block holding the hit's ``_source``."""
    return {"stored_fields": "_none_",
            "docvalue_fields": WHOLE_FIELDS if whole else [packed.FIELD]}


def candidate_query(candidate_plan: CandidatePlan, include_deleted: bool,
                    exact_only: bool = False) -> dict[str, Any]:
    """Exact and close candidate clauses in one query; exact ones are named, so each hit
    says whether it is an exact candidate (``matched_queries``)."""
    should: list[dict[str, Any]] = []
    if candidate_plan.exact:
        should.append({"bool": {"should": candidate_plan.exact, "_name": _EXACT_CLAUSE}})
    if not exact_only:
        should.extend(candidate_plan.close)
    return {"bool": {"filter": status_filter(include_deleted), "should": should,
                     "minimum_should_match": 1}}


def request_body(criterion: str, candidate_plan: CandidatePlan, include_deleted: bool,
                 size: int, whole: bool, exact_only: bool = False) -> dict[str, Any]:
    return {"query": candidate_query(candidate_plan, include_deleted, exact_only),
            "size": size, "sort": [{"registration_id": "asc"}],
            "track_total_hits": False, **fetched_fields(criterion, whole)}


@dataclass(slots=True)
class Candidate:
    registration_id: int
    #: The whole registration, or (packed candidates) its summary only.
    registration: dict[str, Any]
    content_hash: str
    exact_candidate: bool
    #: Packed candidates: what the packed doc value holds (``mappings.packed``).
    unpacked: packed.Unpacked | None = None


#: The parts of a response candidates are read from (``filter_path``): Elasticsearch
#: leaves out the rest (index name, score, sort values) instead of sending it.
HIT_PARTS = ["took", "hits.hits.fields", "hits.hits.matched_queries"]


class IndexOutdatedError(RuntimeError):
    """The index predates the packed doc value (mapping versions before 4)."""


def whole_of(fields: Mapping[str, Any]) -> tuple[int, str, dict[str, Any]] | None:
    """Id, content hash and whole registration of a hit that brought ``WHOLE_FIELDS``."""
    value, whole = fields.get(packed.FIELD), fields.get(registration_json.FIELD)
    if not value or not whole:
        return None
    reg_id, content_hash = packed.identity(value[0])
    return reg_id, content_hash, registration_json.decode(whole[0])


def _candidate(hit: Mapping[str, Any]) -> Candidate:
    exact = _EXACT_CLAUSE in hit.get("matched_queries", ())
    fields = hit.get("fields", {})
    whole = whole_of(fields)
    if whole is not None:
        return Candidate(whole[0], whole[2], whole[1], exact)
    value = fields.get(packed.FIELD)
    if not value:
        raise IndexOutdatedError(
            "the index has no packed doc value: rebuild it (`regsearch index rebuild`)")
    found = packed.unpack(value[0])
    return Candidate(found.registration_id, found.summary, found.content_hash, exact, found)


def candidates_of(response: Mapping[str, Any]) -> list[Candidate]:
    return [_candidate(hit) for hit in response.get("hits", {}).get("hits", ())]


class Collector:
    """Classifies candidates in registration-id order, as the contract's tiers need:
    every exact candidate, and the first ``close_limit`` candidates that are not exact
    candidates (the close tier's retrieval limit)."""

    def __init__(self, criterion: str, value: str, party_type: str | None, close_limit: int,
                 whole: bool) -> None:
        self.criterion, self.value, self.party_type = criterion, value, party_type
        self.close_limit, self.whole = close_limit, whole
        self.close_taken = 0
        self.limited = False
        self.found: list[Match] = []
        self.hashes: dict[int, str] = {}
        self._verdicts: Verdicts = {}

    def add(self, candidate: Candidate) -> bool:
        """False when a close candidate was left out because the limit was reached."""
        if not candidate.exact_candidate:
            if self.close_taken >= self.close_limit:
                self.limited = True
                return False
            self.close_taken += 1
        values = None if candidate.unpacked is None else packed_values(
            self.criterion, candidate.unpacked)
        match = best_match(self.criterion, self.value, self.party_type,
                           candidate.registration_id, candidate.registration, self._verdicts,
                           self.whole, values)
        if match is not None:
            self.found.append(match)
            self.hashes[candidate.registration_id] = candidate.content_hash
        return True

    def outcome(self, normalised: str, close_cap: int, close_offset: int = 0) -> SearchOutcome:
        found = ranked(self.found)
        outcome = SearchOutcome(normalised=normalised, hashes=self.hashes)
        outcome.exact = [m for m in found if m.tier == "exact"]
        close = [m for m in found if m.tier == "close"]
        outcome.close = close[close_offset:close_offset + close_cap]
        outcome.close_before = min(close_offset, len(close))
        outcome.close_left_out = max(0, len(close) - outcome.close_before - len(outcome.close))
        outcome.close_complete = not self.limited
        return outcome


def _pages(es: Elasticsearch, index: str, body: dict[str, Any],
           after: list[Any] | None = None) -> Iterator[list[Candidate]]:
    while True:
        request = body if after is None else dict(body, search_after=after)
        response = elastic.search(es, index, request, filter_path=HIT_PARTS)
        page = candidates_of(response)
        yield page
        if len(page) < body["size"]:
            return
        after = [page[-1].registration_id]


def search(es: Elasticsearch, index: str, criterion: str, value: str,
           party_type: str | None = None, include_deleted: bool = False,
           close_cap: int = 50, close_candidate_limit: int = 2000,
           candidate_plan: CandidatePlan | None = None, close_offset: int = 0,
           whole: bool | None = None) -> SearchOutcome:
    """Every exact match and the close tier's page.

    One request answers most searches: exact and close candidates come back together,
    in registration-id order. Should the close candidates reach their limit, the rest of
    the exact candidates are fetched on their own, so the exact tier is never cut short.
    ``whole`` (default: for every criterion but names) brings back whole registrations;
    otherwise only what classification needs, and ``hydrate`` completes the ones shown.
    """
    if candidate_plan is None:
        candidate_plan = plan(criterion, value, party_type)
    if whole is None:
        whole = criterion != "debtor_name"
    collector = Collector(criterion, value, party_type, close_candidate_limit, whole)
    if candidate_plan.exact or candidate_plan.close:
        body = request_body(criterion, candidate_plan, include_deleted, _PAGE, whole)
        stopped_at: int | None = None
        for page in _pages(es, index, body):
            for candidate in page:
                if not collector.add(candidate):
                    stopped_at = candidate.registration_id
                    break
            if stopped_at is not None:
                break
        if stopped_at is not None and candidate_plan.exact:
            exact_body = request_body(criterion, candidate_plan, include_deleted, _PAGE, whole,
                                      exact_only=True)
            for page in _pages(es, index, exact_body, after=[stopped_at]):
                for candidate in page:
                    collector.add(candidate)
    return collector.outcome(candidate_plan.normalised, close_cap, close_offset)


def hydrate(es: Elasticsearch, index: str, outcome: SearchOutcome, matches: list[Match],
            include_deleted: bool, value: str, party_type: str | None) -> list[Match]:
    """The given matches with their whole registrations.

    A registration changed between the search and this read (its content hash differs)
    is classified again from what is now indexed; it is left out if it no longer matches
    or is no longer in force when only registrations in force were asked for.
    """
    wanted = [m for m in matches if not m.whole]
    if not wanted:
        return matches
    response = elastic.search(es, index, {
        "query": {"ids": {"values": [str(m.registration_id) for m in wanted]}},
        "size": len(wanted), "stored_fields": "_none_", "docvalue_fields": WHOLE_FIELDS},
        filter_path=["hits.hits.fields"])
    docs: dict[int, tuple[str, dict[str, Any]]] = {}
    for hit in response.get("hits", {}).get("hits", ()):
        whole = whole_of(hit.get("fields", {}))
        if whole is not None:
            docs[whole[0]] = (whole[1], whole[2])
    complete: list[Match] = []
    for match in matches:
        if match.whole:
            complete.append(match)
            continue
        doc = docs.get(match.registration_id)
        if doc is None:
            continue
        content_hash, registration = doc
        if content_hash == outcome.hashes.get(match.registration_id):
            complete.append(replace(match, registration=registration, whole=True))
            continue
        if not include_deleted and registration.get("status") != "in_force":
            continue
        again = best_match(match.field_criterion, value, party_type, match.registration_id,
                           registration)
        if again is not None and again.tier == match.tier:
            complete.append(again)
    return complete
