"""Versioning by commit position, `index verify --repair`, and `index rebuild` under load."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from tests.conftest import IndexerProcess, wait_until
from tests.indexer.test_crash_recovery import _caught_up, _seed_registry
from tests.service_env import named

pytestmark = pytest.mark.services


def test_a_replayed_old_change_never_overwrites_a_newer_document(es_client: Any) -> None:
    from indexer.writer import Write, write_all

    index = named("test-versions", "-")
    es_client.options(ignore_status=404).indices.delete(index=index)
    es_client.indices.create(index=index, mappings={"properties": {"v": {"type": "keyword"}}})
    try:
        assert write_all(es_client, index, [Write("r1", 200, {"v": "newer"})]) == []
        assert write_all(es_client, index, [Write("r1", 100, {"v": "older, replayed"})]) == []
        assert write_all(es_client, index, [Write("r1", 200, None)]) == []  # equal: not applied
        assert es_client.get(index=index, id="r1")["_source"] == {"v": "newer"}
        assert es_client.get(index=index, id="r1")["_version"] == 200
        assert write_all(es_client, index, [Write("r1", 300, {"v": "newest"})]) == []
        assert es_client.get(index=index, id="r1")["_source"] == {"v": "newest"}
    finally:
        es_client.options(ignore_status=404).indices.delete(index=index)


def test_a_document_that_can_never_be_indexed_is_returned_as_a_dead_letter(
        es_client: Any) -> None:
    from indexer.writer import Write, write_all

    index = named("test-dead-letters", "-")
    es_client.options(ignore_status=404).indices.delete(index=index)
    es_client.indices.create(index=index, mappings={"dynamic": "strict",
                                                    "properties": {"n": {"type": "long"}}})
    try:
        rejected = write_all(es_client, index, [Write("ok", 5, {"n": 1}),
                                                Write("bad", 5, {"n": "not a number"})])
        assert [r.write.doc_id for r in rejected] == ["bad"]
        assert "mapper_parsing_exception" in rejected[0].error or "parse" in rejected[0].error
        assert es_client.get(index=index, id="ok")["_source"] == {"n": 1}
    finally:
        es_client.options(ignore_status=404).indices.delete(index=index)


def test_verify_finds_and_repairs_every_kind_of_difference(
        fresh_registry: Any, es_client: Any, indexer: IndexerProcess) -> None:
    from indexer import state
    from indexer.verify import verify

    _seed_registry(200, seed=41)
    wait_until(lambda: _caught_up(fresh_registry, es_client), deadline_s=60, what="caught up")
    index = state.load(es_client, fresh_registry.replication_slot).index  # type: ignore[union-attr]
    hits = es_client.search(index=index, size=3, sort=[{"registration_id": "asc"}])["hits"]["hits"]
    es_client.delete(index=index, id=hits[0]["_id"])                       # missing
    flipped = "in_force" if hits[1]["_source"]["status"] == "deleted" else "deleted"
    tampered = dict(hits[1]["_source"], status=flipped)                    # changed
    applied_version = es_client.get(index=index, id=hits[1]["_id"])["_version"]
    es_client.index(index=index, id=hits[1]["_id"], document=tampered,
                    version=applied_version + 1, version_type="external")
    extra = dict(hits[2]["_source"], registration_id=99_999_999)           # extra
    es_client.index(index=index, id="99999999", document=extra)
    es_client.indices.refresh(index=index)
    assert verify() == 3
    assert verify(repair=True) == 3
    assert verify() == 0


def test_rebuild_under_search_load_fails_no_search(
        fresh_registry: Any, es_client: Any, api_client: Any) -> None:
    from indexer import state
    from indexer.rebuild import rebuild
    from registry.db import connect

    source = _seed_registry(1500, seed=51)
    client = api_client
    sample = next(source)
    sample["status"] = "in_force"  # searched with the default (in force only)
    sample["events"] = [e for e in sample.get("events", []) if e["type"] != "deletion"]
    with connect() as conn:
        from registry.loader import load_lines

        load_lines([json.dumps(sample, ensure_ascii=False)], conn)
    query = {"id_number": sample["grantors"][0].get("id_number") or "0"}
    if "id_number" not in sample["grantors"][0]:
        query = {"debtor_name": sample["grantors"][0]["name"]}
    wait_until(lambda: client.post("/v1/search", json=query).json().get("exact", {})
               .get("count", 0) >= 1, deadline_s=30, what="sample searchable")

    stop = threading.Event()
    outcomes: list[int] = []
    found: list[int] = []

    def load() -> None:
        while not stop.is_set():
            response = client.post("/v1/search", json=query)
            outcomes.append(response.status_code)
            if response.status_code == 200:
                found.append(response.json()["exact"]["count"])

    searcher = threading.Thread(target=load, daemon=True)
    searcher.start()
    before = state.load(es_client, fresh_registry.replication_slot).index  # type: ignore[union-attr]
    new_index = rebuild()
    stop.set()
    searcher.join(timeout=30)
    after = state.load(es_client, fresh_registry.replication_slot)
    assert after is not None and after.index == new_index != before
    assert list(es_client.indices.get_alias(name=fresh_registry.index_alias)) == [new_index]
    assert not es_client.indices.exists(index=before)
    assert len(outcomes) > 20
    assert set(outcomes) == {200}, f"failed searches: {[s for s in outcomes if s != 200]}"
    assert min(found) >= 1


def test_an_index_whose_keys_other_code_built_is_reported_then_copied_afresh(
        fresh_registry: Any, es_client: Any, indexer: IndexerProcess, api_client: Any,
        capsys: pytest.CaptureFixture[str]) -> None:
    from indexer import built_by, state
    from indexer.verify import verify

    _seed_registry(50, seed=43)
    wait_until(lambda: _caught_up(fresh_registry, es_client), deadline_s=60, what="caught up")
    built = state.load(es_client, fresh_registry.replication_slot)
    assert built is not None and built.documents_built_by == built_by.this_code()
    assert api_client.get("/readyz").status_code == 200

    # As if the index had been built before a normaliser change was deployed.
    indexer.stop()
    built.documents_built_by = "0123456789abcdef"
    state.save(es_client, built)
    ready = api_client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["status"] == "index_built_by_other_code"
    assert ready.json()["documents_built_by"] == "0123456789abcdef"
    assert verify() == 1  # no registration differs; the keys may
    assert "0123456789abcdef" in capsys.readouterr().out

    indexer.start()
    wait_until(lambda: (current := state.load(es_client, fresh_registry.replication_slot))
               and current.index != built.index
               and current.documents_built_by == built_by.this_code(),
               deadline_s=60, what="copied afresh: " + indexer.log_text()[-1500:])
    assert "other normaliser or document code" in indexer.log_text()
    wait_until(lambda: api_client.get("/readyz").status_code == 200, deadline_s=30,
               what="ready again")
    assert verify() == 0
    assert not es_client.indices.exists(index=built.index)


def _prepare_by(code: str, settings: Any, client: Any, slot_name: str) -> Any:
    """An index prepared as `index rebuild` prepares one, recorded as built by ``code``,
    and its handover requested."""
    import psycopg

    from indexer import source, state
    from indexer.runner import Follower
    from indexer.snapshot_copy import copy_snapshot

    with psycopg.connect(settings.pg_dsn, autocommit=True) as conn:
        source.prepare_session(conn)
        prepared = copy_snapshot(conn, client, settings, key=slot_name, slot_name=slot_name)
        catch_up = Follower(conn, client, settings)
        catch_up.key, catch_up.state = slot_name, prepared
        while catch_up.step() > 0:
            pass
    prepared.documents_built_by = code
    state.save(client, prepared)
    state.request_handover(client, settings.replication_slot,
                           state.Handover(slot_name, prepared.index))
    return prepared


def test_an_index_rebuilt_by_other_code_waits_for_an_indexer_on_that_code(
        fresh_registry: Any, es_client: Any, indexer: IndexerProcess,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Deploying a normaliser change: `index rebuild` from the new code while the indexer
    still runs the old code. The old indexer does not take the new index and keeps the
    current one up to date; an indexer started on the new code takes it without copying;
    `rebuild --cancel` drops one nobody will take."""
    import psycopg

    from indexer import built_by, es, slot, state
    from indexer.rebuild import cancel, rebuild
    from indexer.verify import verify

    settings = fresh_registry
    key = settings.replication_slot
    client = es.client()
    _seed_registry(60, seed=47)
    wait_until(lambda: _caught_up(settings, es_client), deadline_s=60, what="caught up")
    current = state.load(es_client, key).index  # type: ignore[union-attr]

    prepared = _prepare_by("0123456789abcdef", settings, client, f"{key}_rnew")
    wait_until(lambda: "handover waiting" in indexer.log_text(), deadline_s=30,
               what="the running indexer to report the handover it cannot take")
    assert es.alias_target(es_client, settings.index_alias) == current
    assert state.pending_handover(es_client, key) is not None
    with pytest.raises(SystemExit, match="waits for its handover"):
        rebuild()  # one pending handover at a time
    _seed_registry(20, seed=48)  # the current index stays current meanwhile
    wait_until(lambda: _caught_up(settings, es_client), deadline_s=60, what="still following")
    assert verify() == 0

    # The deploy: the current index was built by the old code, the prepared one by the
    # code the indexer now restarts on.
    indexer.stop()
    main = state.load(es_client, key)
    assert main is not None
    main.documents_built_by = "fedcba9876543210"
    state.save(es_client, main)
    prepared = state.load(es_client, f"{key}_rnew")
    assert prepared is not None
    prepared.documents_built_by = built_by.this_code()
    state.save(es_client, prepared)
    logged = len(indexer.log_text())
    indexer.start()
    wait_until(lambda: es.alias_target(es_client, settings.index_alias) == prepared.index,
               deadline_s=60, what="the new index taken: " + indexer.log_text()[-1500:])
    wait_until(lambda: not es_client.indices.exists(index=current), deadline_s=30,
               what="the old index deleted after the grace period")
    since_restart = indexer.log_text()[logged:]
    assert "handover: now" in since_restart
    assert "copying the registry" not in since_restart
    after = state.load(es_client, key)
    assert after is not None and after.documents_built_by == built_by.this_code()
    assert state.pending_handover(es_client, key) is None
    wait_until(lambda: _caught_up(settings, es_client), deadline_s=60, what="caught up")
    assert verify() == 0  # the 20 written while it waited are in the new index

    # A prepared index nobody will take is dropped on request.
    stale = _prepare_by("0123456789abcdef", settings, client, f"{key}_rstale")
    assert cancel() == stale.index
    assert "cancelled" in capsys.readouterr().out
    assert state.pending_handover(es_client, key) is None
    assert state.load(es_client, f"{key}_rstale") is None
    assert not es_client.indices.exists(index=stale.index)
    with psycopg.connect(settings.pg_dsn, autocommit=True) as conn:
        assert not slot.slot_exists(conn, f"{key}_rstale")
    assert es.alias_target(es_client, settings.index_alias) == prepared.index


