"""The freshness guarantee: a certificate includes every registration committed before
the request. Before searching, read the registry's current commit position and wait,
bounded, until the index has applied everything up to it; otherwise refuse."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from api.errors import ServiceUnavailableError
from api.registry_position import current_lsn
from api.resources import Resources
from indexer import state as indexer_state
from indexer.lsn import int_to_lsn

NOT_CURRENT = (
    "Chưa thể cấp văn bản chứng nhận: chỉ mục tra cứu chưa phản ánh đầy đủ các đăng ký mới "
    "nhất trong cơ sở dữ liệu. Vui lòng thử lại sau ít phút; yêu cầu này không bị tính phí.",
    "A certified result cannot be issued now: the search index does not yet reflect every "
    "registration committed to the registry. Please retry in a few minutes; you were not "
    "charged.",
)
REGISTRY_DOWN = (
    "Không đọc được vị trí hiện tại của cơ sở dữ liệu đăng ký; chưa thể cấp chứng nhận.",
    "The registry's current position could not be read; no certificate can be issued now.",
)


def wait_until_current(resources: Resources) -> tuple[datetime, str]:
    """(time the registry position was read, that position) once the index has caught up."""
    read_at = datetime.now(UTC)
    try:
        head = current_lsn(resources.settings)
    except Exception as exc:
        raise ServiceUnavailableError(*REGISTRY_DOWN) from exc
    deadline = time.monotonic() + resources.settings.certificate_freshness_wait_s
    while True:
        current = indexer_state.load(resources.es, resources.settings.replication_slot)
        if current is not None and current.checked_upto_lsn_int >= head:
            return read_at, int_to_lsn(head)
        if time.monotonic() >= deadline:
            raise ServiceUnavailableError(*NOT_CURRENT)
        time.sleep(0.02)
