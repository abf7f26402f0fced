"""`regsearch index verify`: compare the registry with the index, and repair.

The registry is read in one consistent snapshot taken at position ``L``; the
check first waits until the indexer has applied everything up to ``L``, so a
difference is a real one, not a change still in flight. A document whose
source position is newer than ``L`` reflects a later change and is not
compared. Repairs are written with a fresh registry position as their version (see
``slot.fresh_position``): newer than anything applied, even by hand, older than
any change still to come.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
from elasticsearch import Elasticsearch

from core.settings import get_settings
from indexer import built_by, documents, es, slot, source, state
from indexer.lsn import int_to_lsn, lsn_to_int
from indexer.writer import Write, write_all


@dataclass
class Differences:
    missing: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    compared: int = 0

    @property
    def total(self) -> int:
        return len(self.missing) + len(self.extra) + len(self.changed)


def _indexed(client: Elasticsearch, index: str) -> Iterator[dict[str, Any]]:
    after: list[Any] | None = None
    while True:
        kwargs: dict[str, Any] = {
            "index": index, "size": 5000, "sort": [{"registration_id": "asc"}],
            "_source": ["registration_id", "content_hash", "status", "source_lsn"],
            "query": {"match_all": {}}, "track_total_hits": False}
        if after is not None:
            kwargs["search_after"] = after
        hits = client.search(**kwargs)["hits"]["hits"]
        for hit in hits:
            yield hit["_source"]
        if len(hits) < 5000:
            return
        after = hits[-1]["sort"]


def _wait_caught_up(client: Elasticsearch, slot_name: str, position: int,
                    deadline_s: float) -> state.IndexerState:
    deadline = time.monotonic() + deadline_s
    while True:
        current = state.load(client, slot_name)
        if current is not None and current.checked_upto_lsn_int >= position:
            return current
        if time.monotonic() > deadline:
            raise SystemExit(
                "Chỉ mục chưa theo kịp sổ đăng ký; hãy chạy `regsearch indexer` rồi thử lại. / "
                "The index has not caught up with the registry; run `regsearch indexer` and retry.")
        time.sleep(0.1)


def compare(conn: psycopg.Connection[Any], client: Elasticsearch, index: str, upto: int,
            repair_version: int | None = None) -> Differences:
    diffs = Differences()
    indexed = {int(d["registration_id"]): d for d in _indexed(client, index)}
    to_write: list[Write] = []
    for batch in source.iter_all(conn):
        for reg_id, registration in batch:
            diffs.compared += 1
            doc = indexed.pop(reg_id, None)
            if doc is None:
                diffs.missing.append(reg_id)
            elif lsn_to_int(doc["source_lsn"]) > upto:
                continue
            elif doc["content_hash"] != documents.content_hash(registration) or \
                    doc["status"] != registration["status"]:
                diffs.changed.append(reg_id)
            else:
                continue
            if repair_version is not None:
                to_write.append(Write(str(reg_id), repair_version,
                                      documents.build(reg_id, registration,
                                                      int_to_lsn(repair_version))))
    for reg_id, doc in indexed.items():
        if lsn_to_int(doc["source_lsn"]) <= upto:
            diffs.extra.append(reg_id)
            if repair_version is not None:
                to_write.append(Write(str(reg_id), repair_version, None))
    if to_write:
        write_all(client, index, to_write)
        client.indices.refresh(index=index)
    return diffs


def keys_built_by_this_code(current: state.IndexerState | None = None) -> bool:
    """Whether the index's documents were built by the code running here (``current``:
    the indexer's state, read when not given)."""
    if current is None:
        current = state.load(es.client(), get_settings().replication_slot)
    return current is not None and current.built_by_this_code()


def verify(repair: bool = False, deadline_s: float = 120.0) -> int:
    """Differences found (before any repair), counting an index whose keys other code
    built as one."""
    settings = get_settings()
    client = es.client()
    with psycopg.connect(settings.pg_dsn, autocommit=True) as conn:
        source.prepare_session(conn)
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        upto = lsn_to_int(slot.current_lsn(conn))
        current = _wait_caught_up(client, settings.replication_slot, upto, deadline_s)
        repair_version = None
        if repair:
            with psycopg.connect(settings.pg_dsn, autocommit=True) as other:
                repair_version = lsn_to_int(slot.fresh_position(other))
        diffs = compare(conn, client, current.index, upto, repair_version)
        conn.execute("COMMIT")
    print(f"đã so sánh {diffs.compared} đăng ký / compared {diffs.compared} registrations "
          f"(index {current.index}, registry position {current.checked_upto_lsn})")
    stale = not keys_built_by_this_code(current)
    if stale:
        # Content hashes compare registrations, not their keys: keys built by other
        # normaliser code differ from what a query computes now, and only a new copy mends
        # them (a repair here rewrites only the documents found different). The indexer
        # running other code, restarting it on this code makes that copy.
        print(f"  khóa tra cứu do mã khác tạo / candidate keys built by other code: "
              f"{current.documents_built_by or 'không rõ / not recorded'} (mã này / this code: "
              f"{built_by.this_code()}); hãy chạy `regsearch index rebuild` bằng mã này rồi khởi "
              f"động lại bộ chỉ mục bằng mã này (hoặc chỉ khởi động lại: nó sẽ sao chép lại sổ "
              f"đăng ký) / run `regsearch index rebuild` on this code, then restart the "
              f"indexer on this code (or only restart it: it copies the registry afresh); "
              f"see docs/indexer.md")
    for label, ids in (("thiếu trong chỉ mục / missing from the index", diffs.missing),
                       ("thừa trong chỉ mục / in the index but not the registry", diffs.extra),
                       ("khác nội dung / content differs", diffs.changed)):
        shown = ", ".join(map(str, ids[:20])) + (" …" if len(ids) > 20 else "")
        print(f"  {label}: {len(ids)}" + (f" ({shown})" if ids else ""))
    if repair and diffs.total:
        print(f"đã sửa {diffs.total} / repaired {diffs.total}")
    return diffs.total + (1 if stale else 0)
