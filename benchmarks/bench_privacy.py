"""CPU of the anonymous view per search body, before and after it was made cheap.

    set -a; . benchmarks/bench.env; set +a
    REGSEARCH_ENV=development .venv/bin/python -m benchmarks.bench_privacy [--queries 200]

Bodies: individual grantors' names sampled (seeded) from the benchmark registry that the
index ``bench-registrations`` follows (read only), each searched as an anonymous caller's
``POST /v1/search`` would (``api.search_routes.shown_page``, the request's defaults: up to
100 exact and the close tier's page, every match read whole). The searches are done once;
then, for every body, the CPU time of this thread (``time.thread_time``) to give every
match of the body its anonymous view, with

* **before**: ``benchmarks.privacy_before.anonymous_view_before`` (the view as it was);
* **after**: ``api.privacy.anonymous_view``;

each **cold** (``re``'s cache and the view's caches emptied before every body: on
1,000,000 registrations a search meets individuals no earlier search showed) and **warm**
(the same body again). Both views' outputs are compared on every body before timing.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from api import privacy
from api.privacy import AnonymousView, anonymous_view
from benchmarks.privacy_before import anonymous_view_before
from query.search import Match

View = Callable[[Match], AnonymousView]


def sampled_individuals(dsn: str, count: int, seed: int) -> list[str]:
    """Individual grantors' names drawn at random (seeded), read only."""
    import psycopg

    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT name FROM parties TABLESAMPLE SYSTEM (1) REPEATABLE (%s)"
            " WHERE role = 'grantor' AND party_type = 'individual' LIMIT %s",
            (seed % 2**31, count)).fetchall()
    return [str(r[0]) for r in rows]


def shown_matches(resources: Any, name: str) -> list[Match]:
    """Every match an anonymous name search shows, with its whole registration."""
    from api import search_routes
    from query.request import SearchRequest

    request = SearchRequest.model_validate({"debtor_name": name})
    page = search_routes.shown_page(resources, request, search_routes.searchable_plan(request))
    return page.exact + page.close


def forget() -> None:
    re.purge()
    privacy._spread_pattern.cache_clear()
    privacy._number_secrets.cache_clear()
    privacy._address_secret.cache_clear()


def cpu_per_body(view: View, bodies: list[list[Match]], cold: bool, rounds: int) -> list[float]:
    """Seconds of this thread's CPU to view each body's matches, every round."""
    spent = []
    for _ in range(rounds):
        for matches in bodies:
            if cold:
                forget()
            started = time.thread_time()
            for match in matches:
                view(match)
            spent.append(time.thread_time() - started)
    return spent


def row(name: str, values: list[float], shown: int) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (f"| {name} | {len(values)} | {statistics.mean(values) * 1000:.3f} | "
            f"{statistics.median(values) * 1000:.3f} | {p99 * 1000:.3f} | "
            f"{sum(values) / shown * 1e6:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261207)
    args = parser.parse_args()

    from api.resources import Resources
    from core.settings import get_settings

    settings = get_settings()
    resources = Resources.create(settings)
    started = datetime.now(UTC)
    names = sampled_individuals(settings.pg_dsn, args.queries, args.seed)
    bodies = [m for m in (shown_matches(resources, name) for name in names) if m]
    count = resources.es.count(index=settings.index_alias)["count"]
    resources.es.close()
    for matches in bodies:
        for match in matches:
            assert anonymous_view(match) == anonymous_view_before(match), match.registration_id
    shown = sum(len(m) for m in bodies)
    people = sum(1 for m in bodies for match in m
                 for p in match.registration.get("grantors", ())
                 if p.get("party_type") == "individual")
    print(f"{started:%Y-%m-%d %H:%M:%S} UTC; index {settings.index_alias}: {count:,}"
          f" registrations; {len(bodies)} bodies of {len(names)} names, {shown} matches"
          f" ({shown / len(bodies):.1f} a body, {people} individual grantors), all views"
          f" equal; {args.rounds} rounds; load average {os.getloadavg()}")
    print("\n| anonymous view, CPU per body | n | mean ms | p50 ms | p99 ms | µs a match |"
          "\n|---|---|---|---|---|---|")
    for label, view in (("before", anonymous_view_before), ("after", anonymous_view)):
        for cold in (True, False):
            if not cold:
                cpu_per_body(view, bodies, False, 1)  # warm the caches
            spent = cpu_per_body(view, bodies, cold, args.rounds)
            print(row(f"{label}, {'cold' if cold else 'warm'}", spent, shown * args.rounds))
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
