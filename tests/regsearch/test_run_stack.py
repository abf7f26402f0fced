"""``make run`` (``regsearch demo``) on the real services: every process a user needs runs
under supervisord; a batch finishes with no manual step; a killed indexer comes back;
SIGTERM stops every process it started (issue 19 item 11).

The demo runs with names of its own (databases, index alias, slot, queue, Redis database,
port), a small registry and its state in a short temporary directory.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import redis

from tests.conftest import drop_slot, recreate_databases, upgrade_app_database, wait_until
from tests.service_env import TEST_REDIS_DB, named

pytestmark = pytest.mark.services

REGISTRY_DB = named("regsearch_demo_test")
APP_DB = named("regsearch_app_demo_test")
ALIAS = named("test-demo-registrations", "-")
SLOT = named("test_demo_indexer")
QUEUE = named("test-demo-batch", "-")
COUNT = 300
PROGRAMS = ("api", "indexer", "watch", "watch-delivery", "worker", "scheduler", "billing")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(port: int) -> dict[str, str]:
    server = os.environ["REGSEARCH_PG_DSN"].rsplit("/", 1)[0]
    redis_base = os.environ.get("REGSEARCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    broker = f"{redis_base.rsplit('/', 1)[0]}/{TEST_REDIS_DB}"
    return {**os.environ,
            "REGSEARCH_PG_DSN": f"{server}/{REGISTRY_DB}",
            "REGSEARCH_APP_DSN": f"{server}/{APP_DB}",
            "REGSEARCH_INDEX_ALIAS": ALIAS,
            "REGSEARCH_REPLICATION_SLOT": SLOT,
            "REGSEARCH_WATCH_SLOT": named("test_demo_watch"),
            "REGSEARCH_REDIS_URL": broker,
            "REGSEARCH_BATCH_QUEUE": QUEUE,
            "REGSEARCH_BILLING_QUEUE": f"{QUEUE}-billing",
            "REGSEARCH_API_PORT": str(port),
            "REGSEARCH_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "REGSEARCH_COPY_BUILD_PROCESSES": "0"}


def _reset(env: dict[str, str], es: object) -> None:
    import mappings

    recreate_databases(REGISTRY_DB, APP_DB)
    # as `make run` does before the demo (`make services`: regsearch db upgrade)
    upgrade_app_database(env["REGSEARCH_APP_DSN"])
    for name in es.indices.get(index=f"{ALIAS}-v*", allow_no_indices=True):  # type: ignore[attr-defined]
        es.options(ignore_status=404).indices.delete(index=name)  # type: ignore[attr-defined]
    if es.indices.exists(index=mappings.STATE_INDEX):  # type: ignore[attr-defined]
        es.options(ignore_status=404).delete(  # type: ignore[attr-defined]
            index=mappings.STATE_INDEX, id=SLOT, refresh=True)
    redis.Redis.from_url(env["REGSEARCH_REDIS_URL"]).flushdb()


def _drop(es: object) -> None:
    """Nothing of the demo is left on the shared services (a slot would hold WAL)."""
    with psycopg.connect(os.environ["REGSEARCH_ADMIN_DSN"], autocommit=True) as conn:
        for (slot,) in conn.execute("SELECT slot_name FROM pg_replication_slots"
                                    " WHERE database = %s", (REGISTRY_DB,)).fetchall():
            drop_slot(conn, slot)
        for db in (REGISTRY_DB, APP_DB):
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    for name in es.indices.get(index=f"{ALIAS}-v*", allow_no_indices=True):  # type: ignore[attr-defined]
        es.options(ignore_status=404).indices.delete(index=name)  # type: ignore[attr-defined]


@dataclass
class Demo:
    process: subprocess.Popen[bytes]
    workdir: Path
    env: dict[str, str]
    port: int

    @property
    def log(self) -> str:
        return (self.workdir / "demo.out").read_text(errors="replace")

    def ctl(self, *args: str) -> str:
        conf = self.workdir / ".state" / "run" / "supervisord.conf"
        return subprocess.run([sys.executable, "-m", "supervisor.supervisorctl", "-c", str(conf),
                               *args], capture_output=True, text=True, timeout=30,
                              check=False, env=self.env).stdout

    def pid(self, program: str) -> int:
        out = self.ctl("pid", program).strip()
        return int(out) if out.isdigit() else 0

    def regsearch(self, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "regsearch.cli", *args],
                              capture_output=True, text=True, timeout=timeout, check=False,
                              env=self.env, cwd=self.workdir)


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.fixture(scope="module")
def demo(es_client: object) -> Iterator[Demo]:
    port = _free_port()
    env = _environment(port)
    _reset(env, es_client)
    # short: supervisord's Unix socket path must fit in 108 bytes
    workdir = Path(tempfile.mkdtemp(prefix="rs-demo-"))
    with (workdir / "demo.out").open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "regsearch.cli", "demo",
                                    "--count", str(COUNT)], cwd=workdir, env=env,
                                   stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    running = Demo(process, workdir, env, port)
    try:
        wait_until(lambda: "regsearch is serving" in running.log or process.poll() is not None,
                   deadline_s=600, interval_s=0.5, what="the demo to serve")
        assert process.poll() is None, running.log[-3000:]
        yield running
    finally:
        if process.poll() is None:
            for pid in _descendants(process.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            process.kill()
            process.wait(timeout=30)
        _drop(es_client)
        shutil.rmtree(workdir, ignore_errors=True)


def test_every_process_a_user_needs_is_running(demo: Demo) -> None:
    def all_running() -> str | None:
        status = demo.ctl("status")
        ok = all(re.search(rf"^{name}\s+RUNNING", status, re.M) for name in PROGRAMS)
        return status if ok else None

    wait_until(all_running, deadline_s=120, interval_s=0.5, what="every program RUNNING")


def test_the_billing_jobs_are_run_by_the_billing_worker(demo: Demo) -> None:
    """What beat sends (here by hand, as beat would) the billing program runs."""
    from billing import schedule
    from core.settings import Settings

    test_every_process_a_user_needs_is_running(demo)
    env = demo.env
    app = schedule.create_app(Settings(redis_url=env["REGSEARCH_REDIS_URL"],
                                       app_dsn=env["REGSEARCH_APP_DSN"],
                                       billing_queue=env["REGSEARCH_BILLING_QUEUE"]))
    sent = app.send_task(schedule.DAILY_TASK, kwargs={"as_of": "2027-01-01"},
                         queue=env["REGSEARCH_BILLING_QUEUE"])
    done = sent.get(timeout=120)
    assert done["busy"] is False and done["changes"] == {}
    month = app.send_task(schedule.MONTHLY_TASK, kwargs={"as_of": "2026-12-01"},
                          queue=env["REGSEARCH_BILLING_QUEUE"]).get(timeout=120)
    assert month["period"] == "11/2026" and month["busy"] is False


@pytest.fixture(scope="module")
def api_key(demo: Demo) -> str:
    created = demo.regsearch("accounts", "create", "--name", "Ngân hàng Thử nghiệm",
                             timeout=120)
    assert created.returncode == 0, created.stderr
    key = re.search(r"API key \(shown once\): (\S+)", created.stdout)
    assert key, created.stdout
    return key.group(1)


def _lookups(demo: Demo) -> Path:
    rows = demo.workdir / "lookups.csv"
    rows.write_text("Tên bên bảo đảm\nNguyen Van An\nCông ty TNHH Thương mại Hòa Bình\n"
                    "Tran Thi Bich\n", encoding="utf-8")
    return rows


def _submit_args(demo: Demo, key: str) -> list[str]:
    return ["batch", "submit", str(_lookups(demo)), "--wait",
            "--api-url", f"http://127.0.0.1:{demo.port}", "--api-key", key]


def test_a_batch_submitted_after_make_run_finishes_with_no_manual_step(
        demo: Demo, api_key: str) -> None:
    submitted = demo.regsearch(*_submit_args(demo, api_key), timeout=300)
    assert submitted.returncode == 0, submitted.stdout + submitted.stderr
    assert "done: 3/3" in submitted.stdout, submitted.stdout
    assert "No batch worker" not in submitted.stdout


def test_with_no_worker_batch_submit_wait_says_so_and_finishes_once_one_runs(
        demo: Demo, api_key: str) -> None:
    assert "stopped" in demo.ctl("stop", "worker")
    out_path = demo.workdir / "submit.out"
    try:
        with out_path.open("wb") as out:
            waiting = subprocess.Popen([sys.executable, "-m", "regsearch.cli",
                                        *_submit_args(demo, api_key)],
                                       stdout=out, stderr=subprocess.STDOUT, env=demo.env,
                                       cwd=demo.workdir)
        wait_until(lambda: "No batch worker has taken this job" in out_path.read_text(),
                   deadline_s=120, interval_s=0.5, what="the no-worker notice")
        assert waiting.poll() is None
    finally:
        demo.ctl("start", "worker")
    assert waiting.wait(timeout=300) == 0, out_path.read_text()
    text = out_path.read_text()
    assert "Chưa có tiến trình xử lý lô nào nhận lô này" in text
    assert "done: 3/3" in text


def test_a_killed_indexer_is_restarted(demo: Demo) -> None:
    before = wait_until(lambda: demo.pid("indexer"), deadline_s=60, what="indexer pid")
    os.kill(before, signal.SIGKILL)
    after = wait_until(lambda: (pid if (pid := demo.pid("indexer")) not in (0, before)
                                and "RUNNING" in demo.ctl("status", "indexer") else None),
                       deadline_s=120, interval_s=0.5, what="the indexer restarted")
    assert _alive(after) and not _alive(before)


def test_sigterm_stops_every_process(demo: Demo) -> None:
    started = _descendants(demo.process.pid)
    pids = {name: demo.pid(name) for name in PROGRAMS}
    assert all(pids.values()), pids
    assert set(pids.values()) <= set(started)
    demo.process.send_signal(signal.SIGTERM)
    assert demo.process.wait(timeout=120) == 0, demo.log[-3000:]
    wait_until(lambda: not [pid for pid in started if _alive(pid)], deadline_s=30,
               what=f"every child of the demo gone: {[p for p in started if _alive(p)]}")
