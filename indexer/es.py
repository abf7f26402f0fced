"""Elasticsearch client and index administration for the indexer."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError

import mappings
from core import elastic
from core.settings import get_settings


def client(timeout_s: float = 30.0) -> Elasticsearch:
    return elastic.client(get_settings().es_url, request_timeout=timeout_s,
                          retry_on_timeout=False)


def index_settings(file_settings: dict[str, Any], *, sharded: bool) -> dict[str, Any]:
    """A mapping file's index settings with the configured shards (when ``sharded``: the
    state index keeps its one shard), replicas and refresh interval."""
    configured = get_settings()
    found = {**file_settings, "number_of_replicas": configured.index_replicas}
    if sharded:
        found["number_of_shards"] = configured.index_shards
        found["refresh_interval"] = configured.index_refresh_interval
    return found


def ensure_state_index(es: Elasticsearch) -> None:
    """Create the state index, or add the fields a newer mapping of the same version has
    and give it the configured number of replicas."""
    body = mappings.load("state", mappings.STATE_VERSION)
    wanted = index_settings(body["settings"], sharded=False)
    if not es.indices.exists(index=mappings.STATE_INDEX):
        es.indices.create(index=mappings.STATE_INDEX, settings=wanted, mappings=body["mappings"])
    else:
        es.indices.put_mapping(index=mappings.STATE_INDEX,
                               properties=body["mappings"]["properties"])
        es.indices.put_settings(index=mappings.STATE_INDEX, settings={
            "number_of_replicas": wanted["number_of_replicas"]})


def apply_operational_settings(es: Elasticsearch, index: str) -> None:
    """Give an existing registrations index the configured replicas and refresh interval
    (its shards are fixed at creation)."""
    configured = get_settings()
    es.indices.put_settings(index=index, settings={
        "number_of_replicas": configured.index_replicas,
        "refresh_interval": configured.index_refresh_interval})


#: The mapping's ``_meta`` entry naming the slot an index was copied for.
COPY_SLOT_META = "copy_slot"


def create_registrations_index(es: Elasticsearch, alias: str, copy_slot: str) -> str:
    """Create a new, empty, versioned registrations index (not yet behind the alias),
    recording the slot it is copied for (``indexer.leftovers`` reads it)."""
    suffix = datetime.now(UTC).strftime("%Y%m%dt%H%M%S%f")
    name = mappings.registrations_index_name(alias, suffix)
    body = mappings.load("registrations", mappings.REGISTRATIONS_VERSION)
    es.indices.create(index=name, settings=index_settings(body["settings"], sharded=True),
                      mappings={**body["mappings"], "_meta": {COPY_SLOT_META: copy_slot}})
    return name


def registrations_indices(es: Elasticsearch, alias: str) -> dict[str, str | None]:
    """Every registrations index of ``alias`` (any mapping version), with the slot it
    was copied for (None: made by code that did not record it)."""
    pattern = re.compile(rf"{re.escape(alias)}-v\d+-\d{{8}}t\d+")
    found = es.indices.get_mapping(index=f"{alias}-v*", allow_no_indices=True,
                                   expand_wildcards="all")
    indices: dict[str, str | None] = {}
    for name, body in found.items():
        if pattern.fullmatch(name):
            meta = body.get("mappings", {}).get("_meta", {})
            slot = meta.get(COPY_SLOT_META)
            indices[name] = str(slot) if slot else None
    return indices


def alias_target(es: Elasticsearch, alias: str) -> str | None:
    try:
        found = es.indices.get_alias(name=alias)
    except NotFoundError:
        return None
    names = sorted(found.keys())
    return names[-1] if names else None


def point_alias(es: Elasticsearch, alias: str, index: str) -> None:
    """Atomically move ``alias`` to ``index``."""
    actions: list[dict[str, dict[str, str]]] = []
    current = alias_target(es, alias)
    if current and current != index:
        actions.append({"remove": {"index": current, "alias": alias}})
    actions.append({"add": {"index": index, "alias": alias}})
    es.indices.update_aliases(actions=actions)
