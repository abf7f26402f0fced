"""``regsearch watch``: the follower, the webhook delivery, and an account's watch list and
alerts read and written directly in the service database (an operator's tool; customers
use the API)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

watch_app = typer.Typer(no_args_is_help=True,
                        help="Danh sách theo dõi và cảnh báo / watch lists and alerts.")

_ACCOUNT = typer.Option(..., "--account", help="Mã tài khoản / the account's id.")


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code=2)


def _connect() -> Any:
    import psycopg

    from core.settings import get_settings

    return psycopg.connect(get_settings().app_dsn, autocommit=True)


@watch_app.command("follow")
def follow(once: bool = typer.Option(False, help="Stop when the stream is drained.")) -> None:
    """Theo dõi luồng thay đổi, ghi cảnh báo / follow the registry's changes, record alerts."""
    from watch import follower

    follower.run(once)


@watch_app.command("deliver")
def deliver(once: bool = typer.Option(False, help="Stop when nothing is due.")) -> None:
    """Gửi cảnh báo và thông báo lô xong đến webhook / deliver alerts to the accounts'
    webhooks and the finished batches' callbacks."""
    from batch import callback
    from core.settings import get_settings
    from watch import webhooks

    settings = get_settings()
    webhooks.run(settings, once, more=[callback.outbox(settings)])


@watch_app.command("add")
def add(account: int = _ACCOUNT,
        criterion: str = typer.Option(..., help="debtor_name | id_number | chassis_number | "
                                                "engine_number | plate_number"),
        value: str = typer.Option(...),
        party_type: str | None = typer.Option(None, help="individual | organization"),
        client_reference: str | None = typer.Option(None),
        alert_on_deletion: bool = typer.Option(False)) -> None:
    """Thêm một mục theo dõi / watch one value."""
    from core import client_reference as reference_rule
    from core.settings import get_settings
    from watch import entries

    try:
        client_reference = reference_rule.clean(client_reference)
    except reference_rule.ClientReferenceError as exc:
        _fail(f"client_reference: {exc.rule} (tối đa / at most {reference_rule.MAX_LENGTH};"
              " chữ, số, dấu cách, - _ . / : # ( ) / letters, digits, spaces, - _ . / : # ( ))")
        return
    try:
        prepared = entries.prepare(entries.NewEntry(criterion, value, party_type,
                                                    client_reference, alert_on_deletion))
    except entries.NothingToWatchError:
        _fail("value: không còn gì để theo dõi sau khi chuẩn hóa / nothing left to watch "
              "after normalisation")
        return
    except ValueError as exc:
        _fail(f"criterion: không hợp lệ / invalid ({exc})")
        return
    with _connect() as conn:
        try:
            ids = entries.add(conn, account, [prepared], get_settings().watch_max_entries)
        except entries.LimitError as exc:
            _fail(f"vượt giới hạn {exc.limit} mục / over the limit of {exc.limit} entries")
            return
    typer.echo(f"entry {ids[0]}: {criterion} {prepared.normalised}")


@watch_app.command("upload")
def upload(path: Path = typer.Argument(..., exists=True, dir_okay=False),
           account: int = _ACCOUNT,
           mode: str = typer.Option("add", help="add | replace | remove")) -> None:
    """Thêm/thay/xóa theo tệp CSV, XLSX, JSONL / add, replace or remove entries from a file."""
    from api import watch_file
    from batch.parse import FileProblemError
    from batch.report import TooManyRowsError
    from core.settings import get_settings
    from watch import entries

    settings = get_settings()
    if mode not in ("add", "replace", "remove"):
        _fail("--mode: add | replace | remove")
    try:
        with path.open("rb") as source:
            report, prepared = watch_file.check(source, source.read(8), path.name, None,
                                                settings)
    except (FileProblemError, TooManyRowsError) as exc:
        _fail(f"tệp không đọc được / the file cannot be taken: {exc}")
        return
    if report.invalid or not prepared:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
        _fail(f"{report.invalid} dòng không hợp lệ, không ghi gì / invalid rows, nothing written")
    with _connect() as conn:
        if mode == "remove":
            typer.echo(f"removed {entries.remove_matching(conn, account, prepared)}")
            return
        try:
            ids = entries.add(conn, account, prepared, settings.watch_max_entries,
                              replace=mode == "replace")
        except entries.LimitError as exc:
            _fail(f"vượt giới hạn {exc.limit} mục / over the limit of {exc.limit} entries")
            return
    typer.echo(f"added {len(ids)}")


