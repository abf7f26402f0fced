"""`regsearch demo` (``make run``): a registry of demo data, then the API, the indexer, the
batch worker and the scheduler under supervisord (``regsearch.processes``), on one command."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

import httpx
import psycopg

from core.settings import get_settings
from regsearch import processes

DEMO_COUNT = 10_000
DEMO_SEED = 2017


def _registry_size() -> int:
    with psycopg.connect(get_settings().pg_dsn) as conn:
        row = conn.execute("SELECT to_regclass('registrations') IS NOT NULL").fetchone()
        if not row or not row[0]:
            return 0
        counted = conn.execute("SELECT count(*) FROM registrations").fetchone()
        return int(counted[0]) if counted else 0


def _load_demo_data(state: Path, count: int) -> None:
    from registry import loader
    from registry.synthetic import generator

    if _registry_size() >= count:
        print(f"registry: {_registry_size()} registrations already loaded")
        return
    data = state / "demo.jsonl"
    generator.write_jsonl(count=count, seed=DEMO_SEED, out=data)
    print(f"registry: loading {count} demo registrations …")
    loader.load_file(data, batch_size=200)


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM as Ctrl-C: supervisord stops every process before the demo exits (the
    default handler would exit at once and leave them running)."""
    raise KeyboardInterrupt


def _wait_ready(base: str, supervisor: processes.Supervisor, deadline_s: float) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if not supervisor.running():
            raise SystemExit("supervisord stopped; see .state/logs/supervisord.log")
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("the API did not become ready in time; see .state/logs/indexer.log "
                     "and .state/logs/api.log")


def run(count: int = DEMO_COUNT) -> None:
    settings = get_settings()
    state = Path(".state")
    state.mkdir(exist_ok=True)
    signal.signal(signal.SIGTERM, _interrupt)
    _load_demo_data(state, count)
    # the demo sets up its own service database too (``make run`` has already migrated
    # it; a demo on a fresh database would otherwise start an API that refuses to run)
    from migrations.runner import upgrade

    upgrade(settings.app_dsn)
    supervisor = processes.Supervisor(processes.write_config(settings, state, Path.cwd()))
    supervisor.start()
    base = f"http://{settings.api_host}:{settings.api_port}"
    try:
        _wait_ready(base, supervisor, deadline_s=600)
        conf = supervisor.paths.conf
        print(f"\nregsearch is serving demo data at {base}  (API docs: {base}/docs)")
        print("Processes / tiến trình: " + ", ".join(processes.programs(settings, state))
              + f" (restarted when they die; logs in {supervisor.paths.logs})")
        print(f"Their state: {sys.executable} -m supervisor.supervisorctl -c {conf} status")
        print("Try: curl -s -X POST " + base + "/v1/search -H 'content-type: application/json'"
              " -d '{\"debtor_name\": \"Nguyen Van An\"}'")
        print("Stop with Ctrl-C.")
        supervisor.wait()
    except KeyboardInterrupt:
        pass
    finally:
        supervisor.stop()
