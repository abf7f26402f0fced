"""`regsearch demo` stops every process it started (through supervisord), on Ctrl-C and on
SIGTERM; stand-in programs, no services (``test_run_stack.py`` runs the real ones)."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

DEMO = """
import sys
sys.path.insert(0, sys.argv[1])
mark = sys.argv[2]
from regsearch import demo, processes

def sleepers(settings, state, python=sys.executable):
    sleeper = processes.Program([python, "-c", "import signal; signal.pause()", mark])
    return {"api": sleeper, "indexer": sleeper}

processes.programs = sleepers
demo._load_demo_data = lambda state, count: None
demo._wait_ready = lambda base, supervisor, deadline_s: None
demo.run()
"""


def _sleepers(mark: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if mark.encode() in cmdline and b"signal.pause" in cmdline and state not in "ZX":
            found.append(int(entry.name))
    return found


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_demo_stops_what_it_started(stop: signal.Signals) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="rs-demo-"))  # short: supervisord's socket path
    mark = f"regsearch-demo-test-{uuid.uuid4().hex}"
    try:
        demo = subprocess.Popen([sys.executable, "-c", DEMO, str(ROOT), mark], cwd=workdir,
                                stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while len(_sleepers(mark)) < 2:
            assert demo.poll() is None, "the demo exited"
            assert time.monotonic() < deadline, "the demo did not start its processes"
            time.sleep(0.1)
        demo.send_signal(stop)
        assert demo.wait(timeout=60) == 0
        deadline = time.monotonic() + 30
        while _sleepers(mark):
            assert time.monotonic() < deadline, f"still running: {_sleepers(mark)}"
            time.sleep(0.1)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
