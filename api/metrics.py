"""Prometheus metrics: indexer lag (seconds and bytes), events per second, dead
letters, and the API's own requests."""

from __future__ import annotations

from datetime import UTC, datetime

from elasticsearch import Elasticsearch
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from api.registry_position import RegistryPosition, registry_position
from indexer import state as indexer_state
from regsearch.settings import Settings


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.searches = Counter("regsearch_search_requests", "Search requests",
                                ["criterion", "status"], registry=self.registry)
        self.search_seconds = Histogram(
            "regsearch_search_seconds", "Search latency", ["criterion"], registry=self.registry,
            buckets=(0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0))
        self.lag_seconds = Gauge(
            "regsearch_indexer_lag_seconds",
            "Seconds since the indexer last confirmed it had applied the whole registry",
            registry=self.registry)
        self.lag_bytes = Gauge(
            "regsearch_indexer_lag_bytes",
            "Registry WAL bytes not yet confirmed applied to the index", registry=self.registry)
        self.events_total = Gauge(
            "regsearch_indexer_events_applied_total", "Registry transactions applied",
            registry=self.registry)
        self.events_rate = Gauge(
            "regsearch_indexer_events_per_second", "Registry transactions applied per second",
            registry=self.registry)
        self.dead_letters = Gauge(
            "regsearch_indexer_dead_letters", "Changes that could not be indexed",
            registry=self.registry)
        self.slot_retained_bytes = Gauge(
            "regsearch_replication_slot_retained_bytes",
            "Registry WAL bytes a logical replication slot holds back (from its restart"
            " position)", ["slot"], registry=self.registry)
        self.slot_followed = Gauge(
            "regsearch_replication_slot_followed",
            "1 for the slot the indexer follows (its state names it) or one a client is"
            " streaming from", ["slot"], registry=self.registry)
        self.slots_unfollowed = Gauge(
            "regsearch_replication_slots_unfollowed",
            "Logical replication slots of the registry's database nobody follows (left"
            " behind): each keeps WAL until it is dropped", registry=self.registry)
        self.up = Gauge("regsearch_indexer_state_readable",
                        "1 when the indexer state and registry position could be read",
                        registry=self.registry)

    def render(self, es: Elasticsearch, settings: Settings) -> tuple[bytes, str]:
        position: RegistryPosition | None = None
        try:
            current = indexer_state.load(es, settings.replication_slot)
            position = registry_position(settings)
        except Exception:
            current = None
        self._slots(position, current.stream_slot if current is not None else None)
        head = position.head_lsn if position is not None else 0
        if current is None or position is None:
            self.up.set(0)
        else:
            self.up.set(1)
            if current.checked_at is not None:
                self.lag_seconds.set(
                    max(0.0, (datetime.now(UTC) - current.checked_at).total_seconds()))
            self.lag_bytes.set(max(0, head - current.checked_upto_lsn_int))
            self.events_total.set(current.events_applied)
            self.events_rate.set(current.events_per_second)
            self.dead_letters.set(current.dead_letters)
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    def _slots(self, position: RegistryPosition | None, followed: str | None) -> None:
        """Only the slots there are now (a dropped slot's series goes away). The indexer
        reads its slot with SQL functions, so PostgreSQL shows it active only while a
        read runs: its state says which slot it follows."""
        self.slot_retained_bytes.clear()
        self.slot_followed.clear()
        if position is None:
            return
        unfollowed = 0
        for found in position.slots:
            is_followed = found.active or found.name == followed
            unfollowed += not is_followed
            self.slot_retained_bytes.labels(found.name).set(found.retained_bytes)
            self.slot_followed.labels(found.name).set(1 if is_followed else 0)
        self.slots_unfollowed.set(unfollowed)
