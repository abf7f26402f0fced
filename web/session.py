"""Who is signed in to the pages, and the CSRF token of their forms.

The session is Starlette's ``SessionMiddleware`` (a cookie signed with itsdangerous,
HttpOnly, SameSite=Lax, Secure outside development; installed by
``web.signin_routes.install``). It holds no secret of the user's: their id, the password
stamp (``accounts.signin.password_stamp``: a password change ends every other session),
a random session id (``sid``: sign-out records it as ended in Redis until the cookie
could expire anyway), when it began (a session ends ``session_max_age_s`` after sign-in,
however busy) and the CSRF token. Each page reads the user again: disabled, removed or
closed, they are signed out there.

Routes take these dependencies:

- ``user: SessionUserDep``: the signed-in user or None (public pages; the header).
- ``user: SignedInDep``: a signed-in user, else a redirect to ``/dang-nhap?next=…``.
- ``_: CsrfDep``: every POST form; a missing or wrong ``csrf_token`` field (or
  ``X-CSRF-Token`` header) is a 403 page in both languages.

Templates render ``{{ csrf_field(request) }}`` inside every ``method="post"`` form.
"""

from __future__ import annotations

import contextlib
import hmac
import secrets
import time
from typing import Annotated, Any
from urllib.parse import quote

import psycopg
import redis
from fastapi import Depends, Request
from markupsafe import Markup, escape

from accounts import signin
from accounts.signin import SessionUser
from api.auth import REGISTRY_DB_DOWN
from api.deps import ResourcesDep
from api.errors import ServiceUnavailableError
from api.resources import Resources

SESSION_COOKIE = "regsearch_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_ENDED = "regsearch:session:ended:"


class SignInRequiredError(Exception):
    """The page needs a signed-in user: answered by a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path

    @property
    def location(self) -> str:
        return "/dang-nhap?next=" + quote(self.next_path, safe="/")


class CsrfRefusedError(Exception):
    """A state-changing form without this session's CSRF token: answered with 403."""


# --- CSRF ------------------------------------------------------------------------------

def csrf_token(request: Request) -> str:
    """This session's CSRF token (made on first use)."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def csrf_field(request: Request) -> Markup:
    """The hidden field a POST form carries (a template global)."""
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" '
                  f'value="{escape(csrf_token(request))}">')


def check_csrf(request: Request, given: object) -> None:
    """Refuse (``CsrfRefusedError``) unless ``given`` is this session's token."""
    expected = request.session.get("csrf")
    if not (isinstance(given, str) and isinstance(expected, str) and expected
            and hmac.compare_digest(given.encode(), expected.encode())):
        raise CsrfRefusedError()


async def require_csrf(request: Request) -> None:
    """A dependency of every POST route: the form's field or the header."""
    given: object = request.headers.get(CSRF_HEADER)
    if given is None:
        given = (await request.form()).get(CSRF_FIELD)
    check_csrf(request, given)


CsrfDep = Annotated[None, Depends(require_csrf)]


# --- the session -----------------------------------------------------------------------

def begin(request: Request, user_id: int, stamp: str) -> None:
    """A new session for ``user_id`` (at sign-in): nothing of the one before is kept, and
    the CSRF token is new."""
    request.session.clear()
    request.session.update({"uid": user_id, "stamp": stamp, "sid": secrets.token_urlsafe(18),
                            "since": int(time.time()), "csrf": secrets.token_urlsafe(32)})


def restamp(request: Request, stamp: str) -> None:
    """After the user's own password change: this session goes on, with a new id."""
    begin(request, int(request.session["uid"]), stamp)


def end(request: Request, resources: Resources) -> None:
    """Sign out: the session is emptied and its id recorded as ended (a copy of the old
    cookie is refused until it would have expired)."""
    sid = request.session.get("sid")
    request.session.clear()
    if isinstance(sid, str):
        with contextlib.suppress(redis.RedisError):  # the browser's cookie is cleared anyway
            resources.redis.set(_ENDED + sid, b"1",
                                ex=max(1, resources.settings.session_max_age_s))


def _ended(resources: Resources, sid: str) -> bool:
    try:
        return bool(resources.redis.exists(_ENDED + sid))
    except redis.RedisError as exc:
        raise ServiceUnavailableError(*REGISTRY_DB_DOWN) from exc


def _valid(session: dict[str, Any], max_age_s: int) -> tuple[int, str, str] | None:
    uid, stamp, sid, since = (session.get(k) for k in ("uid", "stamp", "sid", "since"))
    if not (isinstance(uid, int) and isinstance(stamp, str) and isinstance(sid, str)
            and isinstance(since, int)):
        return None
    if not 0 <= time.time() - since <= max_age_s:
        return None
    return uid, stamp, sid


def signed_in_user(request: Request, resources: ResourcesDep) -> SessionUser | None:
    """The signed-in user, or None (a dependency; FastAPI runs it in its thread pool)."""
    if hasattr(request.state, "signed_in"):
        found: SessionUser | None = request.state.signed_in
        return found
    found = None
    valid = _valid(request.session, resources.settings.session_max_age_s)
    if valid is not None and not _ended(resources, valid[2]):
        try:
            with resources.pool.connection() as conn:
                found = signin.session_user(conn, valid[0], valid[1])
        except (psycopg.Error, TimeoutError) as exc:
            raise ServiceUnavailableError(*REGISTRY_DB_DOWN) from exc
    if found is None and "uid" in request.session:
        csrf = request.session.get("csrf")
        request.session.clear()
        if csrf:
            request.session["csrf"] = csrf
    request.state.signed_in = found
    return found


SessionUserDep = Annotated[SessionUser | None, Depends(signed_in_user)]


def require_signed_in(request: Request, user: SessionUserDep) -> SessionUser:
    if user is None:
        target = request.url.path
        if request.method == "GET" and request.url.query:
            target += "?" + request.url.query
        raise SignInRequiredError(target)
    return user


SignedInDep = Annotated[SessionUser, Depends(require_signed_in)]


def shown_user(request: Request) -> SessionUser | None:
    """The user the page was made for (a template global: the header)."""
    found: SessionUser | None = getattr(request.state, "signed_in", None)
    return found


def safe_next(target: str | None, default: str = "/tai-khoan") -> str:
    """Where to go after signing in: a path of this site only (never ``//host``)."""
    if (not target or not target.startswith("/") or target.startswith("//")
            or "\\" in target or any(ord(c) < 32 for c in target)):
        return default
    return target
