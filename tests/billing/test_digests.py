"""Watch alerts by e-mail digest against the real PostgreSQL and Postfix: alerts recorded
(as the follower records them) → the digest job → exactly one e-mail per account with
exactly its alerts, bilingual, a seizure notice labelled; run again: nothing new; a crash
between the server's acceptance and the mark sends the same message again, never another.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import psycopg
import pytest

from billing import digests, schedule
from billing.digest_text import DigestAlert, DigestHead, alert_text, body, field_words
from tests import inbox
from tests.billing.conftest import Customer, make_customer

AT = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
_LSN = iter(range(1, 1_000_000))


def _alert(dsn: str, customer: Customer, *, event: str = "registration",
           reasons: tuple[str, ...] = (), tier: str = "exact",
           field: str = "grantors[0].name", reference: str | None = "HS-1") -> int:
    """An alert as the follower records it (``watch.record.save``'s columns)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "INSERT INTO watch_alerts (account_id, entry_id, client_reference,"
            " registration_id, registration_number, change_lsn, committed_at, event,"
            " criterion, watched_value, field, registered_value, tier, reasons, score)"
            " VALUES (%s, %s, %s, 77, '2026-0000077', %s::pg_lsn, %s, %s, 'debtor_name',"
            " 'NGUYEN VAN HUNG', %s, 'Nguyễn Văn Hùng', %s, %s, 0.9) RETURNING id",
            (customer.id, customer.id * 10, reference, f"0/{next(_LSN):X}", AT, event, field,
             tier, list(reasons))).fetchone()
    assert row is not None
    return int(row[0])


def _listed(message: EmailMessage) -> list[int]:
    """The alert ids a digest lists, in order."""
    part = message.get_body(("plain",))
    assert part is not None
    return [int(n) for n in re.findall(r"Mã cảnh báo / Alert id: (\d+)", part.get_content())]


def _text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_a_seizure_alert_is_labelled_and_worded_as_the_certificates_word_it() -> None:
    alert = DigestAlert(7, 70, "HĐ-2026/15", "2026-0000077", AT, "seizure_notice", "chassis_number",
                        "*RLHJC5218HY012345*", "assets[0].chassis_number", "RLHJC5218HY012345",
                        "close", ("separators_ignored", "suffix_match"))
    text = alert_text(1, alert)
    assert text.startswith("1. THÔNG BÁO KÊ BIÊN TÀI SẢN THI HÀNH ÁN / NOTICE OF SEIZURE")
    for shown in ("2026-0000077", "HĐ-2026/15", "Số khung / Chassis number (VIN)",
                  "Tài sản kê biên 1 — Số khung / Seized property 1 — chassis number",
                  "Khớp gần đúng / Close match", "#70"):
        assert shown in text, shown
    assert "Tài sản bảo đảm" not in text  # a seizure notice's assets are seized property
    from certify.wording import reason

    for code in alert.reasons:
        assert reason(code).vi in text and reason(code).en in text
    plain = field_words("registration", "grantors[1].id_number")
    assert plain.vi == "Bên bảo đảm 2 — Số giấy tờ"
    assert field_words("registration", "odd").vi == "odd"
    head = DigestHead("BTD-000001", "Ngân hàng A", "KH000001", AT)
    assert body(head, [alert]) == body(head, [alert])  # fixed text: a resend is the same


def test_beat_sends_the_digests_every_interval() -> None:
    from core.settings import Settings

    app = schedule.create_app(Settings(billing_queue="q-b", watch_digest_interval_minutes=15))
    entry = app.conf.beat_schedule["watch-digests"]
    assert entry["task"] == schedule.DIGEST_TASK and entry["options"]["queue"] == "q-b"
    assert entry["schedule"] == timedelta(minutes=15)
    assert schedule.DIGEST_TASK in app.tasks


