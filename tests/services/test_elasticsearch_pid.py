"""Finding the node to stop: a node of the same distribution with a scratch directory of
its own (a local cluster's, a benchmark's) is never taken for the stack's node."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.elasticsearch import SERVER_MARKER, node_marker
from services.processes import find_pids, wait_until


@pytest.fixture
def fake_nodes(tmp_path: Path) -> Iterator[tuple[Path, Path, list[int]]]:
    """Two processes whose command lines look like two nodes of one distribution."""
    home = f"-Des.path.home={tmp_path}/dist/"
    ours, theirs = tmp_path / "ours" / "tmp", tmp_path / "theirs" / "tmp"
    children = [subprocess.Popen([sys.executable, "-c", "import signal; signal.pause()", home,
                                  f"-Djava.io.tmpdir={scratch}", SERVER_MARKER])
                for scratch in (ours, theirs)]
    # Popen returns when the exec closes its pipe, before the kernel has set the new
    # command line: under load /proc/<pid>/cmdline is briefly empty, so wait for both.
    pids = sorted(child.pid for child in children)
    try:
        assert wait_until(lambda: find_pids(home, SERVER_MARKER) == pids, 30)
        yield ours, theirs, [child.pid for child in children]
    finally:
        for child in children:
            child.kill()
            child.wait(10)


def test_only_the_node_with_this_scratch_directory_is_found(
        tmp_path: Path, fake_nodes: tuple[Path, Path, list[int]]) -> None:
    ours, theirs, (our_pid, their_pid) = fake_nodes
    home = f"-Des.path.home={tmp_path}/dist/"
    assert find_pids(home, SERVER_MARKER) == sorted([our_pid, their_pid])
    assert find_pids(home, SERVER_MARKER, node_marker(ours)) == [our_pid]
    assert find_pids(home, SERVER_MARKER, node_marker(theirs)) == [their_pid]
    # a directory whose name starts with ours is another directory
    assert find_pids(home, SERVER_MARKER, node_marker(tmp_path / "ours")) == []
