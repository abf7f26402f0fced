"""The billing jobs on Celery: beat's schedule (Viet Nam time), the tasks on the clock
(time-machine), and a real billing worker consuming its queue from Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
import time_machine

from billing import schedule
from billing.periods import VN_TZ
from tests import inbox
from tests.billing.conftest import charge, make_customer
from tests.conftest import REPO, wait_until

SCHEDULED = "2026-12-01T00:30:00+07:00"


def test_beat_sends_the_statements_monthly_and_the_checks_daily_in_ha_noi_time() -> None:
    from core.settings import Settings

    app = schedule.create_app(Settings(billing_queue="q-billing"))
    assert app.conf.timezone == "Asia/Ho_Chi_Minh"
    entries = app.conf.beat_schedule
    monthly, daily = entries["monthly-statements"], entries["daily-dunning"]
    assert (monthly["task"], daily["task"]) == (schedule.MONTHLY_TASK, schedule.DAILY_TASK)
    assert monthly["schedule"].day_of_month == {1} and monthly["schedule"].hour == {0}
    assert daily["schedule"].hour == {1} and daily["schedule"].minute == {0}
    assert monthly["options"]["queue"] == daily["options"]["queue"] == "q-billing"
    assert {schedule.MONTHLY_TASK, schedule.DAILY_TASK} <= set(app.tasks)


def _statements(dsn: str, account_id: int) -> list[str]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        return [r[0] for r in conn.execute(
            "SELECT number FROM statements WHERE account_id = %s", (account_id,)).fetchall()]


@pytest.mark.services
def test_the_scheduled_task_takes_the_clock_it_runs_at(app_db: str, settings: Any) -> None:
    bank = make_customer(app_db, "Ngân hàng Đúng giờ")
    charge(app_db, bank, "Trần Văn Bình", datetime(2026, 11, 3, tzinfo=VN_TZ))
    charge(app_db, bank, "Phạm Thị Hoa", datetime(2026, 12, 1, 0, 10, tzinfo=VN_TZ))
    app = schedule.create_app(settings)
    try:
        with time_machine.travel(datetime.fromisoformat(SCHEDULED), tick=False):
            done = app.tasks[schedule.MONTHLY_TASK].apply().get()
            again = app.tasks[schedule.MONTHLY_TASK].apply().get()
        assert done["period"] == "11/2026" and len(done["statements"]) == 1
        assert again["statements"] == [] and again["mail_sent"] == 0
        assert done["mail_sent"] == 1
        with psycopg.connect(app_db, autocommit=True) as conn:
            assert conn.execute("SELECT charges_vnd, issued_at FROM statements").fetchone() == (
                30_000, datetime.fromisoformat(SCHEDULED))
        with time_machine.travel(datetime.fromisoformat("2027-01-01T01:00:00+07:00"),
                                 tick=False):
            checked = app.tasks[schedule.DAILY_TASK].apply().get()
        assert checked["changes"] == {"suspended": [bank.code]}
    finally:
        bank.clear_mail()


@pytest.mark.services
def test_a_billing_worker_runs_the_jobs_once_when_two_schedulers_send_them(
        app_db: str, settings: Any, tmp_path: Path) -> None:
    import redis

    queue = f"test-billing-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "REGSEARCH_BILLING_QUEUE": queue}
    mine = settings.model_copy(update={"billing_queue": queue})
    bank = make_customer(app_db, "Ngân hàng Hàng đợi")
    charge(app_db, bank, "Trần Văn Bình", datetime(2026, 11, 3, tzinfo=VN_TZ))
    log = (tmp_path / "billing-worker.log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "billing.schedule", "worker", "-Q", queue,
         "--concurrency", "2", "--loglevel", "INFO", "-n", f"{queue}@%h"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        app = schedule.create_app(mine)
        # two beats by mistake: each sends the monthly job
        sent = [app.send_task(schedule.MONTHLY_TASK, kwargs={"as_of": "2026-12-01"},
                              queue=queue) for _ in range(2)]
        results = [r.get(timeout=180) for r in sent]
        assert sum(len(r["statements"]) for r in results) == 1
        assert len(_statements(app_db, bank.id)) == 1
        wait_until(lambda: len(inbox.messages(bank.emails[0])) == 1,
                   deadline_s=60, what="the statement's e-mail")
        daily = app.send_task(schedule.DAILY_TASK, kwargs={"as_of": "2027-01-01"}, queue=queue)
        assert daily.get(timeout=180)["changes"] == {"suspended": [bank.code]}
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        log.close()
        redis.Redis.from_url(settings.redis_url).delete(queue)
        bank.clear_mail()
