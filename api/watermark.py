"""The registry watermark every response carries ("registry current as of")."""

from __future__ import annotations

from elasticsearch import Elasticsearch

from api.errors import ServiceUnavailableError
from api.models import Watermark
from indexer import state as indexer_state
from regsearch.settings import Settings

INDEX_BUILDING = ("Chỉ mục tra cứu đang được xây dựng, vui lòng thử lại sau.",
                  "The search index is being built; please try again shortly.")


def read(es: Elasticsearch, settings: Settings) -> tuple[Watermark, indexer_state.IndexerState]:
    current = indexer_state.load(es, settings.replication_slot)
    if current is None or not current.snapshot_done:
        raise ServiceUnavailableError(*INDEX_BUILDING)
    return Watermark(
        registry_current_as_of=(current.applied_commit_time.isoformat()
                                if current.applied_commit_time else None),
        applied_lsn=current.applied_lsn,
        checked_upto_lsn=current.checked_upto_lsn,
        verified_current_at=current.checked_at.isoformat() if current.checked_at else None,
    ), current