@watch_app.command("entries")
def list_entries(account: int = _ACCOUNT, after: int = 0, limit: int = 100) -> None:
    """Liệt kê mục theo dõi (JSON Lines) / list the account's entries."""
    from watch import entries

    with _connect() as conn:
        for entry in entries.listing(conn, account, after, limit):
            typer.echo(json.dumps(entry, ensure_ascii=False))


@watch_app.command("alerts")
def list_alerts(account: int = _ACCOUNT, unread: bool = False, after: int = 0,
                limit: int = 100,
                mark_read: bool = typer.Option(False, help="Mark those listed read.")) -> None:
    """Liệt kê cảnh báo (JSON Lines) / list the account's alerts."""
    from watch import alerts

    with _connect() as conn:
        found = alerts.listing(conn, account, unread_only=unread, after=after, limit=limit)
        for alert in found:
            typer.echo(json.dumps(alert, ensure_ascii=False))
        if mark_read and found:
            alerts.mark_read(conn, account, [a["id"] for a in found])


@watch_app.command("webhook")
def webhook(account: int = _ACCOUNT, url: str = typer.Argument(...)) -> None:
    """Đặt webhook của tài khoản, in khóa ký / set the account's webhook, print its secret."""
    from core.settings import get_settings
    from watch import webhooks

    problem = webhooks.url_problem(url, get_settings().watch_allow_http_webhooks)
    if problem == "not_https":
        _fail("url: phải dùng HTTPS / must use HTTPS")
    elif problem is not None:
        _fail("url: không hợp lệ / not a valid URL")
    with _connect() as conn:
        typer.echo(f"secret (shown once): {webhooks.set_url(conn, account, url)}")


@watch_app.command("digest-to")
def digest_to(account: int = _ACCOUNT,
              emails: list[str] = typer.Argument(None, help="Địa chỉ / addresses"),
              contacts: bool = typer.Option(False, "--contacts",
                                            help="Back to the account's contact e-mails."),
              nobody: bool = typer.Option(False, "--nobody", help="No e-mail digests.")) -> None:
    """Nơi nhận bản tin cảnh báo / where the account's alert digests go."""
    from accounts.errors import AccountInputError
    from accounts.validate import emails as checked
    from billing import digests

    given = list(emails or [])
    if sum((bool(given), contacts, nobody)) > 1:
        _fail("addresses, --contacts or --nobody: one of them / chỉ một trong ba")
    with _connect() as conn:
        if given or nobody:
            try:
                found = checked(given, "emails")
            except AccountInputError as exc:
                _fail(f"{exc.field}: {exc.message_vi} / {exc.message_en}")
                return
            digests.set_recipients(conn, account, found)
        elif contacts:
            digests.set_recipients(conn, account, None)
        typer.echo(json.dumps({"emails": list(digests.recipients(conn, account)),
                               "own_list": digests.recipients_set(conn, account)},
                              ensure_ascii=False))


@watch_app.command("digest")
def digest(as_of: str | None = typer.Option(None, help="The clock (date or date and time)."),
           send: bool = typer.Option(True, help="Send the outbox afterwards.")) -> None:
    """Lập và gửi bản tin cảnh báo / make and send the alerts' e-mail digests now."""
    from billing import digests
    from billing.periods import parse_as_of
    from core.settings import get_settings

    done = digests.run(get_settings(), parse_as_of(as_of) if as_of else None, send=send)
    if done.busy:
        _fail("another digest run holds the lock / đang có lượt khác chạy")
    typer.echo(json.dumps({"digests": done.digests, "alerts": done.alerts,
                           "mail_sent": done.mail_sent, "mail_failed": done.mail_failed}))
