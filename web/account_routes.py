"""The account pages (``/tai-khoan/…``) of a signed-in user: each calls the JSON route's own
function with the session's caller, and the same role checks (``api.deps``), so what a
role may see and do is decided once, by ``api.account_routes``:

- ``/tai-khoan``: the account's details, status with its reason and history, balance;
- ``/tai-khoan/nguoi-dung``: its users (every user sees them); the administrator adds a
  user with a role and a first password, and removes one;
- ``/tai-khoan/khoa-api``: one's own API keys: list, create (shown once), revoke.

Fees (transactions, statements) are ``web.billing_routes``'.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from accounts.errors import AccountInputError
from api import account_routes
from api.account_models import NewUser
from api.deps import ResourcesDep, require_account_admin
from api.errors import ApiProblemError
from api.problems import from_pydantic
from api.resources import Resources
from web.pages import page
from web.session import CsrfDep, SignedInDep

router = APIRouter(include_in_schema=False)
Problems = dict[str, tuple[str, str]]
FormText = Annotated[str, Form(max_length=1024)]


@router.get("/tai-khoan", response_class=HTMLResponse)
def overview(request: Request, resources: ResourcesDep, user: SignedInDep) -> Response:
    """Tài khoản / the account: details, status with its reason, balance."""
    return page(request, "account.html",
                account=account_routes.get_account(resources, user.caller),
                history=account_routes.status_history(resources, user.caller))


def refused(request: Request, exc: ApiProblemError) -> Response:
    """A refusal of the use case (e.g. not the account's administrator) as a page."""
    return page(request, "refused.html", status=exc.status, headers=exc.headers,
                message=(exc.message_vi, exc.message_en), retry_after=None,
                title=("Không thực hiện được", "Not allowed"), no_form=True)


def _users_page(request: Request, resources: Resources, user: Any, status: int = 200,
                **shown: Any) -> Response:
    return page(request, "users.html", status=status,
                users=account_routes.list_users(resources, user.caller),
                is_admin=user.caller.is_account_admin, **shown)


@router.get("/tai-khoan/nguoi-dung", response_class=HTMLResponse)
def users_page(request: Request, resources: ResourcesDep, user: SignedInDep,
               removed: str = "") -> Response:
    """Người dùng / the account's users."""
    return _users_page(request, resources, user, removed=removed)


def _form_problems(exc: ValidationError) -> Problems:
    found: Problems = {}
    for error in exc.errors():
        one = from_pydantic(dict(error))
        found.setdefault(one.field, (one.message_vi, one.message_en))
    return found


@router.post("/tai-khoan/nguoi-dung", response_class=HTMLResponse)
def add_user(request: Request, resources: ResourcesDep, user: SignedInDep, _: CsrfDep,
             name: FormText = "", email: FormText = "", role: FormText = "user",
             password: FormText = "") -> Response:
    """Thêm người dùng / the administrator adds a user (their first key shown once; a
    thread of FastAPI's pool, like the JSON route: the password is hashed)."""
    entered = {"name": name, "email": email, "role": role, "password": password}
    shown = {"entered": {**entered, "password": ""}}
    try:
        admin = require_account_admin(user.caller)
        body = NewUser.model_validate({**entered, "password": entered["password"] or None})
        added = account_routes.add_user(body, resources, admin)
    except ApiProblemError as exc:
        return refused(request, exc)
    except ValidationError as exc:
        return _users_page(request, resources, user, 422, problems=_form_problems(exc),
                           **shown)
    except AccountInputError as exc:
        return _users_page(request, resources, user, exc.status, problems={
            exc.field: (exc.message_vi, exc.message_en)}, **shown)
    return _users_page(request, resources, user, 201, added=added)


@router.post("/tai-khoan/nguoi-dung/{user_id}/xoa", response_class=HTMLResponse)
def remove_user(request: Request, user_id: int, resources: ResourcesDep, user: SignedInDep,
                _: CsrfDep) -> Response:
    """Xóa người dùng / the administrator removes a user (their keys revoked)."""
    try:
        gone = account_routes.remove_user(user_id, resources, require_account_admin(user.caller))
    except ApiProblemError as exc:
        return refused(request, exc)
    except AccountInputError as exc:
        return _users_page(request, resources, user, exc.status, problems={
            "remove": (exc.message_vi, exc.message_en)})
    return RedirectResponse(f"/tai-khoan/nguoi-dung?removed={gone['id']}", status_code=303)


def _keys_page(request: Request, resources: Resources, user: Any, status: int = 200,
               **shown: Any) -> Response:
    return page(request, "keys.html", status=status,
                keys=account_routes.my_keys(resources, user.caller), **shown)


@router.get("/tai-khoan/khoa-api", response_class=HTMLResponse)
def keys_page(request: Request, resources: ResourcesDep, user: SignedInDep,
              revoked: str = "") -> Response:
    """Khóa API / one's own keys."""
    return _keys_page(request, resources, user, revoked=revoked)


@router.post("/tai-khoan/khoa-api", response_class=HTMLResponse)
def new_key(request: Request, resources: ResourcesDep, user: SignedInDep,
            _: CsrfDep) -> Response:
    """Tạo khóa / a new key, shown this once."""
    made = account_routes.new_key(resources, user.caller)
    return _keys_page(request, resources, user, 201, new_key=made["api_key"])


@router.post("/tai-khoan/khoa-api/{key_id}/thu-hoi", response_class=HTMLResponse)
def revoke_key(request: Request, key_id: str, resources: ResourcesDep, user: SignedInDep,
               _: CsrfDep) -> Response:
    """Thu hồi khóa / revoke one of one's keys."""
    try:
        account_routes.revoke_my_key(key_id, resources, user.caller)
    except ApiProblemError as exc:
        return _keys_page(request, resources, user, exc.status, problem=(
            exc.message_vi, exc.message_en))
    return RedirectResponse(f"/tai-khoan/khoa-api?revoked={key_id}", status_code=303)
