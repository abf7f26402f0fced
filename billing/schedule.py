"""``celery -A billing.schedule beat`` / ``worker``: the billing jobs on a schedule.

Beat sends, in Viet Nam time, the monthly statements at 00:30 on the first of each month
and the daily checks (suspension, closure, unsent e-mail) at 01:00, and the watch
alerts' e-mail digests every ``watch_digest_interval_minutes`` (``billing.digests``); the
billing worker
(its own queue, ``billing_queue``, one process: the jobs are sequential by nature) runs
them. Beat keeps no state that matters: two beats started by mistake send each job twice,
and the second run finds the job's advisory lock held or everything already done
(``billing.jobs``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from celery import Celery
from celery.schedules import crontab

from billing import digests, jobs
from billing.periods import parse_as_of
from core.settings import Settings, get_settings

MONTHLY_TASK = "regsearch.billing.run_month"
DAILY_TASK = "regsearch.billing.daily"
DIGEST_TASK = "regsearch.billing.watch_digests"


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    options = {"queue": settings.billing_queue}
    return {
        "monthly-statements": {"task": MONTHLY_TASK, "options": options,
                               "schedule": crontab(minute="30", hour="0", day_of_month="1")},
        "daily-dunning": {"task": DAILY_TASK, "options": options,
                          "schedule": crontab(minute="0", hour="1")},
        "watch-digests": {"task": DIGEST_TASK, "options": options,
                          "schedule": timedelta(minutes=settings.watch_digest_interval_minutes)},
    }


def _as_of(text: str | None) -> datetime | None:
    return parse_as_of(text) if text else None


def _run_month(task: Any, as_of: str | None = None) -> dict[str, Any]:
    done = jobs.run_month(task.app.regsearch_settings, _as_of(as_of))
    return {"period": done.period, "statements": done.statements, "busy": done.busy,
            "mail_sent": done.mail_sent, "mail_failed": done.mail_failed}


def _daily(task: Any, as_of: str | None = None) -> dict[str, Any]:
    done = jobs.daily(task.app.regsearch_settings, _as_of(as_of))
    return {"changes": done.changes, "busy": done.busy, "mail_sent": done.mail_sent,
            "mail_failed": done.mail_failed}


def _watch_digests(task: Any, as_of: str | None = None) -> dict[str, Any]:
    done = digests.run(task.app.regsearch_settings, _as_of(as_of))
    return {"digests": done.digests, "alerts": done.alerts, "busy": done.busy,
            "mail_sent": done.mail_sent, "mail_failed": done.mail_failed}


def create_app(settings: Settings) -> Celery:
    broker = settings.batch_broker_url or settings.redis_url
    app = Celery("regsearch-billing", broker=broker, backend=broker)
    app.conf.update(
        timezone="Asia/Ho_Chi_Minh", enable_utc=True,
        task_default_queue=settings.billing_queue,
        task_routes={"regsearch.billing.*": {"queue": settings.billing_queue}},
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        result_expires=7 * 24 * 3600, broker_connection_retry_on_startup=True,
        beat_schedule=beat_schedule(settings))
    app.regsearch_settings = settings
    app.task(name=MONTHLY_TASK, bind=True)(_run_month)
    app.task(name=DAILY_TASK, bind=True)(_daily)
    app.task(name=DIGEST_TASK, bind=True)(_watch_digests)
    return app


app = create_app(get_settings())
