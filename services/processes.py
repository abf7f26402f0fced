"""Processes and ports of the local stack: pid files, finding and waiting for processes,
whether a port is taken, and the tail of a log file.

Standard library only.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path


def read_pid(pidfile: Path) -> int | None:
    try:
        first = pidfile.read_text().split("\n", 1)[0].strip()
    except (FileNotFoundError, PermissionError):
        return None
    return int(first) if first.isdigit() else None


def pid_alive(pid: int | None, marker: str) -> bool:
    """True when process ``pid`` exists and its command line contains ``marker``
    (guards against a stale pid file whose number was reused)."""
    if pid is None or pid <= 0 or not _exists(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False
    return marker.encode() in cmdline


def find_pids(*markers: str) -> list[int]:
    """Live processes whose command line contains every one of ``markers``."""
    found: list[int] = []
    wanted = [m.encode() for m in markers]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if all(w in cmdline for w in wanted) and _exists(int(entry.name)):
            found.append(int(entry.name))
    return sorted(found)


def _exists(pid: int) -> bool:
    """True for a live process; a zombie (exited, not yet reaped) counts as gone."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    state = stat_line.rsplit(")", 1)[-1].split()[0]
    return state not in ("Z", "X")


def wait_gone(pid: int, deadline_s: float) -> bool:
    return wait_until(lambda: not _exists(pid), deadline_s)


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def wait_until(check: Callable[[], bool], deadline_s: float, interval_s: float = 0.2) -> bool:
    """Poll ``check`` until it is True or ``deadline_s`` seconds have passed."""
    end = time.monotonic() + deadline_s
    while True:
        if check():
            return True
        if time.monotonic() >= end:
            return False
        time.sleep(interval_s)


def tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.rstrip().splitlines()[-lines:])
