"""Refusals of the accounts package, each naming the field and the rule, in Vietnamese and
English. The API turns them into 422 (404 for an unknown account or user, 409 for the last
administrator); the command prints them."""

from __future__ import annotations


class AccountInputError(ValueError):
    """Bad input: nothing was written."""

    status = 422

    def __init__(self, field: str, rule: str, message_vi: str, message_en: str) -> None:
        super().__init__(f"{field}: {message_en}")
        self.field, self.rule = field, rule
        self.message_vi, self.message_en = message_vi, message_en


class UnknownAccountError(AccountInputError, LookupError):
    status = 404

    def __init__(self, account: int | str, field: str = "account_id") -> None:
        super().__init__(field, "unknown_account",
                         f"Không có tài khoản {account}.", f"No account {account}.")
        self.account = account


class UnknownUserError(AccountInputError, LookupError):
    status = 404

    def __init__(self, user: int | str, field: str = "user_id") -> None:
        super().__init__(field, "unknown_user",
                         f"Tài khoản không có người dùng {user}.",
                         f"The account has no user {user}.")
        self.user = user


class LastAdministratorError(AccountInputError):
    """The change would leave the account without an active administrator."""

    status = 409

    def __init__(self, field: str = "user_id") -> None:
        super().__init__(
            field, "last_administrator",
            "Tài khoản phải luôn có ít nhất một quản trị viên đang hoạt động: không thể xóa,"
            " khóa hoặc hạ quyền quản trị viên cuối cùng.",
            "An account always keeps at least one active administrator: the last one cannot"
            " be removed, disabled or demoted.")
