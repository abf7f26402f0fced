"""`regsearch demo`: a registry of demo data, the indexer and the API, on one command."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg

from regsearch.settings import get_settings

DEMO_COUNT = 10_000
DEMO_SEED = 2017


def _registry_size() -> int:
    with psycopg.connect(get_settings().pg_dsn) as conn:
        row = conn.execute("SELECT to_regclass('registrations') IS NOT NULL").fetchone()
        if not row or not row[0]:
            return 0
        counted = conn.execute("SELECT count(*) FROM registrations").fetchone()
        return int(counted[0]) if counted else 0


def _load_demo_data(state: Path) -> None:
    from benchmarks.synthetic import generator
    from registry import loader

    if _registry_size() >= DEMO_COUNT:
        print(f"registry: {_registry_size()} registrations already loaded")
        return
    data = state / "demo.jsonl"
    generator.write_jsonl(count=DEMO_COUNT, seed=DEMO_SEED, out=data)
    print(f"registry: loading {DEMO_COUNT} demo registrations …")
    loader.load_file(data, batch_size=200)


def _start_indexer(state: Path) -> subprocess.Popen[bytes]:
    log = (state / "indexer.log").open("ab")
    return subprocess.Popen([sys.executable, "-m", "regsearch.cli", "indexer"],
                            stdout=log, stderr=subprocess.STDOUT)


def _start_api() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "regsearch.cli", "api"])


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM as Ctrl-C: the indexer and the API are stopped before the demo exits (the
    default handler would exit at once and leave them running)."""
    raise KeyboardInterrupt


def _wait_ready(base: str, process: subprocess.Popen[bytes], deadline_s: float) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the indexer stopped; see .state/indexer.log")
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("the API did not become ready in time; see .state/indexer.log")


def run() -> None:
    settings = get_settings()
    state = Path(".state")
    state.mkdir(exist_ok=True)
    signal.signal(signal.SIGTERM, _interrupt)
    _load_demo_data(state)
    indexer = _start_indexer(state)
    api = _start_api()
    base = f"http://{settings.api_host}:{settings.api_port}"
    try:
        _wait_ready(base, indexer, deadline_s=600)
        print(f"\nregsearch is serving demo data at {base}  (API docs: {base}/docs)")
        print("Try: curl -s -X POST " + base + "/v1/search -H 'content-type: application/json'"
              " -d '{\"debtor_name\": \"Nguyen Van An\"}'")
        print("Stop with Ctrl-C.")
        api.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for process in (api, indexer):
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in (api, indexer):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
