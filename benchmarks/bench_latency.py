"""Search latency over HTTP: 8 concurrent clients, one criterion at a time, at 1M registrations.

    set -a; . benchmarks/bench.env; set +a
    .venv/bin/python -m benchmarks.bench_latency            # --workers 1,2 --duration 30

For each criterion (debtor name of an individual, of an organisation, id number, chassis,
engine, plate and registration number) a seeded mix of request bodies is sampled from the
corpus file: half the values as registered, half query variants of every class
(``benchmarks.quality.variants``, negatives included). The load generator is ``wrk``
(Debian's; one thread, 8 connections, a Lua script rotating the bodies) so that it takes
little of the 2 cores; its CPU time is measured and reported. The API is started here with
1 and then 2 uvicorn workers (``regsearch api --workers N``) on its own port and stopped
afterwards; the rest of the stack (Elasticsearch, PostgreSQL, Redis) is the running one.

Elasticsearch's shard request cache is switched off on the benchmark index while this runs
(and its setting put back afterwards): it answers a repeated ``size: 0`` request (a name
search's values aggregation) from memory until the next refresh. The bodies here repeat
every 2,000 requests and the benchmark index takes no changes, so it answered 86% of
them; in service the index refreshes every second under a stream of changes and the same
name is seldom asked twice in one second.

Afterwards an in-process breakdown per criterion (one request at a time) says where the time
goes, running the API's own functions (``api.search_routes``): the Elasticsearch requests
(round trip and ES ``took``), the Python between them (the pair classifier, ranking, the
matches' registrations), the watermark, the response's JSON, and the per-request work
around the search (rate-limit counter, usage ledger insert).
Writes ``.state/bench-latency.json`` and prints markdown.

The parts: ``benchmarks.latency_bodies`` (the request bodies), ``benchmarks.latency_load``
(the API under test, ``wrk``, CPU, the request cache), ``benchmarks.latency_breakdown``
(the in-process breakdown); here the measurement per criterion, the report and the command.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Final

import orjson

from benchmarks.latency_bodies import BODIES, CRITERIA, STATE, bodies_file
from benchmarks.latency_breakdown import breakdown
from benchmarks.latency_load import (
    WRK_SCRIPT,
    Api,
    cpu_seconds,
    machine_busy,
    run_wrk,
    without_request_cache,
)

TARGET_P50_MS: Final = 20.0
TARGET_P99_MS: Final = 100.0


def measure(api: Api, name: str, bodies: Path, script: Path, args: argparse.Namespace
            ) -> dict[str, Any]:
    run_wrk(api.url, bodies, script, args.warmup, args.connections, args.threads)
    api_cpu, busy = cpu_seconds(api.pid), machine_busy()
    load_before = os.getloadavg()
    result = run_wrk(api.url, bodies, script, args.duration, args.connections, args.threads)
    busy_after = machine_busy()
    seconds = result["duration_us"] / 1e6
    cores = os.cpu_count() or 1
    result.update({
        "criterion": name, "workers": api.workers,
        "p50_ms": result["p50_us"] / 1000, "p90_ms": result["p90_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000, "max_ms": result["max_us"] / 1000,
        "throughput_rps": round(result["requests"] / seconds, 1),
        "api_cpu_s": round(cpu_seconds(api.pid) - api_cpu, 1),
        "api_cpu_ms_per_request": round(1000 * (cpu_seconds(api.pid) - api_cpu)
                                        / max(1, result["requests"]), 2),
        "machine_cpu_pct": round(100 * (busy_after[0] - busy[0])
                                 / max(1.0, busy_after[1] - busy[1]), 1),
        "wrk_cpu_pct_of_one_core": round(100 * result["wrk_cpu_s"] / seconds, 1),
        "cores": cores, "load_before": load_before, "load_after": os.getloadavg(),
    })
    return result


# --- report -----------------------------------------------------------------------------------

def _mark(value: float, target: float) -> str:
    return f"{value:.1f}" + ("" if value < target else " ✗")


def render(report: dict[str, Any]) -> str:
    lines = ["| criterion | workers | p50 ms | p99 ms | max ms | req/s | errors "
             "| API CPU ms/request | machine CPU % | wrk CPU % of a core "
             "| connections per worker |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in report["runs"]:
        errors = r["status_errors"] + r["connect_errors"] + r["read_errors"] + r["timeouts"]
        lines.append(
            f"| {r['criterion']} | {r['workers']} | {_mark(r['p50_ms'], TARGET_P50_MS)} | "
            f"{_mark(r['p99_ms'], TARGET_P99_MS)} | {r['max_ms']:.0f} | {r['throughput_rps']} | "
            f"{errors} | {r['api_cpu_ms_per_request']} | {r['machine_cpu_pct']} | "
            f"{r['wrk_cpu_pct_of_one_core']} | "
            f"{'/'.join(map(str, r.get('connections_per_worker') or [])) or '–'} |")
    if report.get("breakdown"):
        lines += ["", "In-process breakdown, one request at a time (median / p99 ms):", "",
                  "| criterion | plan | ES wall | ES took | ES requests | hits fetched "
                  "| Python between (classify, rank) | response JSON | response KB | watermark "
                  "| rate limit + ledger | HTTP end to end | results (median) |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for b in report["breakdown"]:
            def cell(key: str, row: dict[str, Any] = b) -> str:
                if key not in row:
                    return "–"
                return f"{row[key]['median']:g} / {row[key]['p99']:g}"
            lines.append(" | ".join([
                f"| {b['criterion']}", cell("plan_ms"), cell("es_wall_ms"), cell("es_took_ms"),
                cell("es_requests"), cell("candidates_fetched"), cell("rerank_ms"),
                cell("response_ms"),
                cell("response_kb"), cell("watermark_ms"), cell("ratelimit_ledger_ms"),
                cell("http_end_to_end_ms"), f"{b['results_median']:g} |"]))
    return "\n".join(lines)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=STATE / "corpus-1000000-2026.jsonl")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--bodies", type=int, default=2000, help="request bodies per criterion")
    parser.add_argument("--criteria", default=",".join(CRITERIA))
    parser.add_argument("--workers", default="1,2", help="uvicorn worker counts to try")
    parser.add_argument("--port", type=int, default=8110,
                        help="port of the first API started here (the next: +1)")
    parser.add_argument("--duration", type=int, default=30, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=5, help="seconds before each measurement")
    parser.add_argument("--warm-all", type=int, default=5,
                        help="seconds of load per criterion before the first measurement, so "
                             "that it does not meet an Elasticsearch just started (0: none)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent clients")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--breakdown", type=int, default=100,
                        help="requests per criterion for the in-process breakdown (0: none)")
    parser.add_argument("--out", type=Path, default=STATE / "bench-latency.json")
    parser.add_argument("--render-only", action="store_true")
    parser.add_argument("--breakdown-only", action="store_true",
                        help="redo only the in-process breakdown, into the saved JSON (--out)")
    return parser.parse_args()


def _breakdown_only(args: argparse.Namespace) -> None:
    """Redo only the in-process breakdown, into the saved JSON."""
    saved = orjson.loads(args.out.read_bytes())
    names = [n for n in args.criteria.split(",") if n]
    with Api(1, args.port, STATE / "bench-latency-api-1.log") as api:
        saved["breakdown"] = [breakdown(name, [json.loads(x) for x in bodies_file(
            args.corpus, name, args.bodies, args.seed).read_text(
                encoding="utf-8").splitlines()[:args.breakdown]], api.url)
            for name in names]
    saved["breakdown_load"] = os.getloadavg()
    args.out.write_bytes(orjson.dumps(saved, option=orjson.OPT_INDENT_2))
    print(render(saved))


def _measure_all(args: argparse.Namespace, report: dict[str, Any]) -> None:
    names = [n for n in args.criteria.split(",") if n]
    files = {n: bodies_file(args.corpus, n, args.bodies, args.seed) for n in names}
    script = BODIES / "rotate.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    # One API per worker count, each on its own port, all started up front (an idle API
    # takes no CPU): the criteria are measured in turn on each, so that the configurations
    # see the same background load.
    with ExitStack() as stack:
        stack.enter_context(without_request_cache())
        apis = [stack.enter_context(Api(int(w), args.port + i,
                                        STATE / f"bench-latency-api-{w}.log"))
                for i, w in enumerate(args.workers.split(",")) if w]
        # Right after Elasticsearch starts, its searches run slower for a while (its JIT
        # compiles, caches fill): measured, individual names as the first criterion after
        # a restart ran at 324 and 358 req/s, at 411-515 warm (RESULTS.md, session 10).
        # One pass over every criterion warms it for all of them.
        if args.warm_all:
            for name in names:
                for api in apis:
                    run_wrk(api.url, files[name], script, args.warm_all, args.connections,
                            args.threads)
        for name in names:
            for api in apis:
                result = measure(api, name, files[name], script, args)
                if not api.alive():
                    raise SystemExit(f"the API with {api.workers} workers died; see {api.log}")
                report["runs"].append(result)
                print(f"{name} workers={api.workers}: p50 {result['p50_ms']:.1f} ms, p99 "
                      f"{result['p99_ms']:.1f} ms, {result['throughput_rps']} req/s",
                      file=sys.stderr, flush=True)
        if args.breakdown:
            for name in names:
                lines = files[name].read_text(encoding="utf-8").splitlines()[:args.breakdown]
                report["breakdown"].append(
                    breakdown(name, [json.loads(x) for x in lines], apis[0].url))


def main() -> None:
    args = _arguments()
    if not args.render_only and not args.breakdown_only and shutil.which("wrk") is None:
        raise SystemExit("bench_latency: wrk, the load generator, is not installed; "
                         "`regsearch services up` installs it (or: apt-get install -y wrk)")
    if args.render_only:
        print(render(orjson.loads(args.out.read_bytes())))
        return
    if args.breakdown_only:
        _breakdown_only(args)
        return
    report: dict[str, Any] = {"command": " ".join(["python -m benchmarks.bench_latency",
                                                   *sys.argv[1:]]),
                              "load_at_start": os.getloadavg(), "runs": [], "breakdown": []}
    _measure_all(args, report)
    report["load_at_end"] = os.getloadavg()
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
    print(render(report))


if __name__ == "__main__":
    main()
