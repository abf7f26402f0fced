"""The registry watermark every response carries ("registry current as of")."""

from __future__ import annotations

import threading
import time

from elasticsearch import Elasticsearch
from pydantic import BaseModel, Field

from core.settings import Settings
from freshness.errors import IndexerStateUnavailableError
from indexer import state as indexer_state

INDEX_BUILDING = ("Chỉ mục tra cứu đang được xây dựng, vui lòng thử lại sau.",
                  "The search index is being built; please try again shortly.")


class Watermark(BaseModel):
    """How current an answer is; every search response carries it."""

    registry_current_as_of: str | None = Field(
        description="Commit time of the last registry change the index has applied")
    applied_lsn: str
    checked_upto_lsn: str
    verified_current_at: str | None = Field(
        default=None,
        description="When the indexer last confirmed it had applied every registry commit")


class _Recent:
    """The indexer state read last, shared by the requests of one process.

    A state read at most ``watermark_max_age_s`` ago is reused. It was read before the
    search that reports it, and the index only moves forward, so the watermark a
    response carries never claims more than the index had applied: at worst it
    understates how current the answer is by that age."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: indexer_state.IndexerState | None = None
        self._read_at = 0.0
        self._key = ""

    def load(self, es: Elasticsearch, settings: Settings) -> indexer_state.IndexerState | None:
        key = f"{settings.es_url} {settings.replication_slot}"
        max_age = settings.watermark_max_age_s
        with self._lock:
            if (self._state is not None and self._key == key
                    and time.monotonic() - self._read_at < max_age):
                return self._state
        read_at = time.monotonic()
        current = indexer_state.load(es, settings.replication_slot)
        if current is not None and current.snapshot_done and max_age > 0:
            with self._lock:
                if read_at >= self._read_at:
                    self._state, self._read_at, self._key = current, read_at, key
        return current


_recent = _Recent()


def read(es: Elasticsearch, settings: Settings) -> tuple[Watermark, indexer_state.IndexerState]:
    current = _recent.load(es, settings)
    if current is None or not current.snapshot_done:
        raise IndexerStateUnavailableError(*INDEX_BUILDING)
    return Watermark(
        registry_current_as_of=(current.applied_commit_time.isoformat()
                                if current.applied_commit_time else None),
        applied_lsn=current.applied_lsn,
        checked_upto_lsn=current.checked_upto_lsn,
        verified_current_at=current.checked_at.isoformat() if current.checked_at else None,
    ), current
