"""The indexer's watermark, kept in Elasticsearch beside the index it describes."""

from __future__ import annotations

import contextlib
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError

import mappings
from indexer import built_by


@dataclass
class IndexerState:
    #: The indexer's name (the configured slot name); the id of this document.
    slot: str
    #: The index it writes (behind the search alias).
    index: str
    #: The replication slot it streams from; differs from ``slot`` after a rebuild.
    stream_slot: str = ""
    snapshot_done: bool = False
    #: LSN and commit time of the last registry transaction applied to the index.
    applied_lsn: str = "0/0"
    applied_commit_time: datetime | None = None
    #: Every registry commit at or before this position is applied and searchable.
    checked_upto_lsn: str = "0/0"
    checked_upto_lsn_int: int = 0
    checked_at: datetime | None = None
    events_applied: int = 0
    #: Transactions applied per second, over the last few seconds.
    events_per_second: float = 0.0
    dead_letters: int = 0
    #: Fingerprint of the code that built the index's documents (``indexer.built_by``);
    #: "" for a state saved before it was recorded.
    documents_built_by: str = ""

    def built_by_this_code(self) -> bool:
        """Whether the code running here built the index's documents (its keys are the
        ones this code computes for a query)."""
        return self.documents_built_by == built_by.this_code()

    def to_doc(self) -> dict[str, Any]:
        doc = asdict(self)
        for key in ("applied_commit_time", "checked_at"):
            value = doc[key]
            doc[key] = value.isoformat() if value is not None else None
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> IndexerState:
        values = dict(doc)
        for key in ("applied_commit_time", "checked_at"):
            if values.get(key):
                values[key] = datetime.fromisoformat(values[key])
        return cls(**values)


def load(es: Elasticsearch, slot: str) -> IndexerState | None:
    try:
        found = es.get(index=mappings.STATE_INDEX, id=slot)
    except NotFoundError:
        return None
    return IndexerState.from_doc(found["_source"])


def save(es: Elasticsearch, state: IndexerState) -> None:
    # No refresh needed: readers GET the document by id, which is real-time.
    es.index(index=mappings.STATE_INDEX, id=state.slot, document=state.to_doc())


@dataclass(frozen=True)
class Handover:
    """A request from `index rebuild`: switch to this slot and index."""

    slot: str
    index: str


def handover_id(key: str) -> str:
    return f"{key}:handover"


def request_handover(es: Elasticsearch, key: str, handover: Handover) -> None:
    es.index(index=mappings.STATE_INDEX, id=handover_id(key), refresh=True,
             document={"handover_slot": handover.slot, "handover_index": handover.index})


def pending_handover(es: Elasticsearch, key: str) -> Handover | None:
    try:
        found = es.get(index=mappings.STATE_INDEX, id=handover_id(key))
    except NotFoundError:
        return None
    return Handover(found["_source"]["handover_slot"], found["_source"]["handover_index"])


def delete(es: Elasticsearch, slot: str) -> None:
    with contextlib.suppress(NotFoundError):
        es.delete(index=mappings.STATE_INDEX, id=slot, refresh=True)
