"""The snapshot copy with builder processes writes exactly the documents the indexer
builds itself, every registration once (real PostgreSQL and Elasticsearch)."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.indexer.test_crash_recovery import _seed_registry
from tests.service_env import named

pytestmark = pytest.mark.services


def test_a_copy_built_in_worker_processes_holds_every_registration_as_built_here(
        fresh_registry: Any, es_client: Any) -> None:
    import orjson

    import mappings
    from indexer import documents, slot, source
    from indexer.lsn import lsn_to_int
    from indexer.snapshot_copy import copy_snapshot

    _seed_registry(450, seed=7)
    settings = fresh_registry.model_copy(update={
        "copy_parallel_from": 1, "copy_build_processes": 2,
        "replication_slot": named("test_parallel_copy", "_")})
    name = settings.replication_slot
    with psycopg.connect(settings.pg_dsn, autocommit=True) as conn:
        slot.drop_slot(conn, name)
        try:
            copied = copy_snapshot(conn, es_client, settings, key=name, slot_name=name)
        finally:
            slot.drop_slot(conn, name)
        source.prepare_session(conn)
        registry = source.fetch_by_ids(
            conn, [int(r[0]) for r in conn.execute("SELECT id FROM registrations")])
    try:
        hits = es_client.search(index=copied.index, size=1000, query={"match_all": {}},
                                version=True, docvalue_fields=["packed"])["hits"]["hits"]
        assert sorted(int(h["_id"]) for h in hits) == sorted(registry)
        version = lsn_to_int(copied.applied_lsn)
        excluded = set(mappings.load("registrations", mappings.REGISTRATIONS_VERSION)
                       ["mappings"]["_source"]["excludes"])
        for hit in hits:
            reg_id = int(hit["_id"])
            built = documents.build(reg_id, registry[reg_id], copied.applied_lsn)
            stored = hit["_source"]
            expected = orjson.loads(orjson.dumps(
                {k: v for k, v in built.items() if k not in excluded}))
            assert stored == expected
            assert hit["fields"]["packed"] == [built["packed"]]
            assert hit["_version"] == version
        # the keys, which are not in _source: every document is found by all of its own
        keyed = ("name_exact", "name_close", "id_exact", "id_close", "chassis_exact",
                 "chassis_close", "engine_exact", "engine_close", "plate_exact",
                 "plate_close")
        searches: list[dict[str, Any]] = []
        for reg_id in registry:
            built = documents.build(reg_id, registry[reg_id], copied.applied_lsn)
            filters = [{"term": {field: key}} for field in keyed for key in built[field]]
            searches += [{}, {"query": {"bool": {"filter": [{"ids": {"values": [str(reg_id)]}},
                                                              *filters]}}, "size": 0}]
        answers = es_client.msearch(index=copied.index, searches=searches)["responses"]
        assert [a["hits"]["total"]["value"] for a in answers] == [1] * len(registry)
    finally:
        es_client.indices.delete(index=copied.index)
