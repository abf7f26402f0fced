"""Ground truth of the exact tier against a whole registry, streamed from PostgreSQL.

At 10,000,000 registrations there is no corpus file and the in-memory ground truth
(``benchmarks.exact_truth.ExactTruth`` over every registration) would take ≈ 19 GB. Here
the registry's own tables are read in blocks of registrations ordered by id (one
read-only snapshot for the whole pass); each block gets an ``ExactTruth`` of its own,
every query is answered against it, only the registration numbers found are kept and the
block is dropped: memory is bounded by the block, not by the registry.

The union over blocks equals the whole registry's truth: the prefilter and the
contract's classifier judge each registration on its own (a run of a name query's words
is looked for within one registration's names), so how the registrations are cut into
blocks does not matter.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, NamedTuple

import orjson
import psycopg

from benchmarks.baselines import corpus
from benchmarks.baselines.corpus import Registration
from benchmarks.exact_truth import ExactTruth, read_registrations
from benchmarks.quality.answers import Answer
from benchmarks.quality.checks import compare_truth, exact_queries
from benchmarks.quality.sampling import Query, Reservoirs, make_queries

#: Registrations a block. Measured on registry_1m (benchmarks/HISTORY.md, 2026-12-07): the
#: CPU time does not depend on it (50,000 to 500,000 alike); the peak RSS does: 0.31 GB
#: with 50,000, 0.63 GB with 200,000, 1.39 GB with 500,000 after the first block, then
#: growing slowly with the caches of folded names (0.89 GB with 200,000 after 1M).
DEFAULT_BLOCK: Final = 200_000


class Wanted(NamedTuple):
    """One query of the ground truth: criterion, text and the party type sent with it."""

    criterion: str
    text: str
    party_type: str | None


def registry_blocks(dsn: str, block_size: int = DEFAULT_BLOCK
                    ) -> Iterator[list[Registration]]:
    """The registry's registrations, ``block_size`` at a time in id order, each block with
    its grantors and assets (the fields ``exact_truth.registry_delta`` reads), all from one
    read-only snapshot (a repeatable-read transaction) of the registry."""
    with psycopg.connect(dsn) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.transaction():
            last = 0
            while True:
                heads = conn.execute(
                    "SELECT id, registration_number, status FROM registrations"
                    " WHERE id > %s ORDER BY id LIMIT %s", (last, block_size)).fetchall()
                if not heads:
                    return
                first, last = int(heads[0][0]), int(heads[-1][0])
                yield read_registrations(conn, heads, "registration_id BETWEEN %s AND %s",
                                         (first, last))


def block_truth(block: Sequence[Registration], wanted: Sequence[Wanted],
                skip: Sequence[bool] = ()) -> list[set[str] | None]:
    """The registration numbers of ``block`` the contract calls exact for each query (None:
    the prefilter cannot bound the query); queries marked in ``skip`` are not asked."""
    registrations = list(block)
    truth = ExactTruth()
    for index, registration in enumerate(registrations):
        truth.add(index, registration)
    truth.freeze()
    out: list[set[str] | None] = []
    for k, (criterion, text, party_type) in enumerate(wanted):
        if k < len(skip) and skip[k]:
            out.append(None)
            continue
        found = truth.exact_set(criterion, text, party_type, registrations)
        out.append(None if found is None else {registrations[i].number for i in found})
    return out


@dataclass
class Pass:
    """What one pass over the blocks read and how long each part took."""

    registrations: int = 0
    blocks: int = 0
    read_s: float = 0.0
    truth_s: float = 0.0
    started: float = field(default_factory=time.monotonic)

    def summary(self) -> dict[str, Any]:
        elapsed = time.monotonic() - self.started
        return {"registrations": self.registrations, "blocks": self.blocks,
                "read_s": round(self.read_s, 1), "truth_s": round(self.truth_s, 1),
                "registrations_per_s": round(self.registrations / max(elapsed, 1e-9)),
                "peak_rss_mb": peak_rss_mb()}


def peak_rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def _report(done: Pass) -> None:
    figures = done.summary()
    print(f"  truth: block {done.blocks}, {done.registrations} registrations in "
          f"{time.monotonic() - done.started:.0f}s, {figures['registrations_per_s']}/s (read "
          f"{done.read_s:.0f}s, truth {done.truth_s:.0f}s), peak RSS "
          f"{figures['peak_rss_mb']} MB", file=sys.stderr, flush=True)


def streamed_exact_sets(blocks: Iterable[Sequence[Registration]], wanted: Sequence[Wanted],
                        done: Pass | None = None,
                        progress: Callable[[Pass], None] | None = None
                        ) -> list[set[str] | None]:
    """Each query's exact registration numbers over every block (the union of
    :func:`block_truth`); None for a query the prefilter cannot bound."""
    done = done if done is not None else Pass()
    empty = ExactTruth()
    empty.freeze()
    result: list[set[str] | None] = [None if empty.exact_set(*w, []) is None else set()
                                     for w in wanted]
    skip = [found is None for found in result]
    blocks_in = iter(blocks)
    while True:
        began = time.monotonic()
        block = next(blocks_in, None)
        if block is None:
            return result
        done.read_s += time.monotonic() - began
        began = time.monotonic()
        for total, found in zip(result, block_truth(block, wanted, skip), strict=True):
            if total is not None and found:
                total |= found
        done.truth_s += time.monotonic() - began
        done.registrations += len(block)
        done.blocks += 1
        if progress is not None:
            progress(done)


def check_truth_streamed(queries: Sequence[Query], ours: Sequence[Answer], dsn: str,
                         limit: int, block_size: int = DEFAULT_BLOCK) -> dict[str, Any]:
    """``checks.check_truth``'s report, the ground truth being the whole registry at
    ``dsn`` streamed in blocks (nothing else to add: no corpus file, no delta)."""
    picked = exact_queries(queries, ours, limit)
    print(f"truth: {len(picked)} exact-class queries against the registry, blocks of "
          f"{block_size}", file=sys.stderr, flush=True)
    done = Pass()
    wanted = [Wanted(q.criterion, q.text, q.party_type) for q in picked]
    truth = streamed_exact_sets(registry_blocks(dsn, block_size), wanted, done, _report)
    return {"source": "registry", "registry_delta": {"new": 0, "changed": 0},
            "registry": {**done.summary(), "block_size": block_size},
            **compare_truth(picked, ours, truth),
            "seconds": round(time.monotonic() - done.started, 1)}


def main(argv: Sequence[str] | None = None) -> None:
    """The ground truth alone, timed (no API, nothing compared): the exact-class queries
    ``bench_quality`` draws from ``--corpus`` against the whole registry at ``--pg-dsn``."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--per-group", type=int, default=200)
    parser.add_argument("--pg-dsn", default=os.environ.get(
        "REGSEARCH_PG_DSN", "postgresql://regsearch@127.0.0.1:5432/registry_bench"))
    parser.add_argument("--truth-block", type=int, default=DEFAULT_BLOCK)
    parser.add_argument("--truth-limit", type=int, default=0)
    parser.add_argument("--max-blocks", type=int, default=0,
                        help="stop after this many blocks (0: the whole registry)")
    args = parser.parse_args(argv)
    reservoirs = Reservoirs(args.per_group, args.seed)
    for index, registration in enumerate(corpus.read(args.corpus)):
        reservoirs.add(index, registration)
    picked = exact_queries(make_queries(reservoirs, args.seed), None, args.truth_limit)
    blocks: Iterable[list[Registration]] = registry_blocks(args.pg_dsn, args.truth_block)
    if args.max_blocks:
        blocks = (b for _, b in zip(range(args.max_blocks), blocks, strict=False))
    done = Pass()
    truth = streamed_exact_sets(blocks, [Wanted(q.criterion, q.text, q.party_type)
                                         for q in picked], done, _report)
    print(orjson.dumps({**done.summary(), "block_size": args.truth_block,
                        "queries": len(picked),
                        "queries_without_prefilter": sum(t is None for t in truth),
                        "exact_matches": sum(len(t or ()) for t in truth),
                        "load_average": os.getloadavg()}).decode())


if __name__ == "__main__":
    main()
