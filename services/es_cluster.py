"""A local Elasticsearch cluster of several nodes, from the distribution ``services.elasticsearch``
installs (``regsearch services up --es-nodes 3``, or ``REGSEARCH_ES_NODES=3``).

Node ``i`` (0-based) listens on HTTP port ``es_port + i`` and transport port
``es_port + 100 + i``, all on 127.0.0.1, and finds the others through
``discovery.seed_hosts``; the first start elects a master among
``cluster.initial_master_nodes`` (every node). Each node has its own directory under
``state_dir/elasticsearch-cluster/node-<http port>/`` (``config/``, ``data/``, ``tmp/``,
``logs/``, ``node.pid``), so a cluster on other ports, and the single node of
``services.elasticsearch``, are never touched. Heap: ``es_cluster_heap`` per node.

Point the applications at every node (``REGSEARCH_ES_URL=http://127.0.0.1:9211,...``):
the client then fails over between them (``core.elastic``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx

from services import elasticsearch as single
from services.system import (
    Context,
    ServiceError,
    chown_tree,
    ensure_dir,
    pid_alive,
    port_in_use,
    read_pid,
    spawn_as,
    tail,
    wait_gone,
    wait_until,
)

NAME = "es-cluster"
START_DEADLINE_S = 240.0
STOP_DEADLINE_S = 60.0
TRANSPORT_OFFSET = 100


@dataclass(frozen=True)
class Node:
    index: int
    http_port: int
    transport_port: int
    root: Path

    @property
    def name(self) -> str:
        return f"node-{self.http_port}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def pidfile(self) -> Path:
        return self.root / "node.pid"

    @property
    def logs(self) -> Path:
        return self.root / "logs"


def nodes(ctx: Context, count: int | None = None) -> list[Node]:
    """The cluster's nodes (``count``: ``es_nodes``)."""
    first = ctx.settings.es_port
    total = ctx.settings.es_nodes if count is None else count
    return [Node(i, first + i, first + TRANSPORT_OFFSET + i,
                 ctx.state_dir / "elasticsearch-cluster" / f"node-{first + i}")
            for i in range(total)]


def cluster_name(ctx: Context) -> str:
    return f"regsearch-{ctx.settings.es_port}"


def urls(ctx: Context) -> str:
    """Every node's URL, comma-separated: the value for ``REGSEARCH_ES_URL``."""
    return ",".join(node.url for node in nodes(ctx))


def _config_yaml(ctx: Context, node: Node, every: list[Node]) -> str:
    seeds = ", ".join(f'"127.0.0.1:{other.transport_port}"' for other in every)
    masters = ", ".join(f'"{other.name}"' for other in every)
    return "\n".join([
        "# Written by `regsearch services up` on every start; edits here are overwritten.",
        f"cluster.name: {cluster_name(ctx)}",
        f"node.name: {node.name}",
        "network.host: 127.0.0.1",
        f"http.port: {node.http_port}",
        f"transport.port: {node.transport_port}",
        f"discovery.seed_hosts: [{seeds}]",
        f"cluster.initial_master_nodes: [{masters}]",
        "xpack.security.enabled: false",
        f"path.data: {node.root / 'data'}",
        f"path.logs: {node.logs}",
        "cluster.routing.allocation.disk.threshold_enabled: false",
        "",
    ])


def running_pid(ctx: Context, node: Node) -> int | None:
    """The node's pid, from its own pid file only (never a search by command line: every
    node and the single node run the same distribution)."""
    pid = read_pid(node.pidfile)
    home = f"-Des.path.home={single.paths(ctx).dist}"
    return pid if pid_alive(pid, home) else None


def answers(node: Node, timeout_s: float = 2.0) -> str | None:
    """The cluster health status as this node reports it (None: no answer)."""
    try:
        response = httpx.get(f"{node.url}/_cluster/health", timeout=timeout_s,
                             trust_env=False)
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    status = response.json().get("status")
    return str(status) if status else None