def test_a_rebuild_from_other_code_leaves_its_index_to_an_indexer_on_that_code(
        fresh_registry: Any, es_client: Any, indexer: IndexerProcess,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`index rebuild` run here as if from new normaliser code (its fingerprint differs
    from the running indexer's): it prepares the index, does not wait for a handover the
    running indexer will not make, and says what to do."""
    from indexer import built_by, es, state
    from indexer.rebuild import cancel, rebuild

    settings = fresh_registry
    key = settings.replication_slot
    _seed_registry(30, seed=49)
    wait_until(lambda: _caught_up(settings, es_client), deadline_s=60, what="caught up")
    current = state.load(es_client, key)
    assert current is not None
    monkeypatch.setattr(built_by, "this_code", lambda: "0123456789abcdef")
    prepared_index = rebuild()
    assert "restart the indexer on this code" in capsys.readouterr().out
    pending = state.pending_handover(es_client, key)
    assert pending is not None and pending.index == prepared_index != current.index
    prepared = state.load(es_client, pending.slot)
    assert prepared is not None and prepared.documents_built_by == "0123456789abcdef"
    wait_until(lambda: "handover waiting" in indexer.log_text(), deadline_s=30,
               what="the running indexer to leave the handover")
    assert es.alias_target(es_client, settings.index_alias) == current.index
    assert cancel() == prepared_index
    assert not es_client.indices.exists(index=prepared_index)
