"""``regsearch accounts …`` against the service database: an account with its first
administrator, users added, disabled and removed, keys reset, status changed with
``--as-of``, and refusals said in both languages with exit code 2 and nothing written."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from typer.testing import CliRunner

pytestmark = pytest.mark.services
#: the test database outlives a run: e-mails of this run are its own
RUN = uuid.uuid4().hex[:8]


def _run(*args: str, stdin: str | None = None) -> Any:
    from regsearch.cli import app

    return CliRunner().invoke(app, ["accounts", *args], input=stdin)


def _key(output: str) -> str:
    found = re.search(r"API key \(shown once\): (\S+)", output)
    assert found, output
    return found.group(1)


def test_the_account_commands(app_database: str, settings: Any) -> None:
    import psycopg

    import accounts

    made = _run("create", "--name", "Ngân hàng Dòng lệnh", "--tax-code", "0109876543",
                "--contact-email", f"ketoan.cli.{RUN}@nganhang.vn",
                "--admin-name", "Nguyễn Văn An",
                "--admin-email", f"an.cli.{RUN}@nganhang.vn", "--password-stdin",
                "--as-of", "2027-01-02T03:04:05+07:00", stdin="Mật khẩu dòng lệnh 1\n")
    assert made.exit_code == 0, made.output
    code = re.search(r"(KH\d{6})", made.output).group(1)  # type: ignore[union-attr]
    admin_key = _key(made.output)
    added = _run("add-user", code, "--name", "Lê Thị Bình",
                 "--email", f"binh.cli.{RUN}@nganhang.vn")
    assert added.exit_code == 0, added.output
    user_key = _key(added.output)
    duplicate = _run("add-user", code, "--name", "Khác",
                     "--email", f"BINH.CLI.{RUN}@nganhang.vn")
    assert duplicate.exit_code == 2
    assert "email (duplicate)" in duplicate.output and "already used" in duplicate.output
    last = _run("remove-user", code, f"an.cli.{RUN}@nganhang.vn")
    assert last.exit_code == 2 and "last_administrator" in last.output
    assert _run("disable-user", code, f"binh.cli.{RUN}@nganhang.vn").exit_code == 0
    reset = _run("reset-key", code, f"an.cli.{RUN}@nganhang.vn")
    assert reset.exit_code == 0
    new_admin_key = _key(reset.output)
    suspended = _run("suspend", code, "--reason-vi", "Khách hàng đề nghị.",
                     "--reason-en", "Asked by the customer.", "--as-of", "2027-02-01T08:00:00Z")
    assert suspended.exit_code == 0 and f"{code}: suspended" in suspended.output
    again = _run("suspend", code, "--reason-vi", "x", "--reason-en", "x")
    assert again.exit_code == 0 and "already suspended" in again.output
    shown = _run("show", code)
    assert shown.exit_code == 0, shown.output
    assert "status: suspended since 2027-02-01T08:00:00+00:00" in shown.output
    assert f"binh.cli.{RUN}@nganhang.vn> user disabled" in shown.output
    assert "history: 2027-01-01T20:04:05+00:00 active (opened" in shown.output
    before = _run("show", code, "--as-of", "2027-01-15T00:00:00Z")
    assert "status: active since 2027-01-01T20:04:05+00:00 (opened)" in before.output
    with psycopg.connect(settings.app_dsn) as conn:
        for key, reason in ((admin_key, "revoked"), (user_key, "user_disabled")):
            with pytest.raises(accounts.KeyRejectedError) as refused:
                accounts.authenticate(conn, key)
            assert refused.value.reason == reason
        assert accounts.authenticate(conn, new_admin_key).account_status == "suspended"
    assert _run("close", code, "--reason-vi", "Đóng.", "--reason-en", "Closed.").exit_code == 0
    with psycopg.connect(settings.app_dsn) as conn, pytest.raises(accounts.KeyRejectedError):
        accounts.authenticate(conn, new_admin_key)
    assert _run("reopen", code, "--reason-vi", "Mở lại.", "--reason-en", "Reopened.",
                ).exit_code == 0
    unknown = _run("show", "KH999999")
    assert unknown.exit_code == 2 and "No account KH999999" in unknown.output
    weak = _run("set-user", code, f"an.cli.{RUN}@nganhang.vn", "--password-stdin",
                stdin=f"an.cli.{RUN}@nganhang.vn\n")
    assert weak.exit_code == 2 and "password (not_email)" in weak.output
