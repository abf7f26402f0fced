"""With several API workers, /metrics sums every worker's search counters, whichever
worker answers the scrape; the indexer's figures appear once."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

WORKER = """
import sys
from api.metrics import Metrics
metrics = Metrics()
for _ in range(int(sys.argv[1])):
    metrics.searches.labels("id_number", "200").inc()
    metrics.search_seconds.labels("id_number").observe(0.004)
if len(sys.argv) > 2:  # this one is scraped: no indexer state here, so "not readable"
    from core.settings import Settings
    body, _ = metrics.render(None, Settings(pg_dsn="postgresql://nobody@127.0.0.1:1/none"))
    sys.stdout.write(body.decode())
"""


def _worker(directory: Path, searches: int, scrape: bool = False) -> str:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory),
           "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", WORKER, str(searches),
                           *(["scrape"] if scrape else [])],
                          env=env, capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


def _sample(text: str, name: str) -> list[float]:
    return [float(v) for v in re.findall(rf"^{re.escape(name)}(?:{{[^}}]*}})? (\S+)$", text,
                                        re.MULTILINE)]


def test_a_scrape_sums_the_searches_of_every_worker(tmp_path: Path) -> None:
    _worker(tmp_path, 3)
    _worker(tmp_path, 4)  # a worker since gone: its searches still count
    text = _worker(tmp_path, 5, scrape=True)
    assert _sample(text, "regsearch_search_requests_total") == [12.0]
    assert _sample(text, "regsearch_search_seconds_count") == [12.0]
    # the scraped worker's own gauges, once (not one series per worker)
    assert _sample(text, "regsearch_indexer_state_readable") == [0.0]
    assert len(re.findall(r"^# TYPE regsearch_search_requests", text, re.MULTILINE)) == 1


def test_a_dropped_slots_series_goes_away() -> None:
    from prometheus_client import CollectorRegistry, generate_latest

    from api.metrics import ScrapedGauge

    registry = CollectorRegistry()
    gauge = ScrapedGauge("slot_bytes", "Bytes", registry, ("slot",))
    gauge.labels("old").set(5)
    assert 'slot_bytes{slot="old"} 5.0' in generate_latest(registry).decode()
    gauge.clear()
    gauge.labels("new").set(7)
    text = generate_latest(registry).decode()
    assert 'slot_bytes{slot="new"} 7.0' in text and "old" not in text
