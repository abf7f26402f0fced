"""The workers' recovery sweep: chunks PostgreSQL holds open but the broker does not
(never published, or lost with the broker) are published again and done."""

from __future__ import annotations

from typing import Any

import pytest
import redis

from tests.batch import files
from tests.batch.conftest import BatchStack

pytestmark = pytest.mark.services


def test_chunks_the_broker_never_had_or_lost_are_published_again(
        batch_stack: BatchStack, fresh_broker: Any) -> None:
    import accounts
    from batch import store
    from batch.parse import parse
    from batch.report import check_file

    client = batch_stack.client
    key = batch_stack.account()
    # a batch the API published, and then the broker lost its messages
    lost = client.post("/v1/batches", headers={"x-api-key": key},
                       files={"file": ("a.csv", files.simple_csv(batch_stack.corpus, 300),
                                       "text/csv")}).json()["batch"]["id"]
    redis.Redis.from_url(batch_stack.settings.batch_broker_url).flushdb()
    # a batch stored by an API that stopped before publishing it
    report = check_file(parse(files.simple_csv(batch_stack.corpus, 250, seed=9), "csv"),
                        max_rows=1000, chunk_rows=batch_stack.settings.batch_chunk_rows)
    with batch_stack.connect() as conn:
        caller = accounts.authenticate(conn, key)
        never = store.create_job(conn, caller, "127.0.0.1", "b.csv", report, False)
        conn.execute("UPDATE batch_jobs SET created_at = now() - interval '1 minute'"
                     " WHERE id = %s", (never,))
        conn.execute("UPDATE batch_chunks SET published_at = now() - interval '1 minute'"
                     " WHERE job_id = %s", (lost,))

    (worker,) = fresh_broker("sweeper")  # its sweep runs at start
    for batch_id in (lost, str(never)):
        final = batch_stack.wait_finished(key, batch_id, deadline_s=120)
        assert final["status"] == "done"
        assert final["rows"]["done"] == final["rows"]["valid"]
    assert "republishing" in worker.log_text()
