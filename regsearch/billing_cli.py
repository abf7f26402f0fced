"""``regsearch billing …``: statements of fees, payments and the dunning checks by hand
(the scheduler runs the same jobs: ``billing.schedule``). ``--as-of`` sets the clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

app = typer.Typer(no_args_is_help=True,
                  help="Phí: thông báo phí, thanh toán, tạm ngừng / fees: statements, payments, "
                       "suspension.")

_AS_OF = typer.Option(
    None, "--as-of",
    help="Đồng hồ của lệnh: 2026-12-01 (nửa đêm giờ Việt Nam) hoặc 2026-12-01T08:00 / the "
         "command's clock: a date (midnight, Viet Nam time) or a date and time; default now.")


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code=2)


def _clock(as_of: str | None) -> datetime:
    from billing.periods import parse_as_of

    if not as_of:
        return datetime.now(UTC)
    try:
        return parse_as_of(as_of)
    except ValueError as exc:
        _fail(str(exc))
        raise  # unreachable: _fail exits


def _settings_checked() -> Any:
    """The settings, after checking that the database has the newest schema."""
    import psycopg

    from core.settings import get_settings
    from migrations import runner

    settings = get_settings()
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        try:
            runner.check(conn)
        except runner.SchemaNotCurrentError as exc:
            _fail(str(exc))
    return settings


@app.command("run-month")
def run_month(as_of: str | None = _AS_OF,
              send: bool = typer.Option(True, help="Gửi thư ngay / send the e-mails now.")
              ) -> None:
    """Lập thông báo phí tháng trước và gửi thư / make last month's statements, e-mail them."""
    from billing import jobs

    done = jobs.run_month(_settings_checked(), _clock(as_of), send=send)
    if done.busy:
        typer.echo("một lần chạy khác đang làm việc này / another run is doing this; nothing done")
        return
    typer.echo(f"kỳ / period {done.period}: {len(done.statements)} thông báo / statements "
               f"{' '.join(done.statements)}".rstrip())
    typer.echo(f"thư đã gửi / e-mails sent: {done.mail_sent}, lỗi / failed: {done.mail_failed}")


@app.command("daily")
def daily(as_of: str | None = _AS_OF) -> None:
    """Tạm ngừng, đóng tài khoản nợ phí; gửi lại thư / suspend, close; resend e-mail."""
    from billing import jobs

    done = jobs.daily(_settings_checked(), _clock(as_of))
    if done.busy:
        typer.echo("một lần chạy khác đang làm việc này / another run is doing this; nothing done")
        return
    for what, codes in sorted(done.changes.items()):
        typer.echo(f"{what}: {' '.join(codes)}")
    typer.echo(f"thư đã gửi / e-mails sent: {done.mail_sent}, lỗi / failed: {done.mail_failed}")


@app.command("send")
def send() -> None:
    """Gửi các thư thông báo phí chưa gửi / send the statements' unsent e-mails."""
    from billing import mail

    settings = _settings_checked()
    done = mail.flush(settings.app_dsn, settings)
    typer.echo(f"thư đã gửi / e-mails sent: {done.sent}, lỗi / failed: {done.failed}")


@app.command("pay")
def pay(account: str = typer.Option(..., help="Mã khách hàng / account code."),
        amount: str = typer.Option(..., help="Số tiền, đồng, số nguyên dương / amount in whole "
                                             "đồng, a positive integer."),
        reference: str = typer.Option(..., help="Số chứng từ / the payment's reference."),
        as_of: str | None = _AS_OF,
        actor: str = typer.Option("staff (command line)",
                                  help="Người ghi / who records it.")) -> None:
    """Ghi nhận một khoản thanh toán / record a payment (oldest statements first)."""
    import psycopg

    from billing import payments

    settings = _settings_checked()
    try:
        value = payments.amount_from(amount, "--amount")
        ref = payments.reference_from(reference, "--reference")
        with psycopg.connect(settings.app_dsn) as conn, conn.transaction():
            done = payments.record(conn, settings, code=account, amount=value, reference=ref,
                                   received_at=_clock(as_of), actor=actor)
    except payments.PaymentProblem as exc:
        field = {"account": "--account", "reference": "--reference"}.get(exc.field, exc.field)
        _fail(f"{field}: {exc.message_vi} / {exc.message_en}")
        return
    again = " (đã ghi trước đó / recorded before)" if done.already_recorded else ""
    typer.echo(f"payment {done.payment_id}{again}: {done.amount_vnd} đồng, {done.account_code}, "
               f"{done.reference}")
    typer.echo(f"còn nợ / still owed: {done.outstanding_vnd} đồng"
               + ("; đã mở lại tài khoản / account reopened" if done.lifted else ""))


@app.command("statements")
def statements(account: str = typer.Option(..., help="Mã khách hàng / account code.")) -> None:
    """Các thông báo phí của một tài khoản / an account's statements."""
    import psycopg

    settings = _settings_checked()
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT s.number, to_char(s.period_start, 'MM/YYYY'), s.charges_vnd,"
            " s.amount_due_vnd, s.due_on, (SELECT count(*) FILTER (WHERE m.sent_at IS NOT NULL)"
            " || '/' || count(*) FROM statement_mail m WHERE m.statement_id = s.id)"
            " FROM statements s JOIN accounts a ON a.id = s.account_id WHERE a.code = %s"
            " ORDER BY s.period_start", (account,)).fetchall()
    for number, period, charges, due, due_on, mailed in rows:
        typer.echo(f"{number}  {period}  phí/fees {charges}  phải trả/due {due}  "
                   f"hạn/by {due_on}  thư/mail {mailed}")


@app.command("pdf")
def pdf(number: str = typer.Argument(..., help="Số thông báo / statement number."),
        out: Path = typer.Argument(..., help="Tệp PDF ghi ra / the PDF file to write.")) -> None:
    """Ghi PDF của một thông báo phí / write a statement's PDF."""
    import psycopg

    settings = _settings_checked()
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        row = conn.execute("SELECT pdf FROM statements WHERE number = %s", (number,)).fetchone()
    if row is None:
        _fail(f"không có thông báo phí {number} / no statement {number}")
        return
    out.write_bytes(bytes(row[0]))
    typer.echo(str(out))
