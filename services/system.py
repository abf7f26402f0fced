"""Machine-level helpers for the local stack: the service user and its state directories,
and the context every service module gets. One import for the service modules: it also
re-exports running commands (``services.commands``), Debian packages and the JDK
(``services.packages``) and pid files and ports (``services.processes``).

Standard library only (plus the settings type).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import subprocess
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from core.settings import Settings
from services.commands import (
    SYSTEM_PATH,
    Identity,
    ServiceError,
    is_root,
    run_as,
    run_checked,
    service_env,
    spawn_as,
)
from services.packages import APT_PACKAGES, ensure_packages, find_java_home, missing_packages
from services.processes import (
    find_pids,
    pid_alive,
    port_in_use,
    read_pid,
    tail,
    wait_gone,
    wait_until,
)

__all__ = [
    "APT_PACKAGES", "PG_BIN", "SYSTEM_PATH", "Context", "Identity", "ServiceError",
    "check_reachable", "chown_tree", "ensure_dir", "ensure_packages", "find_java_home",
    "find_pids", "is_root", "locked", "missing_packages", "pid_alive", "port_in_use",
    "read_pid", "run_as", "run_checked", "say", "service_env", "service_identity",
    "spawn_as", "tail", "wait_gone", "wait_until",
]

PG_BIN = Path("/usr/lib/postgresql/15/bin")


# --- the service user and its directories -----------------------------------------------
def service_identity(user: str, log: Callable[[str], None]) -> Identity:
    """The unprivileged user the services run as, created (as a system user) when missing.

    When not root the services run as the current user, whatever ``user`` says.
    """
    if not is_root():
        entry = pwd.getpwuid(os.geteuid())
        return Identity(entry.pw_name, entry.pw_uid, entry.pw_gid, switch=False)
    if user == "root":
        raise ServiceError(
            "The service user is 'root', but Elasticsearch refuses to run as root. "
            "Set REGSEARCH_SERVICE_USER to an unprivileged user name."
        )
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        log(f"creating system user {user!r}")
        run_checked(
            ["useradd", "--system", "--create-home", "--user-group",
             "--shell", "/usr/sbin/nologin", user],
            what=f"creating the service user {user!r}",
        )
        entry = pwd.getpwnam(user)
    return Identity(entry.pw_name, entry.pw_uid, entry.pw_gid, switch=True)


def ensure_dir(path: Path, ident: Identity, mode: int = 0o750) -> Path:
    """Create ``path`` (and parents) and make sure the service user owns it."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except PermissionError as exc:
        raise ServiceError(
            f"Cannot create {path}: permission denied. Run as root, or set REGSEARCH_STATE_DIR "
            "to a directory you can write."
        ) from exc
    st = path.stat()
    if ident.switch and (st.st_uid != ident.uid or st.st_gid != ident.gid):
        os.chown(path, ident.uid, ident.gid)
    if st.st_mode & 0o777 != mode:
        with contextlib.suppress(PermissionError):
            path.chmod(mode)
    if not os.access(path, os.W_OK):
        raise ServiceError(
            f"{path} is not writable by {ident.name}. Run as root, or set REGSEARCH_STATE_DIR "
            "to a directory you can write."
        )
    return path


def check_reachable(path: Path, ident: Identity) -> None:
    """Make sure the service user can write ``path`` (every parent must let it through)."""
    if not ident.switch:
        return
    probe = subprocess.run(["test", "-w", str(path), "-a", "-x", str(path)],
                           user=ident.uid, group=ident.gid, extra_groups=[], check=False)
    if probe.returncode != 0:
        raise ServiceError(
            f"The service user {ident.name!r} cannot write {path} (a parent directory is closed "
            "to it). Choose another REGSEARCH_STATE_DIR, such as /var/lib/regsearch."
        )


def chown_tree(root: Path, ident: Identity) -> None:
    """Give a whole tree to the service user (used once, after unpacking)."""
    if not ident.switch:
        return
    os.chown(root, ident.uid, ident.gid)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in (*dirnames, *filenames):
            os.chown(os.path.join(dirpath, name), ident.uid, ident.gid, follow_symlinks=False)


@dataclass(frozen=True)
class Context:
    """What every service module needs: the settings, who runs the services, and where."""

    settings: Settings
    ident: Identity

    @property
    def state_dir(self) -> Path:
        return self.settings.state_dir

    @property
    def run_dir(self) -> Path:
        return self.settings.state_dir / "run"

    @property
    def logs_dir(self) -> Path:
        return self.settings.state_dir / "logs"

    @property
    def install_log(self) -> Path:
        return self.logs_dir / "install.log"

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return service_env(self.ident, self.state_dir, extra)


def say(message: str) -> None:
    """One plain line on standard output."""
    print(message, flush=True)


@contextlib.contextmanager
def locked(lock_file: Path, ident: Identity) -> Iterator[None]:
    """Serialise ``up``/``down`` between concurrent callers (e.g. two test runs)."""
    with open(lock_file, "a") as handle:
        if ident.switch and os.fstat(handle.fileno()).st_uid != ident.uid:
            os.fchown(handle.fileno(), ident.uid, ident.gid)
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
