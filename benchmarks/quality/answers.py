"""What each system answers for a query of the quality benchmark: ours over HTTP, and the
three baselines (simple, ES fuzzy, BC PPR)."""


import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import orjson
from elasticsearch import Elasticsearch

from benchmarks.baselines import bc_ppr, es_fuzzy, simple
from benchmarks.quality.sampling import Query

T = TypeVar("T")
R = TypeVar("R")


# --- answers -------------------------------------------------------------------------------

@dataclass
class Answer:
    """One system's answer, reduced to what the report needs."""

    target_tier: str | None  # exact | close | any (untiered) | None
    counts: dict[str, int]  # per tier, as returned
    rank: int | None = None  # target's position within its tier
    tied_first: bool = False  # target's score equals the best score of its tier
    exact: list[str] | None = None  # ours: registration numbers of the whole exact tier
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _body(query: Query, offset: int, limit: int, close_offset: int = 0,
          close_limit: int | None = None, include_deleted: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {query.criterion: query.text, "include_deleted": include_deleted,
                            "exact_offset": offset, "exact_limit": limit}
    if close_offset or close_limit:
        body.update(close_offset=close_offset, close_limit=close_limit or 50)
    if query.party_type is not None:
        body["party_type"] = query.party_type
    return body


#: How long a query is retried while the service answers 503 (Elasticsearch restarting, a
#: primary being promoted): the benchmark measures answers, not the machine's other users.
RETRY_503_FOR_S = 300.0


def search(client: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    """``POST /v1/search``, retried with back-off while it answers 503."""
    deadline = time.monotonic() + RETRY_503_FOR_S
    wait = 0.5
    while True:
        response = client.post("/v1/search", json=body)
        if response.status_code != 503 or time.monotonic() + wait > deadline:
            return response
        time.sleep(wait)
        wait = min(wait * 2, 10.0)


def _numbers_scores(results: list[dict[str, Any]]) -> list[tuple[str, float]]:
    return [(r["registration"]["registration_number"], float(r["score"])) for r in results]


def ask_ours(client: httpx.Client, query: Query, target_number: str,
             page: int = 1000, max_pages: int = 50) -> Answer:
    """The whole exact tier, the close tier's first page (as a searcher sees it), and, when
    the target is not there, the rest of the close tier paged with ``close_offset``."""
    exact: list[tuple[str, float]] = []
    close: list[tuple[str, float]] = []
    close_count = close_left_out = exact_count = 0
    started = time.perf_counter()
    for page_number in range(max_pages):
        response = search(client, _body(query, page_number * page, page))
        if response.status_code != 200:
            return Answer(None, {"exact": 0, "close": 0},
                          error=f"HTTP {response.status_code}: {response.text[:200]}")
        data = orjson.loads(response.content)
        exact_count = int(data["exact"]["count"])
        exact += _numbers_scores(data["exact"]["results"])
        if page_number == 0:
            close = _numbers_scores(data["close"]["results"])
            close_count = int(data["close"]["count"])
            close_left_out = int(data["close"]["left_out"])
        if len(exact) >= exact_count or not data["exact"]["results"]:
            break
    first_page = len(close)
    numbers = {n for n, _ in exact} | {n for n, _ in close}
    while target_number not in numbers and len(close) < close_count:
        response = search(client, _body(
            query, 0, 1, close_offset=len(close), close_limit=1000))
        if response.status_code != 200:
            break
        more = _numbers_scores(orjson.loads(response.content)["close"]["results"])
        if not more:
            break
        close += more
        numbers |= {n for n, _ in more}
    elapsed = time.perf_counter() - started
    answer = Answer(None, {"exact": exact_count, "close": first_page},
                    exact=[n for n, _ in exact],
                    extra={"close_count": close_count, "close_left_out": close_left_out,
                           "seconds": round(elapsed, 4)})
    for tier, results in (("exact", exact), ("close", close)):
        for position, (number, score) in enumerate(results):
            if number == target_number:
                answer.target_tier, answer.rank = tier, position
                answer.tied_first = score >= results[0][1]
                answer.extra["first_page"] = tier == "exact" or position < first_page
                return answer
    return answer


def count_default(client: httpx.Client, query: Query) -> int:
    """Results a searcher gets with the default options (in force only, close tier capped):
    the exact count plus the close matches shown."""
    response = search(client, _body(query, 0, 1, include_deleted=False))
    if response.status_code != 200:
        return -1
    data = orjson.loads(response.content)
    return int(data["exact"]["count"]) + int(data["close"]["shown"])


def ask_simple(index: simple.SimpleIndex, query: Query) -> Answer:
    found = index.search(query.criterion, query.text)
    return Answer("exact" if query.target in found else None, {"exact": len(found)})


def ask_es(es: Elasticsearch, query: Query) -> Answer:
    try:
        top, total = es_fuzzy.search(es, query.criterion, query.text)
    except Exception as exc:  # a failed baseline query is reported, not fatal
        return Answer(None, {"any": 0}, error=str(exc)[:200])
    found = query.target in top
    return Answer("any" if found else None, {"any": len(top)},
                  rank=top.index(query.target) if found else None,
                  extra={"total_hits": total})


def ask_bc(index: bc_ppr.BCIndex, query: Query) -> Answer:
    result = index.search(query.criterion, query.text, query.party_type)
    tier = "exact" if query.target in result.exact else (
        "close" if query.target in result.similar else None)
    return Answer(tier, {"exact": len(result.exact), "close": len(result.similar)},
                  extra={"total": result.total})


def run_parallel(function: Callable[[T], R], items: Sequence[T], workers: int,
                 label: str) -> list[R]:
    started = time.monotonic()
    out: list[R] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done, result in enumerate(pool.map(function, items), 1):
            out.append(result)
            if done % 2000 == 0:
                print(f"  {label}: {done}/{len(items)} in {time.monotonic() - started:.0f}s",
                      file=sys.stderr, flush=True)
    return out
