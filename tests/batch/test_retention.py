"""Finished batches are deleted after the retention period, with their rows, lookups and
results; a certified batch and a recent one are kept; the usage ledger keeps its record."""

from __future__ import annotations

from typing import Any

import pytest
import redis

from tests.batch import files
from tests.batch.conftest import BatchStack

pytestmark = pytest.mark.services


def _run(batch_stack: BatchStack, key: str) -> str:
    response = batch_stack.client.post(
        "/v1/batches", headers={"x-api-key": key},
        files={"file": ("lo.csv", files.simple_csv(batch_stack.corpus, 30), "text/csv")})
    assert response.status_code == 202, response.text
    batch_id: str = response.json()["batch"]["id"]
    assert batch_stack.wait_finished(key, batch_id, deadline_s=180)["status"] == "done"
    return batch_id


def _counts(batch_stack: BatchStack, batch_id: str) -> tuple[int, ...]:
    with batch_stack.connect() as conn:
        found = conn.execute(
            "SELECT (SELECT count(*) FROM batch_jobs WHERE id = %(j)s),"
            " (SELECT count(*) FROM batch_rows WHERE job_id = %(j)s),"
            " (SELECT count(*) FROM batch_lookups WHERE job_id = %(j)s),"
            " (SELECT count(*) FROM batch_results WHERE job_id = %(j)s),"
            " (SELECT count(*) FROM usage_ledger WHERE reference = %(j)s::text)",
            {"j": batch_id}).fetchone()
    assert found is not None
    return tuple(int(n) for n in found)


def test_batches_past_their_retention_are_deleted(batch_stack: BatchStack) -> None:
    from batch import tasks

    batch_stack.stop_workers()
    redis.Redis.from_url(batch_stack.settings.batch_broker_url).flushdb()
    batch_stack.start_workers("retention")
    key = batch_stack.account()
    old, certified, recent = (_run(batch_stack, key) for _ in range(3))
    batch_stack.stop_workers()
    headers = {"x-api-key": key}
    issued = batch_stack.client.post(f"/v1/batches/{certified}/certificate", headers=headers)
    assert issued.status_code == 201, issued.text
    with batch_stack.connect() as conn:
        conn.execute("UPDATE batch_jobs SET finished_at = now() - interval '91 days'"
                     " WHERE id = ANY(%s::uuid[])", ([old, certified],))
    before: dict[str, Any] = {b: _counts(batch_stack, b) for b in (old, certified, recent)}
    assert all(n > 0 for counts in before.values() for n in counts)

    app = tasks.create_app(batch_stack.settings.model_copy(update={"batch_retention_days": 90}))
    assert tasks.purge(app) == 1

    assert _counts(batch_stack, old) == (0, 0, 0, 0, 1)  # the ledger keeps its record
    assert batch_stack.client.get(f"/v1/batches/{old}", headers=headers).status_code == 404
    assert _counts(batch_stack, certified) == before[certified]
    assert _counts(batch_stack, recent) == before[recent]
    kept = batch_stack.client.get(f"/v1/batches/{certified}", headers=headers)
    assert kept.status_code == 200
    forever = tasks.create_app(batch_stack.settings.model_copy(
        update={"batch_retention_days": 0}))
    assert tasks.purge(forever) == 0
