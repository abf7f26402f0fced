"""Running commands for the local stack: as ourselves (``run_checked``) or as the service
user (``run_as``, ``spawn_as``), with a small predictable environment and output appended
to a log file.

Standard library only.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class ServiceError(Exception):
    """A plain-English failure of the local stack, meant to be shown as is."""


@dataclass(frozen=True)
class Identity:
    """Who the services run as. ``switch`` is True when we are root and drop to ``name``."""

    name: str
    uid: int
    gid: int
    switch: bool


def is_root() -> bool:
    return os.geteuid() == 0


# --- running commands -----------------------------------------------------------------
def service_env(
    ident: Identity, home: Path, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """A small, predictable environment for service processes (nothing leaks from ours)."""
    env = {
        "PATH": SYSTEM_PATH,
        "HOME": str(home),
        "USER": ident.name,
        "LOGNAME": ident.name,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
    }
    if "TZ" in os.environ:
        env["TZ"] = os.environ["TZ"]
    if extra:
        env.update(extra)
    return env


@dataclass(frozen=True)
class _Switch:
    """subprocess arguments that drop from root to the service user (all None: stay as is)."""

    user: int | None
    group: int | None
    extra_groups: list[int] | None


def _switch(ident: Identity) -> _Switch:
    if not ident.switch:
        return _Switch(None, None, None)
    return _Switch(ident.uid, ident.gid, [])


def run_as(
    argv: Sequence[str],
    ident: Identity,
    *,
    env: Mapping[str, str],
    cwd: Path,
    log_file: Path,
    timeout: float,
) -> int:
    """Run ``argv`` as the service user, appending its output to ``log_file``; return its code.

    The child gets its own session, so daemons it leaves behind are not tied to our terminal.
    """
    sw = _switch(ident)
    with _open_log(log_file, ident) as out:
        try:
            proc = subprocess.run(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=dict(env),
                cwd=cwd,
                timeout=timeout,
                start_new_session=True,
                check=False,
                user=sw.user,
                group=sw.group,
                extra_groups=sw.extra_groups,
            )
        except subprocess.TimeoutExpired as exc:
            raise ServiceError(
                f"'{' '.join(argv)}' did not finish within {timeout:.0f} s; see {log_file}"
            ) from exc
    return proc.returncode


def spawn_as(
    argv: Sequence[str], ident: Identity, *, env: Mapping[str, str], cwd: Path, log_file: Path
) -> subprocess.Popen[bytes]:
    """Start ``argv`` as the service user without waiting (output appended to ``log_file``)."""
    sw = _switch(ident)
    with _open_log(log_file, ident) as out:
        return subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,
            user=sw.user,
            group=sw.group,
            extra_groups=sw.extra_groups,
        )


@contextlib.contextmanager
def _open_log(log_file: Path, ident: Identity) -> Iterator[IO[bytes]]:
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as out:
        if ident.switch:
            os.fchown(out.fileno(), ident.uid, ident.gid)
        out.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} ===\n".encode())
        out.flush()
        yield out


def run_checked(
    argv: Sequence[str], *, what: str, log_file: Path | None = None, timeout: float = 1800,
    env: Mapping[str, str] | None = None, cwd: Path | None = None,
) -> None:
    """Run a command as ourselves; raise a ServiceError naming ``what`` if it fails."""
    out: IO[bytes] | int = subprocess.PIPE
    handle: IO[bytes] | None = None
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handle = open(log_file, "ab")  # noqa: SIM115 - closed below
        handle.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} $ {' '.join(argv)}\n".encode())
        handle.flush()
        out = handle
    try:
        proc = subprocess.run(
            list(argv), stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            timeout=timeout, check=False, env=None if env is None else dict(env), cwd=cwd,
        )
    except FileNotFoundError as exc:
        raise ServiceError(f"{what} failed: {argv[0]} is not installed") from exc
    except subprocess.TimeoutExpired as exc:
        raise ServiceError(f"{what} did not finish within {timeout:.0f} s") from exc
    finally:
        if handle is not None:
            handle.close()
    if proc.returncode != 0:
        where = f"; see {log_file}" if log_file else ""
        detail = ""
        if log_file is None and proc.stdout:
            detail = ": " + proc.stdout.decode(errors="replace").strip()[-2000:]
        raise ServiceError(f"{what} failed (exit code {proc.returncode}){where}{detail}")
