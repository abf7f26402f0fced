"""What the search page adds to the search it shows, at 1,000,000 registrations.

    set -a; . benchmarks/bench.env; set +a
    REGSEARCH_ENV=development .venv/bin/python -m benchmarks.bench_page_render
    # --queries 300 --rounds 5 --profile; --url http://127.0.0.1:8230 adds the HTTP pair

Queries: debtor names of grantors sampled (seeded) from the benchmark registry the index
``bench-registrations`` follows (read only), as registered or typed without diacritics. For
each, in process and one at a time:

* **search**: what ``POST /v1/search`` does for an anonymous caller between the request
  and its bytes: the candidate plan, the watermark, the page of each tier with its
  registrations (``api.search_routes.shown_page``) and the JSON body;
* **page**: what ``GET /tra-cuu`` does on top with that body: ``orjson.loads``, the
  paging, the template (``search.html``) rendered and encoded, exactly as ``web.routes``.

Reported: p50/p99 of each, and of the page alone on the pages of at least 20 exact and
40 close results (the target: at most 5 ms p50 added to the search). With ``--url`` (a
running API of the benchmark profile) also the same queries over HTTP, in pairs
``POST /v1/search`` and ``GET /tra-cuu`` (which goes first alternates: the second of a
pair finds Elasticsearch's caches warmer): p50/p99 of each and of their difference.
``--profile`` prints cProfile's top functions of the rendering.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from types import SimpleNamespace
from typing import Any

import httpx
import orjson

FULL_EXACT, FULL_CLOSE = 20, 40
#: What the templates read of the request: nobody signed in (``web.session.shown_user``).
ANONYMOUS = SimpleNamespace(state=SimpleNamespace(signed_in=None))


@dataclass
class Case:
    """One query, its JSON body as the search answers it, and the measured times."""

    value: str
    body: bytes
    exact_shown: int
    close_shown: int
    search_s: list[float]
    page_s: list[float]
    page_cpu_s: list[float]


def sampled_names(dsn: str, count: int, seed: int) -> list[str]:
    """Grantors' names drawn at random (seeded) from the benchmark registry, the one the
    index follows (read only)."""
    import psycopg

    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT name FROM parties TABLESAMPLE SYSTEM (1) REPEATABLE (%s)"
            " WHERE role = 'grantor' LIMIT %s", (seed % 2**31, count)).fetchall()
    return [str(r[0]) for r in rows]


def search_body(resources: Any, value: str) -> bytes:
    """The body ``POST /v1/search`` answers an anonymous caller for a debtor name."""
    from api import search_routes
    from freshness import watermark
    from query.request import SearchRequest

    request = SearchRequest.model_validate({"debtor_name": value, "exact_limit": 20})
    candidate_plan = search_routes.searchable_plan(request)
    mark, _ = watermark.read(resources.es, resources.settings)
    page = search_routes.shown_page(resources, request, candidate_plan)
    return search_routes.response_body(request, page, mark, anonymous=True)


def render_page(body: bytes, value: str) -> bytes:
    """What ``web.routes.search_page`` adds to the search's body: its HTML, encoded."""
    from web import view
    from web.pages import templates

    result = orjson.loads(body)
    context = {"request": ANONYMOUS, "form": {"criterion": "debtor_name", "value": value},
               "result": result, "pages": view.pages(result["exact"]["count"], 1)}
    return templates.get_template("search.html").render(context).encode()


def typed_plain(name: str) -> str:
    """The name as typed without diacritics (as clerks often do)."""
    bare = "".join(c for c in unicodedata.normalize("NFD", name)
                   if not unicodedata.combining(c))
    return bare.replace("đ", "d").replace("Đ", "D")


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def timed_both(call: Callable[[], object]) -> tuple[float, float]:
    """Wall time, and the CPU time of this thread (less moved by the machine's load)."""
    started, cpu = time.perf_counter(), time.thread_time()
    call()
    return time.perf_counter() - started, time.thread_time() - cpu


def quantiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.99)] * 1000


def row(name: str, values: list[float]) -> str:
    p50, p99 = quantiles(values)
    return f"| {name} | {len(values)} | {p50:.2f} | {p99:.2f} |"


