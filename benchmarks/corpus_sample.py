"""A sample of a large corpus as a JSON Lines file, for the benchmarks that draw their
queries from a corpus file (``bench_latency``'s bodies) when the whole corpus is too
large to keep as a file beside its registry and index (10,000,000 registrations: about
11 GB of JSON Lines).

    .venv/bin/python -m benchmarks.corpus_sample --count 10000000 --seed 2026 --chunks 50

Writes ``--chunks`` whole chunks of the generator's stream for (count, seed), chosen at
random (seeded) across the whole stream: the registrations are exactly those the registry
holds (``benchmarks.corpus_copy`` writes the same stream), from every year of it. With
``--written``, only among the chunks the profile's registry holds (a load stopped early).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from benchmarks.corpus_copy import chunks_written
from registry.synthetic import generator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--chunks", type=int, default=50)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--written", action="store_true")
    args = parser.parse_args()
    out = args.out or Path(".state") / f"corpus-sample-{args.count}-{args.seed}.jsonl"
    total = generator.chunk_count(args.count)
    among = sorted(chunks_written()) if args.written else list(range(total))
    chosen = sorted(random.Random(f"sample:{args.seed}").sample(among,
                                                                min(args.chunks, len(among))))
    with out.open("w", encoding="utf-8", newline="\n") as handle:
        for chunk in chosen:
            for registration in generator.iter_chunk(args.count, args.seed, chunk):
                handle.write(generator.to_line(registration))
    print(f"{out}: {len(chosen)} chunks of {generator.CHUNK} of {len(among)}")


if __name__ == "__main__":
    main()