def launch(ctx: Context, node: Node, java_home: Path, every: list[Node]
           ) -> subprocess.Popen[bytes]:
    """Start one node's daemon launcher (``bin/elasticsearch -d``) without waiting."""
    for port in (node.http_port, node.transport_port):
        if port_in_use(port):
            raise ServiceError(
                f"elasticsearch {node.name}: port {port} on 127.0.0.1 is already taken by "
                "another program. Stop it, or set REGSEARCH_ES_PORT to a free range.")
    dist = single.paths(ctx).dist
    shutil.rmtree(node.root / "tmp", ignore_errors=True)
    for directory in (node.root.parent, node.root, node.root / "data", node.root / "tmp",
                      node.logs, node.root / "config"):
        ensure_dir(directory, ctx.ident)
    config = node.root / "config"
    (config / "jvm.options").write_text(single._jvm_options(ctx, java_home))
    shutil.copyfile(dist / "config" / "log4j2.properties", config / "log4j2.properties")
    ensure_dir(config / "jvm.options.d", ctx.ident)
    (config / "elasticsearch.yml").write_text(_config_yaml(ctx, node, every))
    chown_tree(config, ctx.ident)
    node.pidfile.unlink(missing_ok=True)
    heap = ctx.settings.es_cluster_heap
    env = ctx.env({
        "ES_JAVA_HOME": str(java_home),
        "ES_PATH_CONF": str(config),
        "ES_TMPDIR": str(node.root / "tmp"),
        "ES_JAVA_OPTS": f"-Xms{heap} -Xmx{heap}",
        "CLI_JAVA_OPTS": f"-Djava.io.tmpdir={node.root / 'tmp'}",
    })
    return spawn_as([str(dist / "bin" / "elasticsearch"), "-d", "-p", str(node.pidfile)],
                    ctx.ident, env=env, cwd=node.logs, log_file=node.logs / "launch.log")


def start(ctx: Context, java_home: Path, count: int | None = None,
          wait_for: str = "green") -> list[str]:
    """Start every node not running and wait until the cluster answers ``wait_for``
    (green, or yellow) on every node. Returns one state line per node."""
    every = nodes(ctx, count)
    launched: list[tuple[Node, subprocess.Popen[bytes]]] = []
    for node in every:
        if running_pid(ctx, node) is None:
            launched.append((node, launch(ctx, node, java_home, every)))
    for node, launcher in launched:
        wait_launched(node, launcher)
    wait_health(every, wait_for)
    started = {node.name for node, _ in launched}
    return [f"{node.name} {node.url} {'started' if node.name in started else 'already'}"
            for node in every]


def wait_launched(node: Node, launcher: subprocess.Popen[bytes]) -> None:
    """Wait for a node's launcher to hand over to the daemon."""
    where = f"see {node.logs / 'launch.log'}"
    try:
        code = launcher.wait(timeout=START_DEADLINE_S)
    except subprocess.TimeoutExpired as exc:
        launcher.kill()
        raise ServiceError(f"elasticsearch {node.name} did not start within "
                           f"{START_DEADLINE_S:.0f} s; {where}") from exc
    if code != 0:
        raise ServiceError(f"elasticsearch {node.name} failed to start (launcher exit code "
                           f"{code}); {where}\n" + tail(node.logs / "launch.log"))


def wait_health(every: list[Node], wait_for: str = "green",
                deadline_s: float = START_DEADLINE_S) -> None:
    """Wait until every node reports the whole cluster (all nodes) at ``wait_for`` or better."""
    good = ("green",) if wait_for == "green" else ("green", "yellow")

    def ready() -> bool:
        for node in every:
            try:
                response = httpx.get(
                    f"{node.url}/_cluster/health",
                    params={"wait_for_nodes": str(len(every)), "timeout": "1s"},
                    timeout=5, trust_env=False)
            except httpx.HTTPError:
                return False
            body = response.json() if response.status_code == 200 else {}
            if body.get("status") not in good or body.get("number_of_nodes") != len(every):
                return False
        return True

    if not wait_until(ready, deadline_s, interval_s=0.5):
        raise ServiceError(f"the elasticsearch cluster ({len(every)} nodes) did not report "
                           f"{wait_for} within {deadline_s:.0f} s; see {every[0].logs}")


def kill(ctx: Context, node: Node) -> int:
    """SIGKILL one node (fault tests). Returns the pid killed."""
    pid = running_pid(ctx, node)
    if pid is None:
        raise ServiceError(f"elasticsearch {node.name} is not running")
    os.kill(pid, signal.SIGKILL)
    wait_gone(pid, 30)
    return pid


def stop(ctx: Context, count: int | None = None) -> list[str]:
    """Stop every node (SIGTERM, then SIGKILL after a deadline); data is kept."""
    lines = []
    every = nodes(ctx, count)
    pids = {node.name: running_pid(ctx, node) for node in every}
    for pid in pids.values():
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
    for node in every:
        pid = pids[node.name]
        if pid is not None and not wait_gone(pid, STOP_DEADLINE_S):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            wait_gone(pid, 10)
        node.pidfile.unlink(missing_ok=True)
        lines.append(f"{node.name} {'stopped' if pid is not None else 'not running'}")
    return lines


def wipe(ctx: Context, count: int | None = None) -> None:
    """Stop the nodes and delete their directories (data, logs, configuration)."""
    stop(ctx, count)
    for node in nodes(ctx, count):
        shutil.rmtree(node.root, ignore_errors=True)


def status(ctx: Context) -> list[tuple[Node, int | None, str | None]]:
    """Each node with its pid and the cluster health it reports."""
    return [(node, running_pid(ctx, node), answers(node)) for node in nodes(ctx)]
