"""The local Postfix's mailbox (``services/postfix.py``), read and cleared per recipient.

Every message the stack's Postfix accepts lands in one Maildir, a copy per recipient
named in its ``Delivered-To`` header. Tests use a recipient address of their own
(``address()``), wait for its messages with a deadline and clear them afterwards::

    to = inbox.address("ketoan")
    ...send to `to`...
    [message] = inbox.wait_for(to, count=1)
    inbox.clear(to)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from tests.conftest import wait_until
from tests.service_env import named


def maildir() -> Path:
    from core.settings import get_settings
    from services.postfix import INBOX

    return get_settings().state_dir / "mail" / INBOX


def address(name: str = "test", domain: str = "bank.example") -> str:
    """A recipient no other test (or test run) uses."""
    return f"{named(name, '-')}-{uuid.uuid4().hex[:10]}@{domain}".lower()


@dataclass(frozen=True)
class Received:
    path: Path
    message: EmailMessage


def _files() -> list[Path]:
    base = maildir()
    found = [f for sub in ("new", "cur") if (base / sub).is_dir()
             for f in (base / sub).iterdir() if f.is_file()]
    return sorted(found, key=lambda f: (f.stat().st_mtime, f.name))


def received(recipient: str) -> list[Received]:
    """The messages delivered to ``recipient``, oldest first, parsed (``policy.default``:
    headers decoded, ``get_body``/``iter_attachments`` available)."""
    wanted = recipient.lower()
    found: list[Received] = []
    parser = BytesParser(policy=policy.default)
    for path in _files():
        try:
            raw = path.read_bytes()
        except FileNotFoundError:  # cleared meanwhile
            continue
        message = parser.parsebytes(raw)
        assert isinstance(message, EmailMessage)
        if str(message.get("Delivered-To", "")).lower() == wanted:
            found.append(Received(path, message))
    return found


def messages(recipient: str) -> list[EmailMessage]:
    return [r.message for r in received(recipient)]


def wait_for(recipient: str, count: int = 1, deadline_s: float = 30.0) -> list[EmailMessage]:
    """At least ``count`` messages for ``recipient``, waiting up to ``deadline_s``."""
    return wait_until(lambda: (found if len(found := messages(recipient)) >= count else None),
                      deadline_s=deadline_s, interval_s=0.1,
                      what=f"{count} message(s) to {recipient} in {maildir()}")


def clear(recipient: str) -> int:
    """Delete ``recipient``'s messages; how many."""
    gone = received(recipient)
    for found in gone:
        found.path.unlink(missing_ok=True)
    return len(gone)


def attachments(message: EmailMessage) -> list[tuple[str, str, bytes]]:
    """(file name, content type, bytes) of each attachment."""
    found: list[tuple[str, str, bytes]] = []
    for part in message.iter_attachments():
        assert isinstance(part, EmailMessage)
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        found.append((part.get_filename() or "", part.get_content_type(), payload))
    return found
