"""The account API: what every user of an account sees, what its administrators change,
and what each user changes of their own (password, keys). Registry staff have their own
routes (``api.staff_routes``). Nothing here shows anything of another account: every
query is bound to the caller's account."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse

import accounts
from accounts import keys, records, status, users, views
from accounts.errors import AccountInputError
from api.account_models import AccountChange, NewUser, PasswordChange, UserChange
from api.deps import AccountAdminDep, AccountDep, ResourcesDep
from api.errors import ApiProblemError, error_response, invalid_response
from api.openapi import refusals
from billing import balance
from query.problems import Problem

#: Every refusal of these routes: no key, not allowed, unknown account or user, the last
#: administrator, invalid input, the database unreachable.
REFUSALS = refusals(401, 403, 404, 409, 422, 503)
router = APIRouter(tags=["account / tài khoản"])
Caller = accounts.Caller


def install(app: FastAPI) -> None:
    """Refusals of the accounts package: 422 naming the field and the rule (nothing was
    written), 404 for an unknown account or user, 409 for the last administrator."""

    @app.exception_handler(AccountInputError)
    async def _refused(_: Request, exc: AccountInputError) -> JSONResponse:
        if exc.status == 422:
            return invalid_response([Problem(exc.field, exc.rule, exc.message_vi,
                                             exc.message_en)])
        return error_response(exc.status, exc.rule, exc.message_vi, exc.message_en,
                              field=exc.field)



def _account_id(caller: Caller) -> int:
    assert caller.account_id is not None  # require_account
    return caller.account_id


def _user_id(caller: Caller) -> int:
    if caller.user_id is None:
        raise ApiProblemError(403, "user_required", "Khóa API không gắn với người dùng.",
                              "This key belongs to no user.")
    return caller.user_id


@router.get("/v1/account", responses=REFUSALS)
def get_account(resources: ResourcesDep,
                caller: AccountDep) -> dict[str, Any]:
    """Tài khoản / the caller's account: details and status with its reason."""
    with resources.pool.connection() as conn:
        view = views.account_view(conn, _account_id(caller))
        view["balance"] = balance.summary(conn, _account_id(caller))
        view["me"] = views.user_dict(users.get_user(conn, _account_id(caller),
                                                    _user_id(caller)))
        return view


@router.patch("/v1/account", responses=REFUSALS)
def change_account(body: AccountChange, resources: ResourcesDep,
                   caller: AccountAdminDep) -> dict[str, Any]:
    """Cập nhật thông tin tài khoản / update the account's details (administrators)."""
    with resources.pool.connection() as conn:
        records.update_details(conn, _account_id(caller), **body.model_dump(exclude_unset=True))
        return views.account_view(conn, _account_id(caller))


@router.get("/v1/account/status-history", responses=REFUSALS)
def status_history(resources: ResourcesDep,
                   caller: AccountDep) -> list[dict[str, Any]]:
    """Lịch sử trạng thái / every change of the account's status, with its reason."""
    with resources.pool.connection() as conn:
        return status.history(conn, _account_id(caller))


@router.get("/v1/account/transactions", responses=REFUSALS)
def transactions(
    resources: ResourcesDep, caller: AccountDep,
    start: Annotated[datetime | None, Query(alias="from", description="inclusive")] = None,
    end: Annotated[datetime | None, Query(alias="to", description="exclusive")] = None,
    kind: Annotated[list[Literal["certificate", "batch", "search"]] | None, Query()] = None,
) -> list[dict[str, Any]]:
    """Giao dịch / the account's ledger lines, each naming the user who asked."""
    with resources.pool.connection() as conn:
        return views.transactions(conn, _account_id(caller), start=start, end=end,
                                  kinds=tuple(kind) if kind else views.CHARGEABLE)


@router.get("/v1/account/users", responses=REFUSALS)
def list_users(resources: ResourcesDep,
               caller: AccountDep) -> list[dict[str, Any]]:
    """Người dùng / the account's users (every user of the account sees them)."""
    with resources.pool.connection() as conn:
        return [views.user_dict(u) for u in users.list_users(conn, _account_id(caller))]


