"""The registry staff's account API: open accounts with their first administrator, read and
change any account, suspend, reopen and close by hand with a reason.

Registry staff are the users of the registry's own account (``accounts.role = 'admin'``,
``Caller.is_staff``); an account's administrator (``users.role = 'admin'``) is not staff.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends

import accounts
from accounts import keys, records, status, users, views
from accounts.errors import AccountInputError
from api.account_models import AccountChange, NewAccount, StatusChange
from api.auth import require_account
from api.errors import ApiProblemError
from api.resources import Resources, get_resources

router = APIRouter(prefix="/v1/staff", tags=["registry staff / cán bộ cơ quan đăng ký"])
Caller = accounts.Caller


def require_staff(caller: Caller = Depends(require_account)) -> Caller:
    if not caller.is_staff:
        raise ApiProblemError(403, "staff_required",
                              "Chỉ cán bộ của cơ quan đăng ký mới được thực hiện thao tác này.",
                              "Only the registry's staff may do this.")
    return caller


def actor(caller: Caller) -> str:
    return f"staff user {caller.user_id} ({caller.name})"


@router.post("/accounts", status_code=201)
def open_account(body: NewAccount, resources: Resources = Depends(get_resources),
                 caller: Caller = Depends(require_staff)) -> dict[str, Any]:
    """Mở tài khoản / open an account with its first administrator (key shown once)."""
    with resources.pool.connection() as conn, conn.transaction():
        account_id = records.create_account(
            conn, body.name, body.kind, body.agency_kind, tax_code=body.tax_code,
            address=body.address, contact_emails=body.contact_emails,
            admin_name=body.admin_name, admin_email=body.admin_email,
            admin_password=body.admin_password, actor=actor(caller))
        admin = users.list_users(conn, account_id)[0]
        key = keys.issue_key(conn, account_id, admin.id)
        view = views.account_view(conn, account_id)
    return {"account": view, "administrator": views.user_dict(admin), "api_key": key}


@router.get("/accounts/{ref}")
def get_account(ref: str, resources: Resources = Depends(get_resources),
                _: Caller = Depends(require_staff)) -> dict[str, Any]:
    """Any account by id or code, with its users and status history."""
    with resources.pool.connection() as conn:
        account = records.find(conn, ref)
        view = views.account_view(conn, account.id)
        view["users"] = [views.user_dict(u) for u in users.list_users(conn, account.id)]
        view["status_history"] = status.history(conn, account.id)
        return view


@router.patch("/accounts/{ref}")
def change_account(ref: str, body: AccountChange, resources: Resources = Depends(get_resources),
                   _: Caller = Depends(require_staff)) -> dict[str, Any]:
    with resources.pool.connection() as conn:
        account = records.find(conn, ref)
        records.update_details(conn, account.id, **body.model_dump(exclude_unset=True))
        return views.account_view(conn, account.id)


@router.post("/accounts/{ref}/status")
def change_status(ref: str, body: StatusChange, resources: Resources = Depends(get_resources),
                  caller: Caller = Depends(require_staff)) -> dict[str, Any]:
    """Tạm ngừng, mở lại, đóng / suspend, reopen or close by hand, with the reason."""
    with resources.pool.connection() as conn, conn.transaction():
        account = records.find(conn, ref)
        try:
            changed = status.change(conn, account.id, body.status,
                                    reason_code=body.reason_code, reason_vi=body.reason_vi,
                                    reason_en=body.reason_en, actor=actor(caller),
                                    at=datetime.now(UTC))
        except status.AgencyNotSuspendableError as exc:
            raise AccountInputError(
                "reason_code", "agency_fee_exempt",
                "Cơ quan nhà nước không phải nộp phí: không tạm ngừng hay đóng vì phí.",
                "Agencies pay nothing: never suspended or closed for fees.") from exc
        return {"changed": changed,
                "status": views.status_dict(status.current(conn, account.id))}
