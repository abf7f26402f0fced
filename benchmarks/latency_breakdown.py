"""Where a search's time goes, one request at a time, measured in-process with the API's
own functions (``api.search_routes``), next to the same request over HTTP: the
Elasticsearch requests (round trip and ES ``took``), the Python between them (the pair
classifier, ranking, the matches' registrations), the watermark, the response's JSON, and
the per-request work around the search (rate-limit counter, usage ledger insert)."""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import httpx

from core.settings import get_settings


def _hits_of(response: dict[str, Any]) -> int:
    return len(response.get("hits", {}).get("hits", []))


class _EsTimer:
    """Times every Elasticsearch request of the search path (``core.elastic``'s
    ``search`` and ``msearch``, the client's ``mget``) while installed: per request its
    wall time, Elasticsearch's ``took`` and the hits it fetched."""

    def __init__(self, es: Any) -> None:
        from core import elastic

        self.elastic, self.es = elastic, es
        self.calls: list[tuple[float, float]] = []
        self.fetched: list[int] = []
        self.original_search, self.original_msearch = elastic.search, elastic.msearch
        self.original_mget = es.mget

    def _timed(self, call: Callable[..., Any], hits: Callable[[Any], int],
               took: Callable[[Any], float]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            response = call(*args, **kwargs)
            self.calls.append((time.perf_counter() - started, took(response)))
            self.fetched.append(hits(response))
            return response
        return timed

    def install(self) -> None:
        def took(response: Any) -> float:
            return float(response.get("took", 0)) / 1000

        self.elastic.search = self._timed(self.original_search, _hits_of, took)
        self.elastic.msearch = self._timed(
            self.original_msearch,
            lambda response: sum(_hits_of(r) for r in response.get("responses", ())), took)
        self.es.mget = self._timed(self.original_mget, lambda r: len(r["docs"]),
                                   lambda _: 0.0)  # mget reports no "took"

    def uninstall(self) -> None:
        self.elastic.search, self.elastic.msearch = self.original_search, self.original_msearch

    def clear(self) -> None:
        self.calls.clear()
        self.fetched.clear()


def _one(resources: Any, timer: _EsTimer, client: httpx.Client, body: dict[str, Any],
         timings: defaultdict[str, list[float]]) -> int:
    """One body, timed stage by stage into ``timings``; answers its count of results."""
    import accounts
    from api import search_routes
    from freshness import watermark
    from query.request import SearchRequest

    settings = resources.settings
    request = SearchRequest.model_validate(body)
    criterion, _ = request.criterion
    timer.clear()
    started = time.perf_counter()
    candidate_plan = search_routes.searchable_plan(request)
    planned = time.perf_counter()
    page = search_routes.shown_page(resources, request, candidate_plan)
    searched = time.perf_counter()
    mark, _ = watermark.read(resources.es, settings)
    marked = time.perf_counter()
    encoded = search_routes.response_body(request, page, mark)
    rendered = time.perf_counter()
    es_wall = sum(c[0] for c in timer.calls)
    timings["plan_ms"].append(1000 * (planned - started))
    timings["es_wall_ms"].append(1000 * es_wall)
    timings["es_took_ms"].append(1000 * sum(c[1] for c in timer.calls))
    timings["es_requests"].append(len(timer.calls))
    timings["candidates_fetched"].append(sum(timer.fetched))
    timings["rerank_ms"].append(1000 * (searched - planned - es_wall))
    timings["watermark_ms"].append(1000 * (marked - searched))
    timings["response_ms"].append(1000 * (rendered - marked))
    timings["response_kb"].append(len(encoded) / 1024)
    started = time.perf_counter()
    pipe = resources.redis.pipeline()
    pipe.incr("regsearch:bench-latency:probe")
    pipe.expire("regsearch:bench-latency:probe", 120)
    pipe.execute()
    with resources.pool.connection() as conn:
        accounts.record_usage(conn, accounts.PUBLIC, "search",
                              accounts.fee_for(accounts.PUBLIC, "search", settings),
                              criterion=criterion, client="bench-latency")
    timings["ratelimit_ledger_ms"].append(1000 * (time.perf_counter() - started))
    started = time.perf_counter()
    client.post("/v1/search", json=body)
    timings["http_end_to_end_ms"].append(1000 * (time.perf_counter() - started))
    return int(page.exact_count + page.close_count)


def breakdown(name: str, bodies: list[dict[str, Any]], base_url: str) -> dict[str, Any]:
    """Where a request's time goes, one request at a time, measured in-process with the
    API's own functions (``api.search_routes``), next to the same request over HTTP."""
    from api.resources import Resources

    resources = Resources.create(get_settings())
    resources.pool.open(wait=True)
    timings: defaultdict[str, list[float]] = defaultdict(list)
    timer = _EsTimer(resources.es)
    timer.install()
    client = httpx.Client(base_url=base_url, timeout=30)
    candidates: list[int] = []
    try:
        for body in bodies:
            candidates.append(_one(resources, timer, client, body, timings))
    finally:
        timer.uninstall()
        client.close()
        resources.close()
    out: dict[str, Any] = {"criterion": name, "requests": len(bodies)}
    for key, values in timings.items():
        ordered = sorted(values)
        out[key] = {"median": round(statistics.median(ordered), 2),
                    "p99": round(ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))],
                                 2),
                    "mean": round(statistics.fmean(ordered), 2)}
    out["results_median"] = statistics.median(candidates) if candidates else 0
    return out