@router.post("/v1/account/users", status_code=201, responses=REFUSALS)
def add_user(body: NewUser, resources: ResourcesDep,
             caller: AccountAdminDep) -> dict[str, Any]:
    """Thêm người dùng / add a user (administrators); their first API key, shown once."""
    with resources.pool.connection() as conn, conn.transaction():
        user = users.add_user(conn, _account_id(caller), name=body.name, email=body.email,
                              role=body.role, password=body.password)
        key = keys.issue_key(conn, _account_id(caller), user.id)
    return {"user": views.user_dict(user), "api_key": key}


@router.patch("/v1/account/users/{user_id}", responses=REFUSALS)
def change_user(user_id: int, body: UserChange, resources: ResourcesDep,
                caller: AccountAdminDep) -> dict[str, Any]:
    """Sửa người dùng / rename, change the e-mail or role, disable or enable a user."""
    account = _account_id(caller)
    with resources.pool.connection() as conn, conn.transaction():
        user = users.get_user(conn, account, user_id)
        if body.name is not None or body.email is not None:
            user = users.update_user(conn, account, user_id, name=body.name, email=body.email)
        if body.role is not None:
            user = users.set_role(conn, account, user_id, body.role)
        if body.disabled is True:
            user = users.disable_user(conn, account, user_id)
        elif body.disabled is False:
            user = users.enable_user(conn, account, user_id)
        return views.user_dict(user)


@router.delete("/v1/account/users/{user_id}", responses=REFUSALS)
def remove_user(user_id: int, resources: ResourcesDep,
                caller: AccountAdminDep) -> dict[str, Any]:
    """Xóa người dùng / remove a user: their keys are revoked, their records stay."""
    with resources.pool.connection() as conn:
        return views.user_dict(users.remove_user(conn, _account_id(caller), user_id))


@router.post("/v1/account/users/{user_id}/keys/reset", responses=REFUSALS)
def reset_user_keys(user_id: int, resources: ResourcesDep,
                    caller: AccountAdminDep) -> dict[str, Any]:
    """Cấp lại khóa / revoke every key of the user and give one new key (shown once)."""
    with resources.pool.connection() as conn:
        user = users.get_user(conn, _account_id(caller), user_id)
        if not user.active:
            raise ApiProblemError(409, "user_not_active",
                                  "Người dùng đã bị khóa hoặc xóa.",
                                  "The user is disabled or removed.")
        return {"api_key": keys.reset_keys(conn, _account_id(caller), user_id)}


@router.post("/v1/account/me/password", status_code=204, responses=REFUSALS)
def change_my_password(body: PasswordChange, resources: ResourcesDep,
                       caller: AccountDep) -> None:
    """Đổi mật khẩu / change one's own password (the current one is asked when set)."""
    with resources.pool.connection() as conn:
        users.change_password(conn, _account_id(caller), _user_id(caller),
                              body.current_password, body.new_password)


@router.get("/v1/account/me/keys", responses=REFUSALS)
def my_keys(resources: ResourcesDep,
            caller: AccountDep) -> list[dict[str, Any]]:
    """Khóa API của tôi / one's own keys (named by the start of their hash)."""
    with resources.pool.connection() as conn:
        return [views.key_dict(k) for k in keys.list_keys(conn, _user_id(caller))]


@router.post("/v1/account/me/keys", status_code=201, responses=REFUSALS)
def new_key(resources: ResourcesDep,
            caller: AccountDep) -> dict[str, Any]:
    """Tạo khóa mới / a new key for oneself (shown once)."""
    with resources.pool.connection() as conn:
        return {"api_key": keys.issue_key(conn, _account_id(caller), _user_id(caller))}


@router.delete("/v1/account/me/keys/{key_id}", responses=REFUSALS)
def revoke_my_key(key_id: str, resources: ResourcesDep,
                  caller: AccountDep) -> dict[str, Any]:
    """Thu hồi khóa / revoke one of one's own keys."""
    with resources.pool.connection() as conn:
        if not keys.revoke_by_id(conn, _user_id(caller), key_id):
            raise ApiProblemError(404, "unknown_key", "Không có khóa còn hiệu lực này.",
                                  "No such active key of yours.")
    return {"revoked": key_id}
