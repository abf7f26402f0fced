"""Sign-in (``/dang-nhap``), sign-out (``POST /dang-xuat``) and one's own password
(``/tai-khoan/mat-khau``); ``install`` puts the session cookie and the pages' refusals
(sign-in required, CSRF) on the application.

Argon2 takes about half a second a password: every check runs in a thread, at most
``ARGON2_AT_ONCE`` at a time (each uses 64 MiB), never on the event loop. Attempts are
limited per client address and per e-mail address with the API's limiter
(``api.ratelimit``); a wrong e-mail and a wrong password get the same words.
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
import psycopg
from anyio import CapacityLimiter
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.middleware.sessions import SessionMiddleware

from accounts import signin
from accounts.errors import AccountInputError
from api import ratelimit
from api.auth import REGISTRY_DB_DOWN, client_address
from api.deps import ResourcesDep
from api.errors import ApiProblemError, ServiceUnavailableError
from api.resources import Resources
from core.settings import Settings
from web import session
from web.pages import page
from web.session import CsrfDep, SessionUserDep, SignedInDep

router = APIRouter(include_in_schema=False)

#: Argon2 checks running at once per API worker (64 MiB and ~0.5 s of a core each).
ARGON2_AT_ONCE = 2
_limiter: CapacityLimiter | None = None

REFUSED = ("Địa chỉ thư điện tử hoặc mật khẩu không đúng. Vui lòng kiểm tra và thử lại.",
           "The e-mail address or the password is not right. Please check them and try again.")
DISABLED = ("Người dùng này đã bị khóa hoặc xóa khỏi tài khoản; vui lòng liên hệ quản trị "
            "viên của tài khoản.", "This user has been disabled or removed from the account; "
            "please ask the account's administrator.")
MISMATCH = ("Hai lần nhập mật khẩu mới không giống nhau.",
            "The two entries of the new password differ.")


def install(app: FastAPI, settings: Settings) -> None:
    """The session cookie and the pages' own refusals (``server.app`` calls this)."""
    app.add_middleware(
        SessionMiddleware, secret_key=settings.session_secret.get_secret_value(),
        session_cookie=session.SESSION_COOKIE, max_age=settings.session_max_age_s,
        same_site="lax", https_only=settings.env != "development")

    @app.exception_handler(session.SignInRequiredError)
    async def _sign_in_first(_: Request, exc: session.SignInRequiredError) -> Response:
        return RedirectResponse(exc.location, status_code=303)

    @app.exception_handler(session.CsrfRefusedError)
    async def _forged(request: Request, _: session.CsrfRefusedError) -> Response:
        return page(request, "forbidden.html", status=403)


def _argon2() -> CapacityLimiter:
    global _limiter
    if _limiter is None:
        _limiter = CapacityLimiter(ARGON2_AT_ONCE)
    return _limiter


def _limit(resources: Resources, bucket: str, who: str) -> None:
    limit = resources.settings.signin_attempts_per_minute
    ratelimit.enforce(
        resources, bucket, who, limit,
        f"Quá {limit} lần thử đăng nhập mỗi phút; vui lòng chờ một chút rồi thử lại.",
        f"More than {limit} sign-in attempts a minute; please wait a moment and try again.")


def _attempt(resources: Resources, client: str, email: str, password: str) -> signin.SignIn:
    _limit(resources, "signin:", client)
    _limit(resources, "signin-email:", email.strip().lower()[:254])
    try:
        with resources.pool.connection() as conn:
            return signin.sign_in(conn, email, password)
    except (psycopg.Error, TimeoutError) as exc:
        raise ServiceUnavailableError(*REGISTRY_DB_DOWN) from exc


def _text(form: Any, name: str, limit: int = 1024) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


@router.get("/dang-nhap", response_class=HTMLResponse)
def sign_in_page(request: Request, user: SessionUserDep, next: str = "",
                 signed_out: str = "") -> Response:
    """Đăng nhập / sign in."""
    return page(request, "signin.html", next=session.safe_next(next), email="",
                signed_out=bool(signed_out))


@router.post("/dang-nhap", response_class=HTMLResponse)
async def sign_in(request: Request, resources: ResourcesDep, _: CsrfDep) -> Response:
    form = await request.form()
    email, target = _text(form, "email", 254), session.safe_next(_text(form, "next"))
    shown: dict[str, Any] = {"next": target, "email": email}
    try:
        done = await anyio.to_thread.run_sync(
            _attempt, resources, client_address(request), email, _text(form, "password"),
            limiter=_argon2())
    except ApiProblemError as exc:  # the limit
        return page(request, "signin.html", status=exc.status, headers=exc.headers,
                    message=(exc.message_vi, exc.message_en), **shown)
    if done.outcome == "refused":
        return page(request, "signin.html", status=401, message=REFUSED, **shown)
    if done.outcome == "disabled":
        return page(request, "signin.html", status=403, message=DISABLED, **shown)
    if done.outcome == "closed":
        return page(request, "signin.html", status=403, closed=done.status, **shown)
    assert done.user is not None and done.stamp is not None
    session.begin(request, done.user.id, done.stamp)
    if done.status is not None:  # suspended: the account page says why first
        target = "/tai-khoan"
    return RedirectResponse(target, status_code=303)


@router.post("/dang-xuat")
def sign_out(request: Request, resources: ResourcesDep, _: CsrfDep) -> Response:
    """Đăng xuất / sign out."""
    session.end(request, resources)
    return RedirectResponse("/dang-nhap?signed_out=1", status_code=303)


@router.get("/tai-khoan/mat-khau", response_class=HTMLResponse)
def password_page(request: Request, user: SignedInDep) -> Response:
    """Đổi mật khẩu / change one's password."""
    return page(request, "password.html")


def _change(resources: Resources, user: signin.SessionUser, current: str, new: str) -> str:
    _limit(resources, "password:", str(user.caller.user_id))
    assert user.caller.account_id is not None and user.caller.user_id is not None
    try:
        with resources.pool.connection() as conn:
            return signin.change_password(conn, user.caller.account_id, user.caller.user_id,
                                          current, new)
    except (psycopg.Error, TimeoutError) as exc:
        raise ServiceUnavailableError(*REGISTRY_DB_DOWN) from exc


@router.post("/tai-khoan/mat-khau", response_class=HTMLResponse)
async def change_password(request: Request, resources: ResourcesDep, user: SignedInDep,
                          _: CsrfDep) -> Response:
    form = await request.form()
    new = _text(form, "new_password")
    if new != _text(form, "new_password_again"):
        return page(request, "password.html", status=422, problems={
            "new_password_again": MISMATCH})
    try:
        stamp = await anyio.to_thread.run_sync(
            _change, resources, user, _text(form, "current_password"), new,
            limiter=_argon2())
    except AccountInputError as exc:
        return page(request, "password.html", status=422, problems={
            exc.field: (exc.message_vi, exc.message_en)})
    except ApiProblemError as exc:
        return page(request, "password.html", status=exc.status, headers=exc.headers,
                    problems={"current_password": (exc.message_vi, exc.message_en)})
    session.restamp(request, stamp)
    return page(request, "password.html", changed=True)

