"""Users under an account: the first is its administrator; the last active administrator
cannot be removed, disabled or demoted (also by two changes at once, and by SQL that goes
round the code); e-mails unique case-insensitively; passwords checked; keys follow users
and accounts."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

pytestmark = pytest.mark.services
PASSWORD = "Mật khẩu 2027 an toàn"
#: the test database outlives a run: e-mails of this run are its own
RUN = uuid.uuid4().hex[:8]


@pytest.fixture()
def conn(app_database: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(os.environ["REGSEARCH_APP_DSN"], autocommit=True) as connection:
        yield connection


def _bank(conn: psycopg.Connection[Any], tag: str) -> tuple[int, int]:
    """An account with its first administrator (id returned) and nothing else."""
    from accounts import records, users

    account = records.create_account(
        conn, f"Ngân hàng {tag}", "customer", tax_code="0101234567",
        address="1 Tràng Tiền, Hà Nội", contact_emails=[f"ketoan.{tag}.{RUN}@nganhang.vn"],
        admin_name="Nguyễn Văn An", admin_email=f"an.{tag}.{RUN}@nganhang.vn",
        admin_password=PASSWORD)
    return account, users.list_users(conn, account)[0].id


def test_the_first_user_is_the_administrator_and_keys_name_them(
        conn: psycopg.Connection[Any]) -> None:
    import accounts
    from accounts import keys, records, status, users

    account, admin = _bank(conn, "first")
    found = records.get(conn, account)
    assert found.code.startswith("KH") and found.status == "active"
    assert found.contact_emails == (f"ketoan.first.{RUN}@nganhang.vn",)
    assert users.get_user(conn, account, admin).role == "admin"
    assert status.current(conn, account).reason_code == "opened"
    clerk = users.add_user(conn, account, name="Lê Thị Bình",
                           email=f"Binh.First.{RUN}@NganHang.vn")
    key = keys.issue_key(conn, account, clerk.id)
    caller = accounts.authenticate(conn, key)
    assert (caller.account_id, caller.user_id, caller.user_role) == (account, clerk.id, "user")
    assert not caller.is_account_admin and not caller.is_staff


def test_a_duplicate_email_is_refused_whatever_its_case_and_nothing_is_written(
        conn: psycopg.Connection[Any]) -> None:
    from accounts import users
    from accounts.errors import AccountInputError

    account, _ = _bank(conn, "dup")
    other, _ = _bank(conn, "dup2")
    before = users.list_users(conn, other)
    with pytest.raises(AccountInputError) as caught:
        users.add_user(conn, other, name="Người khác", email=f"AN.DUP.{RUN}@nganhang.VN")
    assert (caught.value.field, caught.value.rule) == ("email", "duplicate")
    assert "đã được" in caught.value.message_vi and "already used" in caught.value.message_en
    assert users.list_users(conn, other) == before
    with pytest.raises(AccountInputError) as weak:
        users.add_user(conn, account, name="Yếu", email=f"yeu.dup.{RUN}@nganhang.vn",
                       password="aaaaaaaaaaaa")
    assert (weak.value.field, weak.value.rule) == ("password", "character_classes")
    assert [u.email for u in users.list_users(conn, account)] == \
        [f"an.dup.{RUN}@nganhang.vn"]


@pytest.mark.parametrize("change", ["remove_user", "disable_user", "demote"])
def test_the_last_administrator_stays(conn: psycopg.Connection[Any], change: str) -> None:
    from accounts import users
    from accounts.errors import LastAdministratorError

    account, admin = _bank(conn, f"last{change}")
    clerk = users.add_user(conn, account, name="Lê Thị Bình",
                           email=f"binh.{change}.{RUN}@nganhang.vn")
    act: Callable[[int], Any] = (
        (lambda u: users.set_role(conn, account, u, "user")) if change == "demote"
        else (lambda u: getattr(users, change)(conn, account, u)))
    with pytest.raises(LastAdministratorError):
        act(admin)
    assert users.get_user(conn, account, admin).active
    users.set_role(conn, account, clerk.id, "admin")
    act(admin)  # another administrator now: allowed
    with pytest.raises(LastAdministratorError):
        act(clerk.id)


def test_two_administrators_demoting_each_other_at_once_leave_one(
        conn: psycopg.Connection[Any]) -> None:
    from accounts import users
    from accounts.errors import LastAdministratorError

    account, first = _bank(conn, "race")
    second = users.add_user(conn, account, name="Trần Văn Cường",
                            email=f"cuong.race.{RUN}@nganhang.vn", role="admin").id
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def demote(user_id: int) -> None:
        with psycopg.connect(os.environ["REGSEARCH_APP_DSN"], autocommit=True) as own:
            barrier.wait(timeout=20)
            try:
                users.set_role(own, account, user_id, "user")
                outcomes.append("demoted")
            except LastAdministratorError:
                outcomes.append("refused")

    threads = [threading.Thread(target=demote, args=(u,)) for u in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["demoted", "refused"]
    assert [u.role for u in users.list_users(conn, account)].count("admin") == 1


def test_the_database_refuses_it_too_when_sql_goes_round_the_code(
        conn: psycopg.Connection[Any]) -> None:
    """Two transactions each disable one of the two administrators and hold their
    transaction open: the trigger makes the second wait for the first, then refuses."""
    from accounts import users

    account, first = _bank(conn, "sql")
    second = users.add_user(conn, account, name="Trần Văn Cường",
                            email=f"cuong.sql.{RUN}@nganhang.vn", role="admin").id
    dsn = os.environ["REGSEARCH_APP_DSN"]
    with psycopg.connect(dsn) as one, psycopg.connect(dsn) as two:
        one.execute("UPDATE users SET disabled_at = now() WHERE id = %s", (first,))
        errors: list[BaseException] = []

        def other() -> None:
            try:
                two.execute("UPDATE users SET disabled_at = now() WHERE id = %s", (second,))
                two.commit()
            except psycopg.Error as exc:
                errors.append(exc)
                two.rollback()

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive()  # waiting for the account's row lock
        one.commit()
        thread.join(timeout=30)
    assert len(errors) == 1 and isinstance(errors[0], psycopg.errors.CheckViolation)
    assert errors[0].diag.constraint_name == "users_last_admin"
    assert [u.active for u in users.list_users(conn, account)] == [False, True]


def test_passwords_sign_in_and_closed_accounts_and_disabled_users_are_refused(
        conn: psycopg.Connection[Any]) -> None:
    import accounts
    from accounts import keys, status, users
    from accounts.errors import AccountInputError

    account, admin = _bank(conn, "signin")
    assert users.authenticate(conn, f"AN.SIGNIN.{RUN}@nganhang.vn", PASSWORD) is not None
    assert users.authenticate(conn, f"an.signin.{RUN}@nganhang.vn", PASSWORD + "x") is None
    assert users.authenticate(conn, f"nobody.{RUN}@nganhang.vn", PASSWORD) is None
    with pytest.raises(AccountInputError) as wrong:
        users.change_password(conn, account, admin, "not it", "Mới hơn 2028 nhé")
    assert wrong.value.field == "current_password"
    users.change_password(conn, account, admin, PASSWORD, "Mới hơn 2028 nhé")
    assert users.authenticate(conn, f"an.signin.{RUN}@nganhang.vn",
                              "Mới hơn 2028 nhé") is not None
    clerk = users.add_user(conn, account, name="Bình", email=f"binh.signin.{RUN}@nganhang.vn",
                           password=PASSWORD)
    key = keys.issue_key(conn, account, clerk.id)
    users.disable_user(conn, account, clerk.id)
    with pytest.raises(accounts.KeyRejectedError) as disabled:
        accounts.authenticate(conn, key)
    assert disabled.value.reason == "user_disabled"
    assert users.authenticate(conn, f"binh.signin.{RUN}@nganhang.vn", PASSWORD) is None
    users.enable_user(conn, account, clerk.id)
    assert accounts.authenticate(conn, key).user_id == clerk.id
    with conn.transaction():
        status.change(conn, account, "closed", reason_code="manual", reason_vi="Đóng.",
                      reason_en="Closed.", actor="test", at=datetime.now(UTC))
    with pytest.raises(accounts.KeyRejectedError) as closed:
        accounts.authenticate(conn, key)
    assert closed.value.reason == "account_closed"
    assert users.authenticate(conn, f"binh.signin.{RUN}@nganhang.vn", PASSWORD) is None


def test_removing_a_user_revokes_their_keys_and_frees_the_email(
        conn: psycopg.Connection[Any]) -> None:
    import accounts
    from accounts import keys, users

    account, _ = _bank(conn, "remove")
    clerk = users.add_user(conn, account, name="Bình", email=f"binh.remove.{RUN}@nganhang.vn")
    key = keys.issue_key(conn, account, clerk.id)
    users.remove_user(conn, account, clerk.id)
    with pytest.raises(accounts.KeyRejectedError) as revoked:
        accounts.authenticate(conn, key)
    assert revoked.value.reason == "revoked"
    again = users.add_user(conn, account, name="Bình", email=f"binh.remove.{RUN}@nganhang.vn")
    assert again.id != clerk.id
    assert len(users.list_users(conn, account, include_removed=True)) == 3


def test_unknown_account_and_user(conn: psycopg.Connection[Any]) -> None:
    from accounts import records, users
    from accounts.errors import UnknownAccountError, UnknownUserError

    account, _ = _bank(conn, "unknown")
    other, other_admin = _bank(conn, "unknown2")
    with pytest.raises(UnknownAccountError):
        records.find(conn, "KH999999")
    with pytest.raises(UnknownAccountError):
        users.add_user(conn, 10**12, name="X", email=f"x.unknown.{RUN}@nganhang.vn")
    with pytest.raises(UnknownUserError):  # a user of another account is unknown here
        users.disable_user(conn, account, other_admin)
    assert users.get_user(conn, other, other_admin).active
