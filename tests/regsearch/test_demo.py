"""`regsearch demo` stops the indexer and the API it started, on Ctrl-C and on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

DEMO = """
import subprocess, sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from regsearch import demo

pids = Path(sys.argv[1])
def sleeper(*_):
    process = subprocess.Popen([sys.executable, "-c", "import signal; signal.pause()"])
    with pids.open("a") as out:
        out.write(f"{process.pid}\\n")
    return process

demo._load_demo_data = lambda state: None
demo._start_indexer = sleeper
demo._start_api = sleeper
demo._wait_ready = lambda base, process, deadline_s: None
demo.run()
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a child of the demo that has exited but not been reaped yet is gone as well
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_demo_stops_what_it_started(tmp_path: Path, stop: signal.Signals) -> None:
    pids = tmp_path / "pids"
    demo = subprocess.Popen([sys.executable, "-c", DEMO, str(pids), str(ROOT)], cwd=tmp_path,
                            stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not pids.exists() or len(pids.read_text().split()) < 2:
        assert time.monotonic() < deadline, "the demo did not start its processes"
        time.sleep(0.1)
    started = [int(pid) for pid in pids.read_text().split()]
    demo.send_signal(stop)
    assert demo.wait(timeout=30) == 0
    assert not [pid for pid in started if _alive(pid)]