@pytest.mark.services
def test_one_digest_per_account_with_exactly_its_alerts_and_nothing_twice(
        app_db: str, settings: Any) -> None:
    bank = make_customer(app_db, "Ngân hàng Cảnh báo", emails=2)
    other = make_customer(app_db, "Công ty Tài chính Theo dõi")
    silent = make_customer(app_db, "Ngân hàng Không nhận thư")
    quiet = make_customer(app_db, "Ngân hàng Không có cảnh báo")
    try:
        with psycopg.connect(app_db, autocommit=True) as conn:
            digests.set_recipients(conn, silent.id, [])
        mine = [_alert(app_db, bank),
                _alert(app_db, bank, event="seizure_notice", field="assets[0].chassis_number",
                       reasons=("separators_ignored",), tier="close"),
                _alert(app_db, bank, event="amendment", reasons=("diacritics_differ",),
                       reference=None)]
        theirs = [_alert(app_db, other, event="deletion")]
        _alert(app_db, silent)
        done = digests.run(settings, AT)
        assert len(done.digests) == 3 and done.alerts == 5 and done.mail_sent == 3
        for to in bank.emails:
            [message] = inbox.wait_for(to)
            assert _listed(message) == mine
            assert "3 cảnh báo mới" in str(message["Subject"])
            assert "THÔNG BÁO KÊ BIÊN" in _text(message) and "HS-1" in _text(message)
        [message] = inbox.wait_for(other.emails[0])
        assert _listed(message) == theirs
        again = digests.run(settings, AT + timedelta(hours=1))
        assert again.digests == [] and again.mail_sent == 0
        later = _alert(app_db, bank)
        third = digests.run(settings, AT + timedelta(hours=2))
        assert len(third.digests) == 1 and third.mail_sent == 2
        for to in bank.emails:
            first, second = inbox.wait_for(to, count=2)
            assert (_listed(first), _listed(second)) == (mine, [later])
        assert len(inbox.messages(other.emails[0])) == 1
        assert inbox.messages(silent.emails[0]) == []
        assert inbox.messages(quiet.emails[0]) == []
        with psycopg.connect(app_db, autocommit=True) as conn:
            undigested = conn.execute("SELECT count(*) FROM watch_alerts"
                                      " WHERE digest_id IS NULL").fetchone()
            per_alert = conn.execute("SELECT count(DISTINCT digest_id), count(*)"
                                     " FROM watch_alerts").fetchone()
        assert undigested == (0,) and per_alert == (4, 6)
    finally:
        for customer in (bank, other, silent, quiet):
            customer.clear_mail()


@pytest.mark.services
def test_a_crash_after_the_server_took_it_sends_the_same_message_again(
        app_db: str, settings: Any) -> None:
    bank = make_customer(app_db, "Ngân hàng Gửi lại")
    try:
        wanted = [_alert(app_db, bank), _alert(app_db, bank, event="seizure_notice")]
        made = digests.run(settings, AT, send=False)  # stored, not sent: a crash here
        assert len(made.digests) == 1 and made.mail_sent == 0
        assert digests.run(settings, AT, send=False).digests == []  # taken once
        from billing import mail

        assert mail.flush(app_db, settings).sent == 1
        [first] = inbox.wait_for(bank.emails[0])
        with psycopg.connect(app_db, autocommit=True) as conn:  # the mark was lost
            conn.execute("UPDATE statement_mail SET sent_at = NULL WHERE message_id = %s",
                         (str(first["Message-ID"]),))
        assert mail.flush(app_db, settings).sent == 1
        first, second = inbox.wait_for(bank.emails[0], count=2)
        assert second["Message-ID"] == first["Message-ID"]
        assert second["Subject"] == first["Subject"] and second["Date"] == first["Date"]
        assert _text(second) == _text(first) and _listed(second) == wanted
        assert mail.flush(app_db, settings).sent == 0
    finally:
        bank.clear_mail()


@pytest.mark.services
def test_the_scheduled_task_runs_the_digest_job(app_db: str, settings: Any) -> None:
    bank = make_customer(app_db, "Ngân hàng Theo lịch")
    try:
        wanted = _alert(app_db, bank, event="seizure_notice")
        app = schedule.create_app(settings)
        done = app.tasks[schedule.DIGEST_TASK].apply().get()
        assert len(done["digests"]) == 1 and done["alerts"] == 1 and done["mail_sent"] == 1
        [message] = inbox.wait_for(bank.emails[0])
        assert _listed(message) == [wanted]
        assert app.tasks[schedule.DIGEST_TASK].apply().get()["digests"] == []
    finally:
        bank.clear_mail()
