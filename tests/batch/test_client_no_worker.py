"""``batch submit --wait`` says plainly when no worker has taken the batch (issue 19 item 11).

A stand-in client (the API's answers as data) and a set clock: this is the waiting
logic alone; ``tests/regsearch/test_run_stack.py`` runs a batch on the real stack.
"""

from __future__ import annotations

import io
from typing import Any

import pytest

from regsearch.batch_client import NO_WORKER_AFTER_S, wait


def _status(state: str, done: int = 0) -> dict[str, Any]:
    return {"status": state, "rows": {"done": done, "valid": 3},
            "progress": {"percent": done * 33, "rows_per_second": None,
                         "estimated_seconds_left": None}}


class Answers:
    """``status`` answers in turn; the clock moves ``step_s`` per poll (``sleep``)."""

    def __init__(self, answers: list[dict[str, Any]], step_s: float) -> None:
        self.answers, self.step_s, self.now = answers, step_s, 0.0

    def status(self, batch_id: str) -> dict[str, Any]:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    def sleep(self, seconds: float) -> None:
        self.now += self.step_s

    def clock(self) -> float:
        return self.now


@pytest.mark.parametrize("terminal", [False, True], ids=["lines", "progress-bar"])
def test_a_batch_left_queued_gets_one_plain_notice(terminal: bool) -> None:
    queued = [_status("queued")] * 20
    fake = Answers([*queued, _status("done", 3)], step_s=1.0)
    out = io.StringIO()
    last = wait(fake, "b1", out, sleep=fake.sleep, terminal=terminal,  # type: ignore[arg-type]
                clock=fake.clock)
    text = out.getvalue()
    assert last["status"] == "done"
    assert text.count("No batch worker has taken this job") == 1
    assert "Chưa có tiến trình xử lý lô nào nhận lô này" in text
    assert "celery worker" in text and "make run" in text


@pytest.mark.parametrize("first", ["running", "done"])
def test_no_notice_once_a_worker_has_the_batch(first: str) -> None:
    fake = Answers([_status(first, 1)] * 30 + [_status("done", 3)], step_s=1.0)
    out = io.StringIO()
    wait(fake, "b2", out, sleep=fake.sleep, terminal=False,  # type: ignore[arg-type]
         clock=fake.clock)
    assert "No batch worker" not in out.getvalue()


def test_no_notice_before_the_deadline() -> None:
    steps = int(NO_WORKER_AFTER_S) - 2
    fake = Answers([_status("queued")] * steps + [_status("done", 3)], step_s=1.0)
    out = io.StringIO()
    wait(fake, "b3", out, sleep=fake.sleep, terminal=False,  # type: ignore[arg-type]
         clock=fake.clock)
    assert "No batch worker" not in out.getvalue()
