"""Prometheus metrics: indexer lag (seconds and bytes), events per second, dead
letters, and the API's own requests.

With several API workers (``server.serve``), ``PROMETHEUS_MULTIPROC_DIR`` names a directory
where each worker's search counters and latency histogram live in files, and a scrape,
whichever worker answers it, sums them over every worker, living or gone. The indexer's
figures are read from its state when scraped, so the answering worker's own are right.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from datetime import UTC, datetime

from elasticsearch import Elasticsearch
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from core.settings import Settings
from freshness.registry_position import RegistryPosition, registry_position
from indexer import state as indexer_state

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


class WorkerCounters:
    """The search counters and histograms of every worker, summed from their files (the
    gauges' files are left out: each worker sets its own when scraped)."""

    def __init__(self, directory: str) -> None:
        self.directory = directory

    def collect(self) -> Iterable[Metric]:
        files = [path for kind in ("counter", "histogram")
                 for path in glob.glob(os.path.join(self.directory, f"{kind}_*.db"))]
        merged: Iterable[Metric] = MultiProcessCollector.merge(  # type: ignore[no-untyped-call]
            files, accumulate=True)
        return merged


class ScrapedGauge:
    """A gauge set when /metrics is scraped, held by this process alone: the indexer's
    figures. (prometheus_client's ``Gauge`` lives in files when there are several
    workers, and cannot drop a label there: a dropped slot's series would stay.)"""

    def __init__(self, name: str, documentation: str, registry: CollectorRegistry,
                 labelnames: tuple[str, ...] = ()) -> None:
        self.name, self.documentation, self.labelnames = name, documentation, labelnames
        self._values: dict[tuple[str, ...], float] = {} if labelnames else {(): 0.0}
        registry.register(self)

    def set(self, value: float) -> None:
        self._values[()] = float(value)

    def labels(self, *values: str) -> _LabelledGauge:
        return _LabelledGauge(self._values, values)

    def clear(self) -> None:
        self._values.clear()

    def collect(self) -> Iterable[Metric]:
        family = GaugeMetricFamily(self.name, self.documentation, labels=self.labelnames)
        for labels, value in self._values.items():
            family.add_metric(list(labels), value)
        return [family]


class _LabelledGauge:
    def __init__(self, values: dict[tuple[str, ...], float], labels: tuple[str, ...]) -> None:
        self._values, self._labels = values, labels

    def set(self, value: float) -> None:
        self._values[self._labels] = float(value)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        directory = os.environ.get(MULTIPROCESS_DIR)
        #: Searches are counted across workers when there are several.
        self.workers: CollectorRegistry | None = None
        searched: CollectorRegistry | None = self.registry
        if directory:
            self.workers = CollectorRegistry()
            self.workers.register(WorkerCounters(directory))
            searched = None
        self.searches = Counter("regsearch_search_requests", "Search requests",
                                ["criterion", "status"], registry=searched)
        self.search_seconds = Histogram(
            "regsearch_search_seconds", "Search latency", ["criterion"], registry=searched,
            buckets=(0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0))
        self.lag_seconds = ScrapedGauge(
            "regsearch_indexer_lag_seconds",
            "Seconds since the indexer last confirmed it had applied the whole registry",
            self.registry)
        self.lag_bytes = ScrapedGauge(
            "regsearch_indexer_lag_bytes",
            "Registry WAL bytes not yet confirmed applied to the index", self.registry)
        self.events_total = ScrapedGauge(
            "regsearch_indexer_events_applied_total", "Registry transactions applied",
            self.registry)
        self.events_rate = ScrapedGauge(
            "regsearch_indexer_events_per_second", "Registry transactions applied per second",
            self.registry)
        self.dead_letters = ScrapedGauge(
            "regsearch_indexer_dead_letters", "Changes that could not be indexed",
            self.registry)
        self.slot_retained_bytes = ScrapedGauge(
            "regsearch_replication_slot_retained_bytes",
            "Registry WAL bytes a logical replication slot holds back (from its restart"
            " position)", self.registry, ("slot",))
        self.slot_followed = ScrapedGauge(
            "regsearch_replication_slot_followed",
            "1 for the slot the indexer follows (its state names it) or one a client is"
            " streaming from", self.registry, ("slot",))
        self.slots_unfollowed = ScrapedGauge(
            "regsearch_replication_slots_unfollowed",
            "Logical replication slots of the registry's database nobody follows (left"
            " behind): each keeps WAL until it is dropped", self.registry)
        self.up = ScrapedGauge("regsearch_indexer_state_readable",
                               "1 when the indexer state and registry position could be read",
                               self.registry)

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
        body = generate_latest(self.registry)
        if self.workers is not None:
            body += generate_latest(self.workers)
        return body, CONTENT_TYPE_LATEST

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