def in_process(resources: Any, values: list[str], rounds: int) -> list[Case]:
    cases = []
    for value in values:
        body = search_body(resources, value)
        answer = orjson.loads(body)
        cases.append(Case(value, body, len(answer["exact"]["results"]),
                          len(answer["close"]["results"]), [], [], []))
    for case in cases:  # warm: templates compiled, caches filled
        render_page(case.body, case.value)
    for _ in range(rounds):
        for case in cases:
            case.search_s.append(timed(partial(search_body, resources, case.value)))
            wall, cpu = timed_both(partial(render_page, case.body, case.value))
            case.page_s.append(wall)
            case.page_cpu_s.append(cpu)
    return cases


def over_http(url: str, values: list[str], rounds: int) -> tuple[list[float], list[float],
                                                                  list[float]]:
    api: list[float] = []
    page: list[float] = []
    added: list[float] = []
    with httpx.Client(base_url=url, timeout=60) as client:
        for value in values:  # warm, and every query answered (not a refusal timed)
            client.post("/v1/search", json={"debtor_name": value}).raise_for_status()
            client.get("/tra-cuu", params={"criterion": "debtor_name",
                                           "value": value}).raise_for_status()
        for turn in range(rounds):
            for index, value in enumerate(values):
                search = partial(client.post, "/v1/search",
                                 json={"debtor_name": value, "exact_limit": 20})
                shown = partial(client.get, "/tra-cuu",
                                params={"criterion": "debtor_name", "value": value})
                if (turn + index) % 2:  # the second of a pair finds Elasticsearch warmer
                    p, a = timed(shown), timed(search)
                else:
                    a, p = timed(search), timed(shown)
                api.append(a)
                page.append(p)
                added.append(p - a)
    return api, page, added


def profile(cases: list[Case]) -> None:
    full = [c for c in cases if c.exact_shown >= FULL_EXACT and c.close_shown >= FULL_CLOSE]
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(20):
        for case in full or cases:
            render_page(case.body, case.value)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--url", help="a running API of the benchmark profile (HTTP pair)")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    from api.resources import Resources
    from core.settings import get_settings

    settings = get_settings()
    resources = Resources.create(settings)
    names = sampled_names(settings.pg_dsn, args.queries, args.seed)
    rng = random.Random(args.seed)
    values = [typed_plain(n) if rng.random() < 0.5 else n for n in names]  # half without diacritics
    count = resources.es.count(index=settings.index_alias)["count"]
    cases = in_process(resources, values, args.rounds)
    full = [c for c in cases if c.exact_shown >= FULL_EXACT and c.close_shown >= FULL_CLOSE]
    search = [t for c in cases for t in c.search_s]
    page = [t for c in cases for t in c.page_s]
    print(f"index {settings.index_alias}: {count:,} registrations; {len(cases)} queries x "
          f"{args.rounds} rounds; load average {os.getloadavg()}")
    print(f"results shown per page: exact mean {statistics.mean(c.exact_shown for c in cases):.1f},"
          f" close mean {statistics.mean(c.close_shown for c in cases):.1f}; "
          f"{len(full)} pages with >= {FULL_EXACT} exact and >= {FULL_CLOSE} close")
    print("\n| in process | n | p50 ms | p99 ms |\n|---|---|---|---|")
    print(row("search (POST /v1/search's work)", search))
    print(row("page added (loads + template + encode)", page))
    print(row("page added, CPU time", [t for c in cases for t in c.page_cpu_s]))
    if full:
        print(row(f"page added, pages of >= {FULL_EXACT} exact + >= {FULL_CLOSE} close",
                  [t for c in full for t in c.page_s]))
        print(row("the same, CPU time", [t for c in full for t in c.page_cpu_s]))
    if args.url:
        api, shown, added = over_http(args.url, values, max(1, args.rounds // 2))
        print("\n| over HTTP | n | p50 ms | p99 ms |\n|---|---|---|---|")
        print(row("POST /v1/search", api))
        print(row("GET /tra-cuu", shown))
        print(row("difference, query by query", added))
    if args.profile:
        profile(cases)
    resources.es.close()


if __name__ == "__main__":
    main()
