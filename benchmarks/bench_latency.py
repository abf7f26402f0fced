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
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, Final

import httpx
import orjson

from benchmarks import processes
from benchmarks.baselines import corpus
from benchmarks.quality.variants import variants_for
from regsearch import elastic
from regsearch.settings import get_settings

STATE: Final = Path(".state")
BODIES: Final = STATE / "latency-bodies"
#: name → (criterion, party type)
CRITERIA: Final[dict[str, tuple[str, str | None]]] = {
    "debtor_name_individual": ("debtor_name", "individual"),
    "debtor_name_organization": ("debtor_name", "organization"),
    "id_number": ("id_number", None),
    "chassis_number": ("chassis_number", None),
    "engine_number": ("engine_number", None),
    "plate_number": ("plate_number", None),
    "registration_number": ("registration_number", None),
}
_REQUEST_CACHE: Final = "index.requests.cache.enable"
TARGET_P50_MS: Final = 20.0
TARGET_P99_MS: Final = 100.0

WRK_SCRIPT: Final = """\
-- Rotate POST bodies from a file (one JSON body a line): wrk ... -s rotate.lua URL -- FILE
local bodies = {}
local counter = 0
local headers = {["Content-Type"] = "application/json"}

function init(args)
  for line in io.lines(args[1]) do
    bodies[#bodies + 1] = line
  end
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0))
  counter = math.random(#bodies)
end

function request()
  counter = counter % #bodies + 1
  return wrk.format("POST", "/v1/search", headers, bodies[counter])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"duration_us":%d,"status_errors":%d,"connect_errors":%d,' ..
    '"read_errors":%d,"write_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,' ..
    '"p99_us":%d,"max_us":%d,"mean_us":%.1f}\\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
"""


# --- request bodies ---------------------------------------------------------------------------

