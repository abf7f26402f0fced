"""Redis (Debian's redis-server) with its data in ``state_dir/redis``, append-only file on."""

from __future__ import annotations

import os
import shutil
import signal
from dataclasses import dataclass
from pathlib import Path

import redis as redis_client

from services.system import (
    SYSTEM_PATH,
    Context,
    ServiceError,
    ensure_dir,
    pid_alive,
    port_in_use,
    read_pid,
    run_as,
    say,
    tail,
    wait_gone,
    wait_until,
)

NAME = "redis"
START_DEADLINE_S = 60.0
STOP_DEADLINE_S = 60.0


@dataclass(frozen=True)
class Paths:
    data: Path
    conf: Path
    pidfile: Path
    log: Path


def paths(ctx: Context) -> Paths:
    data = ctx.state_dir / "redis"
    return Paths(data=data, conf=data / "redis.conf", pidfile=ctx.run_dir / "redis.pid",
                 log=ctx.logs_dir / "redis.log")


def url(ctx: Context) -> str:
    return f"redis://127.0.0.1:{ctx.settings.redis_port}/0"


def _conf(ctx: Context) -> str:
    p = paths(ctx)
    return "\n".join([
        "# Written by `regsearch services up`; edits here are overwritten.",
        "bind 127.0.0.1",
        "protected-mode yes",
        f"port {ctx.settings.redis_port}",
        "daemonize yes",
        f"dir {p.data}",
        f"pidfile {p.pidfile}",
        f"logfile {p.log}",
        "appendonly yes",
        "",
    ])


def configure(ctx: Context) -> bool:
    """Write redis.conf; True when it changed."""
    p = paths(ctx)
    ensure_dir(p.data, ctx.ident)
    content = _conf(ctx)
    if p.conf.exists() and p.conf.read_text() == content:
        return False
    p.conf.write_text(content)
    if ctx.ident.switch:
        os.chown(p.conf, ctx.ident.uid, ctx.ident.gid)
    return True


def running_pid(ctx: Context) -> int | None:
    pid = read_pid(paths(ctx).pidfile)
    return pid if pid_alive(pid, "redis-server") else None


def answers(ctx: Context) -> str | None:
    """The server version when it answers PING, else None."""
    client = redis_client.Redis(host="127.0.0.1", port=ctx.settings.redis_port,
                                socket_connect_timeout=2, socket_timeout=2)
    try:
        if not client.ping():
            return None
        info = client.info("server")
        return str(info.get("redis_version", "?"))
    except redis_client.RedisError:
        return None
    finally:
        client.close()


def start(ctx: Context) -> None:
    p = paths(ctx)
    port = ctx.settings.redis_port
    if port_in_use(port):
        raise ServiceError(
            f"redis: port {port} on 127.0.0.1 is already taken by another program (not ours: no "
            "live pid file). Stop it, or set REGSEARCH_REDIS_PORT and REGSEARCH_REDIS_URL to a "
            "free port."
        )
    server = shutil.which("redis-server", path=SYSTEM_PATH)
    if server is None:
        raise ServiceError("redis: redis-server is not installed (apt-get install -y redis-server)")
    ensure_dir(ctx.run_dir, ctx.ident, mode=0o755)
    configure(ctx)
    p.pidfile.unlink(missing_ok=True)
    code = run_as([server, str(p.conf)], ctx.ident, env=ctx.env(), cwd=p.data,
                  log_file=p.log, timeout=START_DEADLINE_S)
    if code != 0:
        raise ServiceError(f"redis failed to start (exit code {code}); see {p.log}\n" + tail(p.log))
    if not wait_until(lambda: answers(ctx) is not None, START_DEADLINE_S):
        raise ServiceError(
            f"redis started but 127.0.0.1:{port} did not answer PING within "
            f"{START_DEADLINE_S:.0f} s; see {p.log}\n" + tail(p.log)
        )


def stop(ctx: Context) -> bool:
    """SIGTERM (redis saves and exits), SIGKILL after a deadline. True if it was running."""
    pid = running_pid(ctx)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    if not wait_gone(pid, STOP_DEADLINE_S):
        say(f"redis (pid {pid}) did not stop within {STOP_DEADLINE_S:.0f} s; killing it")
        os.kill(pid, signal.SIGKILL)
        wait_gone(pid, 10)
    return True
