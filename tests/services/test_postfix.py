"""The stack's SMTP server (``services/postfix.py``): real Postfix on 127.0.0.1:25 only,
delivering to the local mailbox that ``tests/inbox.py`` reads."""

from __future__ import annotations

import io
import smtplib
from email.message import EmailMessage
from pathlib import Path

import pytest

from core.settings import get_settings
from services import postfix
from tests import inbox

pytestmark = pytest.mark.services

SUBJECT = "Thông báo phí tháng 11/2026 — Ngân hàng Thương mại Cổ phần Đông Á"


@pytest.fixture(scope="module", autouse=True)
def postfix_answers() -> None:
    if postfix.answers() is None:
        pytest.fail("Postfix does not answer on 127.0.0.1:25; run `regsearch services up`")


def _pdf() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Statement 2026-11")
    page.save()
    return out.getvalue()


def _send(to: list[str], pdf: bytes) -> None:
    settings = get_settings()
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = ", ".join(to)
    message["Subject"] = SUBJECT
    message.set_content("Kính gửi Quý khách hàng,\nThông báo phí đính kèm.\n"
                        "Dear customer, the statement is attached.\n")
    message.add_attachment(pdf, maintype="application", subtype="pdf",
                           filename="thông-báo-phí-2026-11.pdf")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port,
                      timeout=settings.smtp_timeout_s) as smtp:
        refused = smtp.send_message(message)
    assert refused == {}


def test_a_message_with_a_vietnamese_subject_and_a_pdf_reaches_each_recipient() -> None:
    to = [inbox.address("ketoan"), inbox.address("giamdoc", "dongabank.com.vn")]
    pdf = _pdf()
    try:
        _send(to, pdf)
        for recipient in to:
            [found] = inbox.wait_for(recipient, count=1, deadline_s=60)
            assert found["Subject"] == SUBJECT
            assert "Cục Đăng ký quốc gia" in str(found["From"])
            body = found.get_body(preferencelist=("plain",))
            assert body is not None and "Thông báo phí đính kèm" in body.get_content()
            assert inbox.attachments(found) == [
                ("thông-báo-phí-2026-11.pdf", "application/pdf", pdf)]
        raw = inbox.received(to[0])[0].path.read_bytes()
        subject_line = next(line for line in raw.splitlines() if line.startswith(b"Subject:"))
        assert subject_line.isascii() and b"=?utf-8?" in subject_line.lower()
    finally:
        for recipient in to:
            inbox.clear(recipient)
    assert all(inbox.messages(recipient) == [] for recipient in to)


def _listeners(port: int) -> list[str]:
    """Local addresses (hex, as in /proc/net/tcp) listening on ``port``."""
    found = []
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if fields[3] == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.append(address)
    return found


def test_postfix_listens_on_127_0_0_1_only() -> None:
    assert _listeners(postfix.PORT) == ["0100007F"]  # 127.0.0.1, little-endian hex
