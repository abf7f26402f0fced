"""``regsearch accounts …``: accounts, their users, keys and status, for registry staff at
the command line. An account is named by its id or its code (``KH000123``), a user by
their e-mail. ``--as-of`` sets the time recorded for a change (operators and tests)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import typer

app = typer.Typer(no_args_is_help=True,
                  help="Tài khoản, người dùng, khóa API / accounts, users and API keys.")
T = TypeVar("T")

_ACCOUNT = typer.Argument(..., help="Mã hoặc số tài khoản / account code (KH…) or id.")
_EMAIL = typer.Argument(..., help="Thư điện tử của người dùng / the user's e-mail.")
_AS_OF = typer.Option(None, "--as-of", help="Thời điểm ghi nhận / the time to record "
                      "(ISO 8601; default now).")
_PASSWORD_STDIN = typer.Option(False, "--password-stdin",
                               help="Đọc mật khẩu từ stdin / read the password from stdin.")
_REASON_VI = typer.Option(..., "--reason-vi", help="Lý do (tiếng Việt).")
_REASON_EN = typer.Option(..., "--reason-en", help="Reason (English).")
_REASON_CODE = typer.Option("manual", "--reason-code", help="A short code for the reason.")
_ACTOR = typer.Option("staff (command line)", "--actor", help="Who makes the change.")


def fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code=2)


@contextmanager
def connection() -> Iterator[Any]:
    """A connection to the service database at the newest schema; bilingual refusals of
    the accounts package end the command with their field and rule (exit code 2)."""
    import psycopg

    from accounts.errors import AccountInputError
    from core.settings import get_settings
    from migrations import runner

    with psycopg.connect(get_settings().app_dsn, autocommit=True) as conn:
        try:
            runner.check(conn)
        except runner.SchemaNotCurrentError as exc:
            fail(str(exc))
        try:
            yield conn
        except AccountInputError as exc:
            fail(f"{exc.field} ({exc.rule}): {exc.message_vi} / {exc.message_en}")


def as_of(value: datetime | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def read_password(enabled: bool) -> str | None:
    return sys.stdin.readline().rstrip("\r\n") if enabled else None


def _user(conn: Any, account: str, email: str) -> tuple[int, int]:
    from accounts import records, users

    found = records.find(conn, account)
    return found.id, users.find_by_email(conn, found.id, email).id


@app.command("create")
def create(
    name: str = typer.Option(..., help="Account holder, e.g. the bank's name."),
    role: str = typer.Option("customer", help="customer | agency | admin (registry staff)"),
    agency_kind: str | None = typer.Option(
        None, help="For agencies: court | procuracy | investigation | enforcement | other"),
    tax_code: str | None = typer.Option(None, help="Mã số thuế / tax code."),
    address: str | None = typer.Option(None, help="Địa chỉ / address."),
    contact_email: list[str] = typer.Option([], help="Contact for statements (repeat)."),
    admin_name: str | None = typer.Option(None, help="The first administrator's name."),
    admin_email: str | None = typer.Option(None, help="The first administrator's e-mail."),
    password_stdin: bool = _PASSWORD_STDIN, when: datetime | None = _AS_OF,
) -> None:
    """Mở tài khoản với quản trị viên đầu tiên / create an account with its first
    administrator, and print the administrator's API key (shown once)."""
    from accounts import keys, records, users

    if (admin_email is None) != (admin_name is None):
        fail("--admin-name và --admin-email đi cùng nhau / give both or neither")
    with connection() as conn, conn.transaction():
        account_id = records.create_account(
            conn, name, role, agency_kind, tax_code=tax_code, address=address,
            contact_emails=contact_email, admin_name=admin_name, admin_email=admin_email,
            admin_password=read_password(password_stdin), at=as_of(when),
            actor="staff (command line)")
        admin = users.list_users(conn, account_id)[0]
        key = keys.issue_key(conn, account_id, admin.id)
        code = records.get(conn, account_id).code
    typer.echo(f"account {account_id} {code}: {name} ({role})")
    typer.echo(f"administrator: {admin.email}")
    typer.echo(f"API key (shown once): {key}")


@app.command("show")
def show(account: str = _ACCOUNT, when: datetime | None = _AS_OF) -> None:
    """Thông tin, trạng thái, người dùng / the account's details, status (now, or as it
    was at --as-of), users, history."""
    from accounts import records, status, users

    with connection() as conn:
        found = records.find(conn, account)
        now = status.current(conn, found.id, None if when is None else as_of(when))
        typer.echo(f"{found.code} (id {found.id}): {found.name} [{found.kind}"
                   f"{'/' + found.agency_kind if found.agency_kind else ''}]")
        typer.echo(f"tax code: {found.tax_code or '—'}; address: {found.address or '—'}")
        typer.echo(f"contacts: {', '.join(found.contact_emails) or '—'}")
        typer.echo(f"status: {now.status} since {now.since.isoformat()} ({now.reason_code}):"
                   f" {now.reason_vi} / {now.reason_en}")
        for user in users.list_users(conn, found.id, include_removed=True):
            state = ("removed" if user.removed_at else "disabled" if user.disabled_at
                     else "active")
            typer.echo(f"user {user.id}: {user.name} <{user.email}> {user.role} {state}")
        for row in status.history(conn, found.id):
            typer.echo(f"history: {row['at'].isoformat()} {row['status']}"
                       f" ({row['reason_code']}, {row['actor']}): {row['reason_en']}")


