"""Who is calling: an API key (header ``X-API-Key``) or the public, rate-limited."""

from __future__ import annotations

import psycopg
from fastapi import Request

from api import accounts, ratelimit
from api.errors import ApiProblemError, ServiceUnavailableError
from api.resources import Resources

KEY_HEADER = "X-API-Key"
REGISTRY_DB_DOWN = (
    "Hệ thống tài khoản tạm thời không sẵn sàng, vui lòng thử lại sau.",
    "The account service is temporarily unavailable; please try again shortly.",
)


def client_address(request: Request) -> str:
    """The calling address, for rate limits and the usage ledger: the socket's peer, or
    what a proxy listed in ``trusted_proxies`` forwarded (``api.app`` installs uvicorn's
    ProxyHeadersMiddleware for those only; ``api.serve`` turns uvicorn's own off)."""
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
        if exc.revoked:
            raise ApiProblemError(401, "key_revoked", "Khóa API đã bị thu hồi.",
                                  "This API key has been revoked.", field=KEY_HEADER) from exc
        raise ApiProblemError(401, "key_unknown", "Khóa API không hợp lệ.",
                              "Unknown API key.", field=KEY_HEADER) from exc
    except (psycopg.Error, TimeoutError) as exc:
        raise ServiceUnavailableError(*REGISTRY_DB_DOWN) from exc
    if caller.is_public:
        _limit_public(resources, client_address(request))
    return caller


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
