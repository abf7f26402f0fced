"""CPU time of processes, read from ``/proc``, for the benchmarks that split a load's
cost between the API, Elasticsearch and PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path


def cpu_seconds(pids: Iterable[int]) -> float:
    """utime + stime so far of the given processes (one that has ended counts 0)."""
    return sum(cpu or 0.0 for cpu in map(_cpu_of, pids))


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def matching(marker: bytes) -> list[int]:
    """The processes whose command line holds ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _cpu_of(pid: int) -> float | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_jiffies() -> tuple[float, float]:
    """(all, idle) jiffies of every CPU since boot."""
    fields = [float(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(fields), fields[3] + fields[4]


class CpuWatch:
    """CPU seconds spent by groups of processes while it watches, processes that start or
    end meanwhile included: call ``sample`` every fraction of a second (what a process
    spends between its last sample and its end, or before it is first seen, is lost)."""

    def __init__(self, groups: dict[str, bytes | Callable[[], list[int]]]) -> None:
        #: group name → command-line marker, or a function that names the group's pids
        self.groups = groups
        self._first: dict[tuple[str, int], float] = {}
        self._last: dict[tuple[str, int], float] = {}
        self._machine = machine_jiffies()
        self._machine_last = self._machine

    def sample(self) -> None:
        for name, marker in self.groups.items():
            for pid in matching(marker) if isinstance(marker, bytes) else marker():
                cpu = _cpu_of(pid)
                if cpu is not None:
                    self._first.setdefault((name, pid), cpu)
                    self._last[(name, pid)] = cpu
        self._machine_last = machine_jiffies()

    def seconds(self) -> dict[str, float]:
        spent = dict.fromkeys(self.groups, 0.0)
        for key, last in self._last.items():
            spent[key[0]] += last - self._first[key]
        return spent

    def idle_share(self) -> float:
        total = self._machine_last[0] - self._machine[0]
        return (self._machine_last[1] - self._machine[1]) / total if total else 0.0
