"""Postfix (Debian's ``postfix``) as the stack's SMTP server, on 127.0.0.1:25 only.

It stands in for the registry's mail relay: every message, whatever its recipient's
domain, is delivered to one Maildir, ``state_dir/mail/inbox/`` (Postfix's virtual(8)
delivery agent, running as the service user), a copy per recipient named in its
``Delivered-To`` header; nothing leaves the machine. (virtual(8) refuses a mailbox path
computed from the address, so there is one Maildir rather than one per recipient.) Tests
read it with ``tests/mailbox.py``. The application reaches it, or a
real relay, through the ``smtp_*`` settings.

Debian's package is installed with debconf's "Local only" answer (``packages.DEBCONF``); the
system Postfix is then configured with ``postconf`` (idempotent: only what differs is
written, and a running Postfix reloads). Starting and stopping it needs root.
"""

from __future__ import annotations

import shutil
import smtplib
import subprocess
from pathlib import Path

from services.system import (
    SYSTEM_PATH,
    Context,
    ServiceError,
    ensure_dir,
    is_root,
    pid_alive,
    port_in_use,
    read_pid,
    run_checked,
    wait_until,
)

NAME = "postfix"
PORT = 25
START_DEADLINE_S = 60.0
CONF_DIR = Path("/etc/postfix")
MASTER_PID = Path("/var/spool/postfix/pid/master.pid")
#: The domains Postfix delivers for: every well-formed one.
DOMAIN_MAP = CONF_DIR / "regsearch-domains.regexp"
_DOMAINS = "/^[a-z0-9_-][a-z0-9.-]*$/ OK\n"
#: The Maildir, relative to the base (the trailing slash means Maildir, not mbox).
INBOX = "inbox/"


def mail_dir(ctx: Context) -> Path:
    """The base of the Maildir."""
    return ctx.state_dir / "mail"


def maildir(ctx: Context) -> Path:
    """The Maildir every message is delivered to."""
    return mail_dir(ctx) / INBOX


def url(ctx: Context) -> str:
    return f"smtp://127.0.0.1:{PORT}"


def main_cf(ctx: Context) -> dict[str, str]:
    """The ``main.cf`` parameters regsearch sets (the others keep Debian's values)."""
    return {
        "inet_interfaces": "127.0.0.1",
        "inet_protocols": "ipv4",
        "mynetworks": "127.0.0.0/8",
        "mydestination": "",
        "relayhost": "",
        "local_transport": "error:5.1.1 no local delivery on regsearch's Postfix",
        "default_transport": "error:5.1.1 regsearch's Postfix delivers to local mailboxes only",
        "virtual_mailbox_domains": f"regexp:{DOMAIN_MAP}",
        "virtual_mailbox_maps": f"static:{INBOX}",
        "virtual_mailbox_base": str(mail_dir(ctx)),
        "virtual_uid_maps": f"static:{ctx.ident.uid}",
        "virtual_gid_maps": f"static:{ctx.ident.gid}",
        "virtual_minimum_uid": str(min(ctx.ident.uid, 100)),
        "smtpd_banner": "$myhostname ESMTP regsearch",
        "biff": "no",
        "compatibility_level": "3.6",
        "maillog_file": str(ctx.logs_dir / "postfix.log"),
    }


def _postconf() -> str:
    found = shutil.which("postconf", path=SYSTEM_PATH)
    if found is None:
        raise ServiceError("postfix: postconf is not installed (apt-get install -y postfix)")
    return found


def _current(name: str) -> str:
    done = subprocess.run([_postconf(), "-h", name], capture_output=True, text=True,
                          check=False)
    return done.stdout.strip() if done.returncode == 0 else "\0missing"


def version() -> str:
    """Postfix's version ("" when it is not installed)."""
    if shutil.which("postconf", path=SYSTEM_PATH) is None:
        return ""
    found = _current("mail_version")
    return "" if found.startswith("\0") else found


def _write_if_changed(path: Path, content: str) -> bool:
    if path.exists() and path.read_text() == content:
        return False
    path.write_text(content)
    path.chmod(0o644)
    return True


def configure(ctx: Context) -> bool:
    """Write the maps and main.cf parameters that differ; True when something changed."""
    if not is_root():
        raise ServiceError("postfix: configuring the system Postfix needs root")
    ensure_dir(mail_dir(ctx), ctx.ident, mode=0o750)
    changed = _write_if_changed(DOMAIN_MAP, _DOMAINS)
    wanted = main_cf(ctx)
    differ = [f"{key}={value}" for key, value in wanted.items() if _current(key) != value]
    if differ:
        run_checked([_postconf(), "-e", *differ], what="postconf -e",
                    log_file=ctx.install_log)
    return changed or bool(differ)


def running_pid(ctx: Context) -> int | None:
    """The pid of Postfix's master process, None when it is not running."""
    pid = read_pid(MASTER_PID)
    return pid if pid_alive(pid, "master") else None


def running(ctx: Context) -> bool:
    return running_pid(ctx) is not None


def answers(ctx: Context | None = None) -> str | None:
    """'ok' when 127.0.0.1:25 answers EHLO, else None."""
    try:
        with smtplib.SMTP("127.0.0.1", PORT, timeout=5) as smtp:
            code, _ = smtp.ehlo()
            return "ok" if code == 250 else None
    except (OSError, smtplib.SMTPException):
        return None


def _postfix(action: str, ctx: Context) -> None:
    postfix = shutil.which("postfix", path=SYSTEM_PATH)
    if postfix is None:
        raise ServiceError("postfix: not installed (apt-get install -y postfix)")
    run_checked([postfix, action], what=f"postfix {action}", log_file=ctx.install_log,
                timeout=START_DEADLINE_S)


def start(ctx: Context) -> None:
    if port_in_use(PORT):
        raise ServiceError(f"postfix: port {PORT} on 127.0.0.1 is already taken by another "
                           "program (not Postfix). Stop it.")
    _postfix("start", ctx)
    if not wait_until(lambda: answers(ctx) is not None, START_DEADLINE_S):
        raise ServiceError(f"postfix started but 127.0.0.1:{PORT} did not answer EHLO within "
                           f"{START_DEADLINE_S:.0f} s; see "
                           f"{ctx.logs_dir / 'postfix.log'}")


def reload(ctx: Context) -> None:
    _postfix("reload", ctx)


def stop(ctx: Context) -> bool:
    """``postfix stop``; True if it was running (queued mail is kept)."""
    if not running(ctx):
        return False
    if not is_root():
        raise ServiceError("postfix: stopping the system Postfix needs root")
    _postfix("stop", ctx)
    return True


def up(ctx: Context) -> str:
    """Configure and start (or reload) Postfix; its state for the status line."""
    changed = configure(ctx)
    if running(ctx):
        if changed:
            reload(ctx)
            return "running (reloaded)"
        return "running (already)"
    start(ctx)
    return "running (started)"
