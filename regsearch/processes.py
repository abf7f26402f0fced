"""The processes a user of ``make run`` needs, kept running by supervisord.

API, indexer, batch worker (Celery) and scheduler (Celery beat): ``config_text`` writes
supervisord's configuration for them, ``Supervisor`` runs supervisord in the foreground.

Why supervisord (PyPI ``supervisor``), compared briefly:

* honcho runs a Procfile but restarts nothing: when one process exits it stops all the
  others, which is the opposite of what is needed here (a killed indexer must come back);
* circus restarts processes too, but brings pyzmq and tornado and is kept less actively;
* supervisord (kept since 2004, on PyPI and in Debian) restarts a process that dies
  (``autorestart``), stops and kills each with its whole process group
  (``stopasgroup``/``killasgroup``: uvicorn's and Celery's children go too), writes a
  log file per process, runs in the foreground (``-n``) and stops every child on SIGTERM
  or SIGINT. ``supervisorctl`` shows and restarts them by name.

A new process (issue 21's scheduler jobs, say) is one more entry in ``programs``.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from core.settings import Settings

#: Seconds a process must stay up to count as started; a quicker exit is retried.
START_SECONDS = 3
#: Quick exits retried before supervisord gives up on a process (FATAL); supervisord
#: waits one second longer before each retry. A process that ran longer is always restarted.
START_RETRIES = 20
#: Seconds between the stop signal and SIGKILL (a batch worker finishes its chunk).
STOP_WAIT_S = 30
#: A Unix socket path longer than this does not fit in ``sockaddr_un``.
MAX_SOCKET_PATH = 100


@dataclass(frozen=True)
class Program:
    argv: list[str]
    #: The signal that asks it to stop (the indexer: SIGINT, as Ctrl-C).
    stop_signal: str = "TERM"


def programs(settings: Settings, state: Path, python: str = sys.executable) -> dict[str, Program]:
    """What ``make run`` runs, by name."""
    celery = [python, "-m", "celery", "-A", "batch.worker"]
    return {
        "api": Program([python, "-m", "regsearch.cli", "api"]),
        "indexer": Program([python, "-m", "regsearch.cli", "indexer"], stop_signal="INT"),
        "watch": Program([python, "-m", "regsearch.cli", "watch", "follow"]),
        "watch-delivery": Program([python, "-m", "regsearch.cli", "watch", "deliver"]),
        "worker": Program([*celery, "worker", "--loglevel", "INFO",
                           "-Q", settings.batch_queue]),
        # Celery beat: the billing jobs' schedule (monthly statements, daily checks) ...
        "scheduler": Program([python, "-m", "celery", "-A", "billing.schedule", "beat",
                              "--loglevel", "INFO",
                              "--schedule", str(state / "run" / "celerybeat-schedule")]),
        # ... run by the billing worker, on its own queue, one job at a time.
        "billing": Program([python, "-m", "celery", "-A", "billing.schedule", "worker",
                            "--loglevel", "INFO", "-Q", settings.billing_queue,
                            "--concurrency", "1", "-n", "billing@%h"]),
    }


@dataclass(frozen=True)
class Paths:
    conf: Path
    socket: Path
    pidfile: Path
    logs: Path

    def log(self, name: str) -> Path:
        return self.logs / f"{name}.log"


def paths(state: Path) -> Paths:
    state = state.absolute()
    return Paths(conf=state / "run" / "supervisord.conf", socket=state / "run" / "supervisor.sock",
                 pidfile=state / "run" / "supervisord.pid", logs=state / "logs")


def _quote(arg: str) -> str:
    """One argument of a supervisord ``command``: shell-like quoting, ``%`` doubled
    (supervisord expands ``%(name)s`` in commands)."""
    safe = arg.replace("%", "%%")
    if safe and all(c.isalnum() or c in "-_./:=@,+" for c in safe):
        return safe
    return '"' + safe.replace("\\", "\\\\").replace('"', '\\"') + '"'


def config_text(settings: Settings, state: Path, workdir: Path,
                python: str = sys.executable, password: str = "") -> str:
    """The configuration; ``password`` guards the control socket (besides its mode)."""
    p = paths(state)
    password = password or secrets.token_urlsafe(18)
    lines = [
        "; Written by `regsearch demo` (make run); edits here are overwritten.",
        "[supervisord]",
        "nodaemon=true",
        # as whoever started it (root: say so, rather than a CRIT line on every start)
        *(["user=root"] if os.geteuid() == 0 else []),
        f"logfile={p.logs / 'supervisord.log'}",
        f"pidfile={p.pidfile}",
        f"childlogdir={p.logs}",
        "",
        "[unix_http_server]",
        f"file={p.socket}",
        "chmod=0700",
        "username=regsearch",
        f"password={password}",
        "",
        "[supervisorctl]",
        f"serverurl=unix://{p.socket}",
        "username=regsearch",
        f"password={password}",
        "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
    ]
    for name, program in programs(settings, state, python).items():
        lines += [
            "",
            f"[program:{name}]",
            "command=" + " ".join(_quote(a) for a in program.argv),
            f"directory={workdir.absolute()}",
            "autostart=true",
            "autorestart=true",
            f"startsecs={START_SECONDS}",
            f"startretries={START_RETRIES}",
            f"stopsignal={program.stop_signal}",
            f"stopwaitsecs={STOP_WAIT_S}",
            "stopasgroup=true",
            "killasgroup=true",
            "redirect_stderr=true",
            f"stdout_logfile={p.log(name)}",
            "stdout_logfile_maxbytes=20MB",
            "stdout_logfile_backups=3",
        ]
    return "\n".join(lines) + "\n"


def write_config(settings: Settings, state: Path, workdir: Path) -> Paths:
    p = paths(state)
    if len(str(p.socket)) > MAX_SOCKET_PATH:
        raise SystemExit(f"the state directory's path is too long for supervisord's socket "
                         f"({p.socket}); run from a directory with a shorter path")
    p.conf.parent.mkdir(parents=True, exist_ok=True)
    p.logs.mkdir(parents=True, exist_ok=True)
    p.conf.touch(mode=0o600)
    p.conf.chmod(0o600)  # it holds the control socket's password
    p.conf.write_text(config_text(settings, state, workdir))
    return p


class Supervisor:
    """supervisord in the foreground, as our child; ``ctl`` runs supervisorctl against it."""

    def __init__(self, p: Paths, python: str = sys.executable) -> None:
        self.paths, self.python = p, python
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.python, "-m", "supervisor.supervisord", "-n", "-c", str(self.paths.conf)],
            env=dict(os.environ))

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait(self) -> int:
        assert self.process is not None
        return self.process.wait()

    def ctl(self, *args: str, timeout: float = 30) -> str:
        done = subprocess.run(
            [self.python, "-m", "supervisor.supervisorctl", "-c", str(self.paths.conf), *args],
            capture_output=True, text=True, timeout=timeout, check=False)
        return done.stdout

    def stop(self, deadline_s: float = STOP_WAIT_S + 30) -> None:
        """SIGTERM: supervisord stops every process (their groups), then exits."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=deadline_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