def _random_registrations(path: Path, rng: random.Random, count: int
                          ) -> Iterator[corpus.Registration]:
    """Registrations at random places in the file (seek to a random byte, take the next
    whole line): no full scan needed."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        for _ in range(count):
            handle.seek(rng.randrange(size))
            handle.readline()
            line = handle.readline()
            if not line:  # past the last line: take the first
                handle.seek(0)
                line = handle.readline()
            yield corpus.parse_line(line)


def _values(name: str, registration: corpus.Registration) -> list[str]:
    criterion, party_type = CRITERIA[name]
    if criterion == "debtor_name":
        return [p.name for p in registration.grantors if p.party_type == party_type and p.name]
    if criterion == "id_number":
        return [p.id_number for p in registration.grantors if p.id_number]
    if criterion == "registration_number":
        return [registration.number]
    return list(corpus.serial_values(registration, criterion))


def make_bodies(path: Path, name: str, count: int, seed: int) -> list[dict[str, Any]]:
    criterion, party_type = CRITERIA[name]
    rng = random.Random(f"{seed}/{name}")
    bodies: list[dict[str, Any]] = []
    for registration in _random_registrations(path, rng, count * 20):
        values = _values(name, registration)
        if not values:
            continue
        value = rng.choice(values)
        query = value
        if rng.random() < 0.5:
            variants = variants_for(criterion, value, party_type, rng)
            if variants:
                query = rng.choice(variants).query
        if any(ord(ch) < 32 for ch in query):
            query = " ".join(query.split())  # the API refuses control characters (tabs)
        body: dict[str, Any] = {criterion: query}
        if party_type is not None:
            body["party_type"] = party_type
        bodies.append(body)
        if len(bodies) >= count:
            break
    return bodies


def bodies_file(path: Path, name: str, count: int, seed: int) -> Path:
    BODIES.mkdir(parents=True, exist_ok=True)
    out = BODIES / f"{name}-{count}-{seed}.jsonl"
    if not out.exists():
        lines = [orjson.dumps(b).decode() for b in make_bodies(path, name, count, seed)]
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


# --- the API under test -----------------------------------------------------------------------

def cpu_seconds(pid: int) -> float:
    """utime + stime of a process and its live children (uvicorn's workers)."""
    return processes.cpu_seconds([pid, *processes.children(pid)])


def _machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs since boot."""
    total, idle = processes.machine_jiffies()
    return total - idle, total


class Api:
    """``regsearch api --workers N`` on its own port, started and stopped here; with
    ``checkout``, the code of that directory (another revision's work tree) runs."""

    def __init__(self, workers: int, port: int, log: Path, checkout: Path | None = None
                 ) -> None:
        self.workers, self.port, self.log, self.checkout = workers, port, log, checkout
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Api:
        # With several workers, each runs the schema set-up at start-up and one of them can
        # fail ("tuple concurrently updated"; uvicorn then stops them all): start again.
        for _ in range(5):
            if self._start():
                return self
            self.__exit__()
        raise SystemExit(f"the API did not start with {self.workers} workers; see {self.log}")

    def _start(self) -> bool:
        # ``-c``: the working directory comes first on the path, so a checkout's own
        # packages are imported rather than the installed ones.
        command = [sys.executable, "-c", "from regsearch.cli import app; app()", "api",
                   "--workers", str(self.workers), "--port", str(self.port)]
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                            cwd=self.checkout)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with self.log.open("rb") as log:
                log.seek(offset)
                text = log.read().decode("utf-8", "replace")
            if "startup failed" in text or self.process.poll() is not None:
                return False
            if text.count("Application startup complete.") >= self.workers:
                try:
                    if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                        return True
                except httpx.HTTPError:
                    pass
            time.sleep(0.5)
        return False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None and len(
            processes.children(self.pid)) >= (self.workers if self.workers > 1 else 0)

    def __exit__(self, *_: object) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def connection_split(port: int) -> list[int]:
    """Established connections to ``port`` per serving process, most first (``ss``)."""
    listing = subprocess.run(["ss", "-Htnp", "state", "established", f"( sport = :{port} )"],
                             capture_output=True, text=True).stdout
    per_pid = Counter(re.findall(r"pid=(\d+)", listing))
    return sorted(per_pid.values(), reverse=True)


@contextmanager
def without_request_cache(index: str | None = None) -> Iterator[None]:
    """The shard request cache of the benchmark index (or ``index``) off and emptied; its
    setting restored."""
    settings = get_settings()
    es = elastic.client(settings.es_url)
    index = index or settings.index_alias
    found = es.indices.get_settings(index=index, flat_settings=True)  # each index behind it
    before = {name: body["settings"].get(_REQUEST_CACHE) for name, body in found.items()}
    es.indices.put_settings(index=index, settings={_REQUEST_CACHE: False})
    es.indices.clear_cache(index=index, request=True)
    try:
        yield
    finally:
        for name, value in before.items():
            es.indices.put_settings(index=name, settings={_REQUEST_CACHE: value})  # None: unset
        es.close()


def run_wrk(url: str, bodies: Path, script: Path, seconds: int, connections: int,
            threads: int) -> dict[str, Any]:
    """One ``wrk`` run; 2 s in, how its connections are spread over the API's workers."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
               "--timeout", "10s", "-s", str(script), url, "--", str(bodies.resolve())]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as load:
        split: list[int] = []
        if seconds > 3:
            time.sleep(2)
            split = connection_split(int(url.rsplit(":", 1)[1]))
        output, _ = load.communicate()
    if load.returncode != 0:
        raise SystemExit(f"wrk failed ({load.returncode}): {' '.join(command)}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next(x for x in output.splitlines() if x.startswith("RESULT "))
    result: dict[str, Any] = json.loads(line[len("RESULT "):])
    result["wrk_cpu_s"] = round((after.ru_utime - before.ru_utime)
                                + (after.ru_stime - before.ru_stime), 2)
    result["connections_per_worker"] = split
    result["command"] = " ".join(command)
    return result


def measure(api: Api, name: str, bodies: Path, script: Path, args: argparse.Namespace
            ) -> dict[str, Any]:
    run_wrk(api.url, bodies, script, args.warmup, args.connections, args.threads)
    api_cpu, busy = cpu_seconds(api.pid), _machine_busy()
    load_before = os.getloadavg()
    result = run_wrk(api.url, bodies, script, args.duration, args.connections, args.threads)
    busy_after = _machine_busy()
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


# --- in-process breakdown ---------------------------------------------------------------------

def breakdown(name: str, bodies: list[dict[str, Any]], base_url: str) -> dict[str, Any]:
    """Where a request's time goes, one request at a time, measured in-process with the
    API's own functions (``api.search_routes``), next to the same request over HTTP."""
    import accounts
    from api import search_routes, watermark
    from api.models import SearchRequest
    from api.resources import Resources
    from regsearch import elastic

    settings = get_settings()
    resources = Resources.create(settings)
    resources.pool.open(wait=True)
    timings: defaultdict[str, list[float]] = defaultdict(list)
    es_calls: list[tuple[float, float]] = []
    fetched: list[int] = []

    def hits_of(response: dict[str, Any]) -> int:
        return len(response.get("hits", {}).get("hits", []))

    original_search, original_msearch = elastic.search, elastic.msearch
    original_mget = resources.es.mget

    def timed_search(*args: Any, **kwargs: Any) -> dict[str, Any]:
        started = time.perf_counter()
        response = original_search(*args, **kwargs)
        es_calls.append((time.perf_counter() - started, float(response.get("took", 0)) / 1000))
        fetched.append(hits_of(response))
        return response

    def timed_msearch(*args: Any, **kwargs: Any) -> dict[str, Any]:
        started = time.perf_counter()
        response = original_msearch(*args, **kwargs)
        es_calls.append((time.perf_counter() - started, float(response.get("took", 0)) / 1000))
        fetched.append(sum(hits_of(r) for r in response.get("responses", ())))
        return response

    def timed_mget(**kwargs: Any) -> Any:
        started = time.perf_counter()
        response = original_mget(**kwargs)
        es_calls.append((time.perf_counter() - started, 0.0))  # mget reports no "took"
        fetched.append(len(response["docs"]))
        return response

    elastic.search, elastic.msearch = timed_search, timed_msearch
    resources.es.mget = timed_mget  # type: ignore[method-assign]
    client = httpx.Client(base_url=base_url, timeout=30)
    candidates: list[int] = []
    try:
        for body in bodies:
            request = SearchRequest.model_validate(body)
            criterion, _ = request.criterion
            es_calls.clear()
            fetched.clear()
            started = time.perf_counter()
            candidate_plan = search_routes.searchable_plan(request)
            planned = time.perf_counter()
            page = search_routes.shown_page(resources, request, candidate_plan)
            searched = time.perf_counter()
            mark, _ = watermark.read(resources.es, settings)
            marked = time.perf_counter()
            encoded = search_routes.response_body(request, page, mark)
            rendered = time.perf_counter()
            es_wall = sum(c[0] for c in es_calls)
            timings["plan_ms"].append(1000 * (planned - started))
            timings["es_wall_ms"].append(1000 * es_wall)
            timings["es_took_ms"].append(1000 * sum(c[1] for c in es_calls))
            timings["es_requests"].append(len(es_calls))
            timings["candidates_fetched"].append(sum(fetched))
            timings["rerank_ms"].append(1000 * (searched - planned - es_wall))
            timings["watermark_ms"].append(1000 * (marked - searched))
            timings["response_ms"].append(1000 * (rendered - marked))
            timings["response_kb"].append(len(encoded) / 1024)
            candidates.append(page.exact_count + page.close_count)
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
    finally:
        elastic.search, elastic.msearch = original_search, original_msearch
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


def main() -> None:
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
    args = parser.parse_args()
    if not args.render_only and not args.breakdown_only and shutil.which("wrk") is None:
        raise SystemExit("bench_latency: wrk, the load generator, is not installed; "
                         "`regsearch services up` installs it (or: apt-get install -y wrk)")
    if args.render_only:
        print(render(orjson.loads(args.out.read_bytes())))
        return
    if args.breakdown_only:
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
        return
    names = [n for n in args.criteria.split(",") if n]
    files = {n: bodies_file(args.corpus, n, args.bodies, args.seed) for n in names}
    script = BODIES / "rotate.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    report: dict[str, Any] = {"command": " ".join(["python -m benchmarks.bench_latency",
                                                   *sys.argv[1:]]),
                              "load_at_start": os.getloadavg(), "runs": [], "breakdown": []}
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
    report["load_at_end"] = os.getloadavg()
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
    print(render(report))


if __name__ == "__main__":
    main()
