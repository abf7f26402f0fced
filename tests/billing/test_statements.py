"""Monthly statements against the real PostgreSQL and the real SMTP server (Postfix):
one statement per account and month with every chargeable line, its PDF, one e-mail per
contact; idempotent, safe twice at once, and a crash before the e-mail sends it next run."""

from __future__ import annotations

import subprocess
import threading
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import psycopg
import pytest

from billing import jobs
from billing.periods import VN_TZ, parse_as_of
from tests import inbox
from tests.billing.conftest import Customer, charge, make_customer

pytestmark = pytest.mark.services

DEC_1 = parse_as_of("2026-12-01")
SUBJECT = "Thông báo phí tháng 11/2026 — {number} / Statement of fees 11/2026"


def _november(dsn: str, bank: Customer) -> None:
    """Three certificates by two users in November, one batch, a free search, and a line
    just after November ends in Ha Noi (30 Nov 17:30 UTC is 1 Dec 00:30 there)."""
    charge(dsn, bank, "Trần Văn Bình", datetime(2026, 11, 3, 9, 15, tzinfo=VN_TZ),
           reference="CN-2026-00000011")
    charge(dsn, bank, "Phạm Thị Hoa", datetime(2026, 11, 14, 16, 2, tzinfo=VN_TZ),
           criterion="id_number", reference="CN-2026-00000012")
    charge(dsn, bank, "Phạm Thị Hoa", datetime(2026, 11, 30, 23, 59, 59, tzinfo=VN_TZ),
           criterion="chassis_number", reference="CN-2026-00000013")
    charge(dsn, bank, "Trần Văn Bình", datetime(2026, 11, 20, 10, 0, tzinfo=VN_TZ),
           kind="batch", criterion=None, rows=250, fee=25_000,
           reference="3f2c9a1e-5b7d-4c1e-9a0b-2f6e8d1c4b3a")
    charge(dsn, bank, "Trần Văn Bình", datetime(2026, 11, 21, tzinfo=VN_TZ), kind="search",
           fee=0)
    charge(dsn, bank, "Phạm Thị Hoa", datetime(2026, 11, 30, 17, 30, tzinfo=UTC),
           reference="CN-2026-00000099")


def _statements(dsn: str, bank: Customer) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute(
            "SELECT number, charges_vnd, amount_due_vnd, brought_forward_vnd, due_on, pdf,"
            " snapshot FROM statements WHERE account_id = %s ORDER BY period_start",
            (bank.id,)).fetchall()


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "statement.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True, timeout=60).stdout


def test_one_statement_lists_both_users_and_one_email_arrives(
        app_db: str, settings: Any, tmp_path: Path) -> None:
    bank = make_customer(app_db, "Ngân hàng TMCP Thử nghiệm Đông Á", emails=2)
    court = make_customer(app_db, "Tòa án nhân dân quận Ba Đình", role="agency",
                          agency_kind="court")
    _november(app_db, bank)
    charge(app_db, court, "Trần Văn Bình", datetime(2026, 11, 5, tzinfo=VN_TZ), fee=0)
    try:
        done = jobs.run_month(settings, DEC_1)
        [(number, charges, due, forward, due_on, pdf, _)] = _statements(app_db, bank)
        assert done.statements == [number] and number.startswith("TBP-2026-11-")
        assert (charges, forward, due) == (115_000, 0, 115_000)
        assert str(due_on) == "2026-12-31"
        assert _statements(app_db, court) == []  # agencies pay nothing: no statement
        text = pdf_text(bytes(pdf), tmp_path)
        for shown in ("Trần Văn Bình", "Phạm Thị Hoa", "CN-2026-00000011", "CN-2026-00000013",
                      "30/11/2026", "23:59:59", "115.000", "31/12/2026", bank.code, number,
                      "THÔNG BÁO PHÍ", "Statement of fees", "Amount due"):
            assert shown in text, shown
        assert "CN-2026-00000099" not in text  # December in Ha Noi
        for to in bank.emails:
            [message] = inbox.wait_for(to, count=1, deadline_s=60)
            assert message["Subject"] == SUBJECT.format(number=number)
            [(name, kind, attached)] = inbox.attachments(message)
            assert (name, kind, attached) == (f"{number}.pdf", "application/pdf", bytes(pdf))
            body = message.get_body(preferencelist=("plain",))
            assert body is not None
            content = body.get_content()
            assert "115.000 đồng" in content and "VND 115,000" in content
            raw = inbox.received(to)[0].path.read_bytes()
            assert b"Subject: =?utf-8?" in raw  # RFC 2047, not raw 8-bit
            reparsed = BytesParser(policy=policy.default).parsebytes(raw)
            assert reparsed["Subject"] == SUBJECT.format(number=number)

        again = jobs.run_month(settings, DEC_1)
        assert again.statements == [] and again.mail_sent == 0
        assert len(_statements(app_db, bank)) == 1
        for to in bank.emails:
            assert len(inbox.messages(to)) == 1
    finally:
        bank.clear_mail()


