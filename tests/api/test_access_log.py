"""uvicorn's access log: a line for the answers that went wrong, by default."""

from __future__ import annotations

import http.client
import logging
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from api import access_log

ROOT = Path(__file__).resolve().parents[2]
FORMAT = '%s - "%s %s HTTP/%s" %d'  # uvicorn's access message and its arguments


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture()
def access() -> Iterator[_Lines]:
    logger = logging.getLogger(access_log.ACCESS_LOGGER)
    saved = (logger.level, logger.disabled, list(logger.filters), logger.propagate)
    lines = _Lines()
    logger.addHandler(lines)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield lines
    logger.removeHandler(lines)
    logger.level, logger.disabled, logger.filters, logger.propagate = (
        saved[0], saved[1], saved[2], saved[3])


def _requests() -> None:
    logger = logging.getLogger(access_log.ACCESS_LOGGER)
    for path, status in (("/v1/search", 200), ("/v1/search", 422), ("/healthz", 200),
                         ("/v1/certificates", 503), ("/nowhere", 404), ("/v1/batches", 302)):
        logger.info(FORMAT, "127.0.0.1:5000", "POST", path, "1.1", status)


@pytest.mark.parametrize(("mode", "expected"), [
    ("problems", ["/v1/search 422", "/v1/certificates 503", "/nowhere 404"]),
    ("all", ["/v1/search 200", "/v1/search 422", "/healthz 200", "/v1/certificates 503",
             "/nowhere 404", "/v1/batches 302"]),
    ("off", []),
])
def test_each_mode_writes_the_lines_it_says(access: _Lines, mode: access_log.Mode,
                                            expected: list[str]) -> None:
    access_log.install(mode)
    access_log.install(mode)  # installing again changes nothing
    _requests()
    assert [line.split(' "POST ')[1].replace(" HTTP/1.1\" ", " ") for line in access.lines] \
        == expected


def test_a_mode_replaces_the_one_before(access: _Lines) -> None:
    access_log.install("off")
    access_log.install("problems")
    access_log.install("all")
    _requests()
    assert len(access.lines) == 6


def test_a_line_without_a_status_is_kept() -> None:
    record = logging.LogRecord(access_log.ACCESS_LOGGER, logging.INFO, __file__, 1,
                               "%s", ("something else",), None)
    assert access_log.ProblemsOnly().filter(record)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.services
def test_the_api_logs_a_refused_search_and_not_a_good_answer() -> None:
    port = _free_port()
    api = subprocess.Popen([sys.executable, "-m", "regsearch.cli", "api", "--host",
                            "127.0.0.1", "--port", str(port)], cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                answer = conn.getresponse()
                answer.read()
                assert answer.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "the API did not start"
                time.sleep(0.2)
        conn.request("POST", "/v1/search", body=b"{}",
                     headers={"content-type": "application/json"})
        answer = conn.getresponse()
        answer.read()
        assert answer.status == 422
        conn.close()
    finally:
        api.terminate()
        output, _ = api.communicate(timeout=30)
    assert '"POST /v1/search HTTP/1.1" 422' in output
    assert "GET /healthz" not in output