@app.command("add-user")
def add_user(account: str = _ACCOUNT, name: str = typer.Option(...),
             email: str = typer.Option(...),
             role: str = typer.Option("user", help="admin | user"),
             password_stdin: bool = _PASSWORD_STDIN) -> None:
    """Thêm người dùng / add a user and print their first API key (shown once)."""
    from accounts import keys, records, users

    with connection() as conn, conn.transaction():
        found = records.find(conn, account)
        user = users.add_user(conn, found.id, name=name, email=email, role=role,
                              password=read_password(password_stdin))
        key = keys.issue_key(conn, found.id, user.id)
    typer.echo(f"user {user.id}: {user.name} <{user.email}> {user.role}")
    typer.echo(f"API key (shown once): {key}")


def _user_change(account: str, email: str, change: Callable[[Any, int, int], T]) -> T:
    with connection() as conn:
        account_id, user_id = _user(conn, account, email)
        return change(conn, account_id, user_id)


@app.command("disable-user")
def disable_user(account: str = _ACCOUNT, email: str = _EMAIL) -> None:
    """Khóa người dùng / disable a user (their keys stop working)."""
    from accounts import users

    _user_change(account, email, users.disable_user)
    typer.echo("disabled")


@app.command("enable-user")
def enable_user(account: str = _ACCOUNT, email: str = _EMAIL) -> None:
    """Mở khóa người dùng / enable a disabled user again."""
    from accounts import users

    _user_change(account, email, users.enable_user)
    typer.echo("enabled")


@app.command("remove-user")
def remove_user(account: str = _ACCOUNT, email: str = _EMAIL) -> None:
    """Xóa người dùng / remove a user (keys revoked; records stay)."""
    from accounts import users

    _user_change(account, email, users.remove_user)
    typer.echo("removed")


@app.command("set-role")
def set_role(account: str = _ACCOUNT, email: str = _EMAIL,
             role: str = typer.Argument(..., help="admin | user")) -> None:
    """Đổi vai trò / make a user an administrator or an ordinary user."""
    from accounts import users

    _user_change(account, email, lambda c, a, u: users.set_role(c, a, u, role))
    typer.echo(f"role: {role}")


@app.command("set-user")
def set_user(account: str = _ACCOUNT, email: str = _EMAIL,
             name: str | None = typer.Option(None), new_email: str | None = typer.Option(None),
             password_stdin: bool = _PASSWORD_STDIN) -> None:
    """Sửa người dùng / rename a user, change their e-mail or set their password (e.g.
    the placeholder administrator an upgraded account was given)."""
    from accounts import users

    password = read_password(password_stdin)
    with connection() as conn, conn.transaction():
        account_id, user_id = _user(conn, account, email)
        if name is not None or new_email is not None:
            users.update_user(conn, account_id, user_id, name=name, email=new_email)
        if password is not None:
            users.set_password(conn, account_id, user_id, password)
    typer.echo("updated")


@app.command("reset-key")
def reset_key(account: str = _ACCOUNT, email: str = _EMAIL) -> None:
    """Cấp lại khóa / revoke the user's keys and print one new key (shown once)."""
    from accounts import keys

    key = _user_change(account, email, keys.reset_keys)
    typer.echo(f"API key (shown once): {key}")


@app.command("revoke")
def revoke(key: str = typer.Argument(..., help="The API key to revoke.")) -> None:
    """Thu hồi khóa / revoke an API key at once."""
    from accounts import keys

    with connection() as conn:
        if not keys.revoke_key(conn, key):
            fail("Không tìm thấy khóa còn hiệu lực / no such active key")
    typer.echo("revoked")


def _status(account: str, new: str, reason_code: str, reason_vi: str, reason_en: str,
            actor: str, when: datetime | None) -> None:
    from accounts import records, status
    from accounts.errors import AccountInputError

    with connection() as conn, conn.transaction():
        found = records.find(conn, account)
        try:
            changed = status.change(conn, found.id, new,  # type: ignore[arg-type]
                                    reason_code=reason_code, reason_vi=reason_vi,
                                    reason_en=reason_en, actor=actor, at=as_of(when))
        except status.AgencyNotSuspendableError as exc:
            raise AccountInputError("reason_code", "agency_fee_exempt",
                                    "Cơ quan nhà nước không phải nộp phí.",
                                    "Agencies pay nothing.") from exc
    typer.echo(f"{found.code}: {new}" if changed else f"{found.code}: already {new}")


@app.command("suspend")
def suspend(account: str = _ACCOUNT, reason_vi: str = _REASON_VI, reason_en: str = _REASON_EN,
            reason_code: str = _REASON_CODE, actor: str = _ACTOR,
            when: datetime | None = _AS_OF) -> None:
    """Tạm ngừng dịch vụ có thu phí / suspend the paid services, with the reason."""
    _status(account, "suspended", reason_code, reason_vi, reason_en, actor, when)


@app.command("reopen")
def reopen(account: str = _ACCOUNT, reason_vi: str = _REASON_VI, reason_en: str = _REASON_EN,
           reason_code: str = _REASON_CODE, actor: str = _ACTOR,
           when: datetime | None = _AS_OF) -> None:
    """Mở lại tài khoản / reopen a suspended or closed account."""
    _status(account, "active", reason_code, reason_vi, reason_en, actor, when)


@app.command("close")
def close(account: str = _ACCOUNT, reason_vi: str = _REASON_VI, reason_en: str = _REASON_EN,
          reason_code: str = _REASON_CODE, actor: str = _ACTOR,
          when: datetime | None = _AS_OF) -> None:
    """Đóng tài khoản / close: keys stop working, users cannot sign in; records stay."""
    _status(account, "closed", reason_code, reason_vi, reason_en, actor, when)
