"""The API as a real uvicorn process on the batch stack (``regsearch api``), to measure
what a client sees over a socket: its peak RSS, the address it takes for the client."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.batch import stack
from tests.conftest import REPO, wait_until

#: Ports of this worktree's range (h2: 8120-8129).
PORTS = (8120, 8121)


class ServedApi:
    def __init__(self, process: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.process, self.port, self.log = process, port, log
        self.url = f"http://127.0.0.1:{port}"

    def status(self, field: str) -> int:
        """A ``/proc/<pid>/status`` figure in KiB (VmHWM: peak RSS, VmRSS: now)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
        raise KeyError(field)


@contextmanager
def served(log_dir: Path, port: int, **env: str) -> Iterator[ServedApi]:
    log = log_dir / f"api-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "regsearch.cli", "api", "--host", "127.0.0.1", "--port",
             str(port)], cwd=REPO, env={**stack.child_env(), **env}, stdout=out,
            stderr=subprocess.STDOUT)
    api = ServedApi(process, port, log)
    try:
        def up() -> bool:
            if process.poll() is not None:
                raise AssertionError(log.read_text()[-3000:])
            try:
                return httpx.get(f"{api.url}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(up, deadline_s=60, interval_s=0.2, what=f"API on port {port}")
        yield api
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
