"""Write documents to Elasticsearch, versioned by the registry's commit position.

Every write carries ``version_type=external`` with the LSN of the change it
reflects, so a replayed or late change never overwrites a newer document: the
409 Elasticsearch answers then is success. Rejections that retrying cannot cure
(a mapping conflict, a malformed document) are returned as dead letters;
anything else (429, 5xx, connection errors) is retried with back-off until it
goes through, so nothing is dropped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from elasticsearch import ApiError, Elasticsearch, TransportError

log = logging.getLogger("regsearch.indexer")

_RETRYABLE = {408, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class Write:
    """Index (``document`` given, as a dict or already encoded as JSON) or delete
    (``document`` None) one registration."""

    doc_id: str
    version: int
    document: dict[str, Any] | bytes | None

    def document_dict(self) -> dict[str, Any] | None:
        if isinstance(self.document, bytes):
            decoded: dict[str, Any] = orjson.loads(self.document)
            return decoded
        return self.document


@dataclass(frozen=True)
class Rejected:
    write: Write
    error: str


def _operations(index: str, writes: Sequence[Write]) -> list[bytes]:
    """The bulk body, one JSON line per operation, encoded with orjson (the NDJSON
    serializer passes encoded lines through as they are)."""
    ops: list[bytes] = []
    for w in writes:
        meta = {"_index": index, "_id": w.doc_id, "version": w.version,
                "version_type": "external"}
        if w.document is None:
            ops.append(orjson.dumps({"delete": meta}))
        else:
            ops.append(orjson.dumps({"index": meta}))
            ops.append(w.document if isinstance(w.document, bytes)
                       else orjson.dumps(w.document))
    return ops


def write_all(
    es: Elasticsearch,
    index: str,
    writes: Sequence[Write],
    sleep: Callable[[float], None] = time.sleep,
    max_backoff_s: float = 30.0,
) -> list[Rejected]:
    """Write every change; return those Elasticsearch can never accept."""
    pending = list(writes)
    rejected: list[Rejected] = []
    backoff = 0.2
    while pending:
        try:
            response = es.bulk(operations=_operations(index, pending),  # type: ignore[arg-type]
                               refresh=False)
        except (TransportError, ApiError) as exc:
            log.warning("elasticsearch unavailable (%s); retrying in %.1fs", exc, backoff)
            sleep(backoff)
            backoff = min(backoff * 2, max_backoff_s)
            continue
        retry: list[Write] = []
        for write, item in zip(pending, response["items"], strict=True):
            result = next(iter(item.values()))
            status = int(result.get("status", 500))
            if status < 300 or status == 409:
                continue  # applied, or a newer version is already there
            if status == 404 and write.document is None:
                continue  # deleting what is not there
            if status in _RETRYABLE:
                retry.append(write)
            else:
                rejected.append(Rejected(write, str(result.get("error"))))
        if retry:
            log.warning("%d writes to retry in %.1fs", len(retry), backoff)
            sleep(backoff)
            backoff = min(backoff * 2, max_backoff_s)
        pending = retry
    return rejected
