"""Documents for the snapshot copy, built beside the indexer in worker processes.

Building a document (normal forms, candidate keys, packed values) costs more than
reading the registration or indexing it, so a copy of a large registry hands its
batches of registry rows to a few processes, which return the documents already
encoded as JSON. Batches come back in the order they went in.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

import orjson

from core import gc_tuning
from core.settings import get_settings
from indexer import documents, source

#: A registry row as the snapshot reads it: the registration id and its JSON text.
RawRow = tuple[int, str]
#: A built document: the registration id and the document encoded as JSON.
Built = tuple[int, bytes]


def _start_builder() -> None:
    gc_tuning.tune(get_settings())


def build_batch(rows: list[RawRow], lsn: str) -> list[Built]:
    """The encoded documents of one batch of registry rows (runs in a worker)."""
    return [(reg_id, orjson.dumps(documents.build(reg_id, source.parse(text), lsn)))
            for reg_id, text in rows]


def built_batches(batches: Iterable[list[RawRow]], lsn: str, processes: int
                  ) -> Iterator[list[Built]]:
    """Every batch built, in order: in ``processes`` worker processes, or here if 0."""
    if processes <= 0:
        for rows in batches:
            yield build_batch(rows, lsn)
        return
    # "spawn": the indexer holds database connections and threads a fork would copy.
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_start_builder) as pool:
        in_flight: deque[Future[list[Built]]] = deque()
        for rows in batches:
            in_flight.append(pool.submit(build_batch, rows, lsn))
            if len(in_flight) > 2 * processes:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()
