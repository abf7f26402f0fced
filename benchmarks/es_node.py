"""A benchmark's own single-node Elasticsearch, from the distribution the stack installed,
so a large corpus never shares the heap, the page cache's share or the settings of the
stack's node (127.0.0.1:9200) that the tests and other benchmarks use.

    python -m benchmarks.es_node start --port 9270 --heap 3g --root .es10m/node
    python -m benchmarks.es_node stop --port 9270 --root .es10m/node

The node is the cluster module's node (``services.es_cluster``: own HTTP port, transport
port + 100, own config, data, logs and pid file under ``--root``), run as the services'
unprivileged user; ``stop`` ends only the pid in its own pid file.
"""

from __future__ import annotations

import argparse
import os
import signal
from pathlib import Path

from core.settings import get_settings
from services import es_cluster
from services.packages import find_java_home
from services.stack import _existing_identity
from services.system import Context, say, wait_gone


def _context(port: int, heap: str) -> Context:
    settings = get_settings().model_copy(
        update={"es_port": port, "es_nodes": 1, "es_cluster_heap": heap})
    return Context(settings, _existing_identity(settings))


def _node(port: int, root: Path) -> es_cluster.Node:
    return es_cluster.Node(0, port, port + es_cluster.TRANSPORT_OFFSET, root.resolve())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("start", "stop", "status"))
    parser.add_argument("--port", type=int, default=9270)
    parser.add_argument("--heap", default="3g")
    parser.add_argument("--root", type=Path, default=Path(".es10m/node"))
    args = parser.parse_args()
    ctx = _context(args.port, args.heap)
    node = _node(args.port, args.root)
    if args.action == "start":
        if es_cluster.running_pid(ctx, node) is None:
            launcher = es_cluster.launch(ctx, node, find_java_home(ctx.install_log, say), [node])
            es_cluster.wait_launched(node, launcher)
        es_cluster.wait_health([node], "yellow")
        say(f"{node.name} {node.url} pid {es_cluster.running_pid(ctx, node)}")
    elif args.action == "stop":
        pid = es_cluster.running_pid(ctx, node)
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
            wait_gone(pid, es_cluster.STOP_DEADLINE_S)
        say(f"{node.name} {'stopped' if pid else 'not running'}")
    else:
        say(f"{node.name} pid {es_cluster.running_pid(ctx, node)} "
            f"health {es_cluster.answers(node)}")


if __name__ == "__main__":
    main()