def test_a_line_committed_after_its_months_statement_goes_on_the_next(
        app_db: str, settings: Any, tmp_path: Path) -> None:
    bank = make_customer(app_db, "Công ty Tài chính Thử nghiệm")
    try:
        charge(app_db, bank, "Trần Văn Bình", datetime(2026, 11, 3, tzinfo=VN_TZ))
        jobs.run_month(settings, DEC_1)
        late = datetime(2026, 11, 30, 23, 0, tzinfo=VN_TZ)
        charge(app_db, bank, "Phạm Thị Hoa", late, reference="CN-2026-00000077")
        charge(app_db, bank, "Phạm Thị Hoa", datetime(2026, 12, 9, tzinfo=VN_TZ))
        jobs.run_month(settings, parse_as_of("2027-01-01"))
        first, second = _statements(app_db, bank)
        assert (first[1], first[2]) == (30_000, 30_000)
        assert (second[1], second[3], second[2]) == (60_000, 30_000, 90_000)
        assert second[0].startswith("TBP-2026-12-")
        text = pdf_text(bytes(second[5]), tmp_path)
        assert "CN-2026-00000077" in text and "kỳ trước" in text
    finally:
        bank.clear_mail()


def test_nothing_to_state_makes_no_statement(app_db: str, settings: Any) -> None:
    bank = make_customer(app_db, "Ngân hàng không dùng dịch vụ")
    charge(app_db, bank, "Trần Văn Bình", datetime(2026, 11, 3, tzinfo=VN_TZ), kind="search",
           fee=0)
    assert jobs.run_month(settings, DEC_1).statements == []


def test_a_crash_before_the_email_sends_it_on_the_next_run_once(
        app_db: str, settings: Any) -> None:
    bank = make_customer(app_db, "Ngân hàng TMCP Gửi lại", emails=2)
    charge(app_db, bank, "Trần Văn Bình", datetime(2026, 11, 3, tzinfo=VN_TZ))
    try:
        # the run stops once the statement is stored (no e-mail sent) ...
        stored = jobs.run_month(settings, DEC_1, send=False)
        assert len(stored.statements) == 1
        # ... another stores it and cannot reach the SMTP server (nothing listens on port 9)
        down = jobs.run_month(settings.model_copy(update={"smtp_port": 9}), DEC_1)
        assert (down.statements, down.mail_sent, down.mail_failed) == ([], 0, 1)
        with psycopg.connect(app_db, autocommit=True) as conn:
            assert conn.execute("SELECT count(*), count(sent_at), max(attempts)"
                                " FROM statement_mail").fetchone() == (2, 0, 1)
        assert all(inbox.messages(to) == [] for to in bank.emails)
        # the next run sends each e-mail, once
        later = jobs.run_month(settings, DEC_1)
        assert (later.statements, later.mail_sent) == ([], 2)
        for to in bank.emails:
            assert len(inbox.wait_for(to, count=1, deadline_s=60)) == 1
        assert jobs.daily(settings, DEC_1).mail_sent == 0
        assert jobs.run_month(settings, DEC_1).mail_sent == 0
        for to in bank.emails:
            assert len(inbox.messages(to)) == 1
    finally:
        bank.clear_mail()


def test_two_runs_at_once_make_one_statement_and_one_email(app_db: str, settings: Any) -> None:
    banks = [make_customer(app_db, f"Ngân hàng số {n}") for n in range(4)]
    for bank in banks:
        charge(app_db, bank, "Trần Văn Bình", datetime(2026, 11, 3, tzinfo=VN_TZ))
    results: list[jobs.MonthResult] = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        results.append(jobs.run_month(settings, DEC_1))

    try:
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert sum(len(r.statements) for r in results) == 4
        # whichever came second found the lock held or everything done
        jobs.run_month(settings, DEC_1)
        for bank in banks:
            assert len(_statements(app_db, bank)) == 1
            assert len(inbox.wait_for(bank.emails[0], count=1, deadline_s=60)) == 1
        with psycopg.connect(app_db, autocommit=True) as conn:
            assert conn.execute("SELECT count(*) FROM statement_mail WHERE sent_at IS NULL"
                                ).fetchone() == (0,)
    finally:
        for bank in banks:
            bank.clear_mail()


def test_statements_cannot_be_changed(app_db: str, settings: Any) -> None:
    bank = make_customer(app_db, "Ngân hàng Bất biến")
    charge(app_db, bank, "Trần Văn Bình", datetime(2026, 11, 3, tzinfo=VN_TZ))
    try:
        jobs.run_month(settings, DEC_1, send=False)
        with psycopg.connect(app_db, autocommit=True) as conn:
            for sql in ("UPDATE statements SET amount_due_vnd = 0",
                        "DELETE FROM statement_lines", "TRUNCATE statements CASCADE",
                        "DELETE FROM statement_mail"):
                with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                    conn.execute(sql)
    finally:
        bank.clear_mail()
