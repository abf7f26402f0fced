"""The freshness guarantee: a certificate includes every registration committed before
the request. Before searching, read the registry's current commit position and wait,
bounded, until the index has applied everything up to it; otherwise refuse. Refuse too
when the index's keys were built by other normaliser code than this process runs."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from elasticsearch import Elasticsearch

from core.settings import Settings
from freshness.errors import RegistryNotCurrentError
from freshness.registry_position import current_lsn
from indexer import state as indexer_state
from indexer.lsn import int_to_lsn

NOT_CURRENT = (
    "Chưa thể cấp văn bản chứng nhận: chỉ mục tra cứu chưa phản ánh đầy đủ các đăng ký mới "
    "nhất trong cơ sở dữ liệu. Vui lòng thử lại sau ít phút; yêu cầu này không bị tính phí.",
    "A certified result cannot be issued now: the search index does not yet reflect every "
    "registration committed to the registry. Please retry in a few minutes; you were not "
    "charged.",
)
KEYS_OF_OTHER_CODE = (
    "Chưa thể cấp kết quả có chứng thực: chỉ mục tra cứu được xây bằng phiên bản chuẩn hóa "
    "khác với phiên bản đang chạy và đang được xây lại. Vui lòng thử lại sau ít phút; yêu cầu "
    "này không bị tính phí.",
    "A certified result cannot be issued now: the search index was built by another version "
    "of the normalisers than the one running here, and is being rebuilt. Please retry in a "
    "few minutes; you were not charged.",
)
REGISTRY_DOWN = (
    "Không đọc được vị trí hiện tại của cơ sở dữ liệu đăng ký; chưa thể cấp chứng nhận.",
    "The registry's current position could not be read; no certificate can be issued now.",
)


def require_keys_of_this_code(current: indexer_state.IndexerState | None) -> None:
    """Refuse to certify from an index whose candidate keys other normaliser code built
    (``indexer.built_by``): a query keyed by this code could miss what they were built to
    find. The indexer copies such an index afresh at its next start."""
    if current is not None and not current.built_by_this_code():
        raise RegistryNotCurrentError(*KEYS_OF_OTHER_CODE)


def wait_until_current(es: Elasticsearch, settings: Settings) -> tuple[datetime, str]:
    """(time the registry position was read, that position) once the index has caught up."""
    read_at = datetime.now(UTC)
    try:
        head = current_lsn(settings)
    except Exception as exc:
        raise RegistryNotCurrentError(*REGISTRY_DOWN) from exc
    deadline = time.monotonic() + settings.certificate_freshness_wait_s
    while True:
        current = indexer_state.load(es, settings.replication_slot)
        require_keys_of_this_code(current)
        if current is not None and current.checked_upto_lsn_int >= head:
            return read_at, int_to_lsn(head)
        if time.monotonic() >= deadline:
            raise RegistryNotCurrentError(*NOT_CURRENT)
        time.sleep(0.02)
