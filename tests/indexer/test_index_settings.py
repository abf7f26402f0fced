"""Index settings from configuration: shards, replicas and refresh interval of the indices
the real indexer creates, on the real Elasticsearch; search and ``index verify`` on them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.conftest import REPO, IndexerProcess, wait_until

pytestmark = pytest.mark.services


def _caught_up(es: Any, settings: Any) -> bool:
    from indexer import state
    from indexer.lsn import lsn_to_int

    with psycopg.connect(settings.pg_dsn) as conn:
        row = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    current = state.load(es, settings.replication_slot)
    return bool(row and current and current.snapshot_done
                and current.checked_upto_lsn_int >= lsn_to_int(str(row[0])))


def test_the_indexer_creates_the_configured_index(
        fresh_registry: Any, es_client: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    from registry.loader import load_lines
    from registry.synthetic.generator import iter_registrations
    from server.app import create_app

    settings = fresh_registry
    corpus = list(iter_registrations(300, 7))
    with psycopg.connect(settings.pg_dsn) as conn:
        report = load_lines([json.dumps(r, ensure_ascii=False) for r in corpus], conn,
                            batch_size=100)
    assert report.rejected == 0
    for name, value in (("SHARDS", "2"), ("REPLICAS", "0"), ("REFRESH_INTERVAL", "500ms")):
        monkeypatch.setenv(f"REGSEARCH_INDEX_{name}", value)
    indexer = IndexerProcess(tmp_path / "indexer.log")
    indexer.start()
    try:
        wait_until(lambda: _caught_up(es_client, settings), deadline_s=120, interval_s=0.2,
                   what="corpus indexed: " + indexer.log_text()[-2000:])
        (index,) = es_client.indices.get_alias(name=settings.index_alias).keys()
        shape = es_client.indices.get_settings(index=index)[index]["settings"]["index"]
        assert (shape["number_of_shards"], shape["number_of_replicas"],
                shape["refresh_interval"]) == ("2", "0", "500ms")
        counts = {s["shard"]: int(s["docs"]) for s in es_client.cat.shards(
            index=index, format="json", h="shard,prirep,docs") if s["prirep"] == "p"}
        assert len(counts) == 2 and sum(counts.values()) == len(corpus)
        assert all(counts.values()), counts  # both shards hold registrations

        with TestClient(create_app()) as client:
            for registration in [r for r in corpus if r["status"] == "in_force"][:40]:
                grantor = registration["grantors"][0]
                found = client.post("/v1/search", json={"debtor_name": grantor["name"]})
                assert found.status_code == 200, found.text
                exact = {r["registration"]["registration_number"]
                         for r in found.json()["exact"]["results"]}
                assert registration["registration_number"] in exact

        verified = subprocess.run([sys.executable, "-m", "regsearch.cli", "index", "verify"],
                                  cwd=REPO, env=dict(os.environ), capture_output=True,
                                  text=True, timeout=180, check=False)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert f"compared {len(corpus)} registrations" in verified.stdout
    finally:
        indexer.stop()

