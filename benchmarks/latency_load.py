"""The API under test and the load on it: ``regsearch api --workers N`` started and stopped
here, ``wrk`` (one thread, a Lua script rotating the bodies), the API's and the machine's
CPU, how the connections are spread over the workers, and Elasticsearch's request cache
off meanwhile (see ``benchmarks.bench_latency`` for why)."""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import httpx

from benchmarks import processes
from core import elastic
from core.settings import get_settings

_REQUEST_CACHE: Final = "index.requests.cache.enable"

WRK_SCRIPT: Final = """\
-- Rotate POST bodies from a file (one JSON body a line): wrk ... -s rotate.lua URL -- FILE
local bodies = {}
local counter = 0
local headers = {["Content-Type"] = "application/json"}

function init(args)
  for line in io.lines(args[1]) do
    bodies[#bodies + 1] = line
  end
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0))
  counter = math.random(#bodies)
end

function request()
  counter = counter % #bodies + 1
  return wrk.format("POST", "/v1/search", headers, bodies[counter])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"duration_us":%d,"status_errors":%d,"connect_errors":%d,' ..
    '"read_errors":%d,"write_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,' ..
    '"p99_us":%d,"max_us":%d,"mean_us":%.1f}\\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
"""


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process and its live children (uvicorn's workers)."""
    return processes.cpu_seconds([pid, *processes.children(pid)])


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs since boot."""
    total, idle = processes.machine_jiffies()
    return total - idle, total


class Api:
    """``regsearch api --workers N`` on its own port, started and stopped here; with
    ``checkout``, the code of that directory (another revision's work tree) runs."""

    def __init__(self, workers: int, port: int, log: Path, checkout: Path | None = None
                 ) -> None:
        self.workers, self.port, self.log, self.checkout = workers, port, log, checkout
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Api:
        # With several workers, each runs the schema set-up at start-up and one of them can
        # fail ("tuple concurrently updated"; uvicorn then stops them all): start again.
        for _ in range(5):
            if self._start():
                return self
            self.__exit__()
        raise SystemExit(f"the API did not start with {self.workers} workers; see {self.log}")

    def _start(self) -> bool:
        # ``-c``: the working directory comes first on the path, so a checkout's own
        # packages are imported rather than the installed ones.
        command = [sys.executable, "-c", "from regsearch.cli import app; app()", "api",
                   "--workers", str(self.workers), "--port", str(self.port)]
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                            cwd=self.checkout)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with self.log.open("rb") as log:
                log.seek(offset)
                text = log.read().decode("utf-8", "replace")
            if "startup failed" in text or self.process.poll() is not None:
                return False
            if text.count("Application startup complete.") >= self.workers:
                try:
                    if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                        return True
                except httpx.HTTPError:
                    pass
            time.sleep(0.5)
        return False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None and len(
            processes.children(self.pid)) >= (self.workers if self.workers > 1 else 0)

    def __exit__(self, *_: object) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def connection_split(port: int) -> list[int]:
    """Established connections to ``port`` per serving process, most first (``ss``)."""
    listing = subprocess.run(["ss", "-Htnp", "state", "established", f"( sport = :{port} )"],
                             capture_output=True, text=True).stdout
    per_pid = Counter(re.findall(r"pid=(\d+)", listing))
    return sorted(per_pid.values(), reverse=True)


@contextmanager
def without_request_cache(index: str | None = None) -> Iterator[None]:
    """The shard request cache of the benchmark index (or ``index``) off and emptied; its
    setting restored."""
    settings = get_settings()
    es = elastic.client(settings.es_url)
    index = index or settings.index_alias
    found = es.indices.get_settings(index=index, flat_settings=True)  # each index behind it
    before = {name: body["settings"].get(_REQUEST_CACHE) for name, body in found.items()}
    es.indices.put_settings(index=index, settings={_REQUEST_CACHE: False})
    es.indices.clear_cache(index=index, request=True)
    try:
        yield
    finally:
        for name, value in before.items():
            es.indices.put_settings(index=name, settings={_REQUEST_CACHE: value})  # None: unset
        es.close()


def run_wrk(url: str, bodies: Path, script: Path, seconds: int, connections: int,
            threads: int) -> dict[str, Any]:
    """One ``wrk`` run; 2 s in, how its connections are spread over the API's workers."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
               "--timeout", "10s", "-s", str(script), url, "--", str(bodies.resolve())]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as load:
        split: list[int] = []
        if seconds > 3:
            time.sleep(2)
            split = connection_split(int(url.rsplit(":", 1)[1]))
        output, _ = load.communicate()
    if load.returncode != 0:
        raise SystemExit(f"wrk failed ({load.returncode}): {' '.join(command)}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next(x for x in output.splitlines() if x.startswith("RESULT "))
    result: dict[str, Any] = json.loads(line[len("RESULT "):])
    result["wrk_cpu_s"] = round((after.ru_utime - before.ru_utime)
                                + (after.ru_stime - before.ru_stime), 2)
    result["connections_per_worker"] = split
    result["command"] = " ".join(command)
    return result
