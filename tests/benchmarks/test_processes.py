"""CPU time of processes read from /proc, also of processes that end while watched."""

from __future__ import annotations

import subprocess
import sys
import time

from benchmarks import processes

BURN = "import time\nend = time.process_time() + 0.4\nwhile time.process_time() < end: pass\n"


def test_a_process_that_ends_while_watched_is_counted() -> None:
    marker = f"cpu-watch-probe-{time.monotonic_ns()}"
    watch = processes.CpuWatch({"probe": marker.encode(), "nobody": b"no-such-process-xyz"})
    watch.sample()
    burner = subprocess.Popen([sys.executable, "-c", BURN + f"# {marker}\n"])
    while burner.poll() is None:
        watch.sample()
        time.sleep(0.05)
    watch.sample()
    spent = watch.seconds()
    assert 0.2 <= spent["probe"] <= 1.0
    assert spent["nobody"] == 0.0
    assert 0.0 <= watch.idle_share() <= 1.0


def test_cpu_seconds_of_a_process_that_is_gone_is_zero() -> None:
    done = subprocess.run([sys.executable, "-c", "pass"], check=True)
    assert done.returncode == 0
    assert processes.cpu_seconds([2**22 + 12345]) == 0.0
    assert processes.cpu_seconds([1]) >= 0.0
