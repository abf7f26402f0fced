"""Two revisions of the API side by side: the same load, turn about, on the same stack.

    set -a; . benchmarks/bench.env; set +a
    .venv/bin/python -m benchmarks.side_by_side --base 39c3772 --rounds 3

This machine's speed moves by up to 2× within an hour, so code is compared only by runs
that alternate. The base revision is checked out in a work tree under ``.state/`` (its
``.state`` pointing at this one's); the other side is this checkout as it is. Both APIs
run at once with the same worker count, on their own ports, against the running
Elasticsearch, PostgreSQL and Redis. Each round runs every criterion on the base, then on
this checkout, with ``benchmarks.bench_latency``'s bodies and ``wrk`` (8 connections).
As there, Elasticsearch's request cache is off on the benchmark index meanwhile.
Reported per run: throughput, p50 and p99, the API's CPU per request, and how the
connections were spread over the workers.
"""

from __future__ import annotations

import argparse
import subprocess
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from benchmarks.latency_bodies import BODIES, CRITERIA, STATE, bodies_file
from benchmarks.latency_load import WRK_SCRIPT, Api, cpu_seconds, run_wrk, without_request_cache


def work_tree(revision: str) -> Path:
    """A detached work tree of ``revision`` under ``.state/``."""
    resolved = subprocess.run(["git", "rev-parse", "--short", revision], capture_output=True,
                              text=True, check=True).stdout.strip()
    tree = (STATE / f"side-by-side-{resolved}").resolve()
    if not tree.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), resolved], check=True,
                       capture_output=True)
        (tree / ".state").symlink_to(STATE.resolve())
    return tree


def one_run(api: Api, bodies: Path, script: Path, seconds: int) -> dict[str, Any]:
    cpu = cpu_seconds(api.pid)
    result = run_wrk(api.url, bodies, script, seconds, 8, 1)
    requests = max(1, int(result["requests"]))
    return {"rps": round(requests / (result["duration_us"] / 1e6), 1),
            "p50_ms": result["p50_us"] / 1000, "p99_ms": result["p99_us"] / 1000,
            "api_cpu_ms": round(1000 * (cpu_seconds(api.pid) - cpu) / requests, 2),
            "split": "/".join(map(str, result["connections_per_worker"])) or "–"}


def cell(run: dict[str, Any]) -> str:
    return (f"{run['rps']} req/s, {run['p50_ms']:.1f} / {run['p99_ms']:.1f} ms, "
            f"API {run['api_cpu_ms']} ms, {run['split']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="git revision to compare against")
    parser.add_argument("--criteria", default="debtor_name_individual,id_number")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8120)
    parser.add_argument("--corpus", type=Path, default=STATE / "corpus-1000000-2026.jsonl")
    args = parser.parse_args()
    names = [n for n in args.criteria.split(",") if n]
    unknown = [n for n in names if n not in CRITERIA]
    if unknown:
        raise SystemExit(f"unknown criteria: {', '.join(unknown)} (known: {', '.join(CRITERIA)})")
    files = {n: bodies_file(args.corpus, n, 2000, 2026) for n in names}
    script = BODIES / "rotate.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    base = work_tree(args.base)
    rows: list[str] = []
    with ExitStack() as stack:
        stack.enter_context(without_request_cache())
        sides = [stack.enter_context(Api(args.workers, args.port, STATE / "side-base.log",
                                         checkout=base)),
                 stack.enter_context(Api(args.workers, args.port + 1,
                                         STATE / "side-this.log"))]
        for name in names:
            for api in sides:
                run_wrk(api.url, files[name], script, args.warmup, 8, 1)
        for round_number in range(1, args.rounds + 1):
            for name in names:
                runs = [one_run(api, files[name], script, args.seconds) for api in sides]
                rows.append(f"| {name} | {round_number} | {cell(runs[0])} | {cell(runs[1])} |")
                print(rows[-1], flush=True)
    print(f"\n| criterion | round | base {args.base} | this checkout |\n|---|---:|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
