"""Who is calling: an API key (header ``X-API-Key``) or the public, rate-limited."""

from __future__ import annotations

import psycopg
from fastapi import Request

import accounts
from accounts import enforce
from api import ratelimit
from api.errors import ApiProblemError, ServiceUnavailableError
from api.resources import Resources

KEY_HEADER = "X-API-Key"
REGISTRY_DB_DOWN = (
    "Hệ thống tài khoản tạm thời không sẵn sàng, vui lòng thử lại sau.",
    "The account service is temporarily unavailable; please try again shortly.",
)


def client_address(request: Request) -> str:
    """The calling address, for rate limits and the usage ledger: the socket's peer, or
    what a proxy listed in ``trusted_proxies`` forwarded (``server.app`` installs uvicorn's
    ProxyHeadersMiddleware for those only; ``server.serve`` turns uvicorn's own off)."""
    return request.client.host if request.client else "unknown"


def caller_of(request: Request, resources: Resources) -> accounts.Caller:
    """The caller, for an endpoint that runs in the thread pool already: one hop from the
    event loop to a thread per request instead of two."""
    key = request.headers.get("x-api-key")
    try:
        if not key:
            caller = accounts.PUBLIC
        else:
            with resources.pool.connection() as conn:
                caller = accounts.authenticate(conn, key)
    except accounts.KeyRejectedError as exc:
        raise key_refusal(exc) from exc
    except (psycopg.Error, TimeoutError) as exc:
        raise ServiceUnavailableError(*REGISTRY_DB_DOWN) from exc
    if caller.is_public:
        _limit_public(resources, client_address(request))
    return caller


KEY_REFUSALS: dict[str, tuple[int, str, str]] = {
    "unknown": (401, "Khóa API không hợp lệ.", "Unknown API key."),
    "revoked": (401, "Khóa API đã bị thu hồi.", "This API key has been revoked."),
    "user_disabled": (401, "Người dùng của khóa API này đã bị khóa hoặc xóa khỏi tài khoản.",
                      "The user of this API key has been disabled or removed."),
    "account_closed": (403, "Tài khoản của khóa API này đã bị đóng; liên hệ cơ quan đăng ký.",
                       "The account of this API key is closed; contact the registry."),
}


def key_refusal(exc: accounts.KeyRejectedError) -> ApiProblemError:
    status, vi, en = KEY_REFUSALS[exc.reason]
    return ApiProblemError(status, f"key_{exc.reason}" if exc.reason != "account_closed"
                           else "account_closed", vi, en, field=KEY_HEADER)


def _limit_public(resources: Resources, client: str) -> None:
    limit = resources.settings.public_searches_per_minute
    ratelimit.enforce(
        resources, "", client, limit,
        f"Quá {limit} lượt tra cứu mỗi phút cho người dùng không có khóa API; "
        "vui lòng thử lại sau hoặc dùng khóa API.",
        f"More than {limit} searches a minute without an API key; retry later or use a key.")


def ensure_account(caller: accounts.Caller) -> accounts.Caller:
    """Certificates and batches need an account: customers and agencies."""
    if caller.is_public:
        raise ApiProblemError(
            401, "account_required",
            "Cần khóa API của tài khoản khách hàng hoặc cơ quan để dùng chức năng này.",
            "An API key of a customer or agency account is required for this.",
            field=KEY_HEADER)
    return caller


#: OpenAPI: the refusal of a paid service (accounts.enforce)
SUSPENDED = (403, "The account is suspended (code account_suspended, the stored reason in "
                  "Vietnamese and English) or closed")


def ensure_paid_service(caller: accounts.Caller, resources: Resources) -> accounts.Caller:
    """Certificates and batches: an account whose status allows paid services (403 with
    the reason stored with a suspension)."""
    if caller.account_status == "active":
        return caller
    try:
        with resources.pool.connection() as conn:
            refusal = enforce.paid_service_refusal(conn, caller)
    except (psycopg.Error, TimeoutError) as exc:
        raise ServiceUnavailableError(*REGISTRY_DB_DOWN) from exc
    if refusal is None:
        return caller
    raise ApiProblemError(403, refusal.code, refusal.message_vi, refusal.message_en,
                          field=KEY_HEADER)
