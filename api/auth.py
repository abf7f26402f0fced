"""Who is calling: an API key (header ``X-API-Key``) or the public, rate-limited."""

from __future__ import annotations

import time

import psycopg
import redis
from fastapi import Request

from api import accounts
from api.errors import ApiProblemError, ServiceUnavailableError
from api.resources import Resources

KEY_HEADER = "X-API-Key"
REGISTRY_DB_DOWN = (
    "Hệ thống tài khoản tạm thời không sẵn sàng, vui lòng thử lại sau.",
    "The account service is temporarily unavailable; please try again shortly.",
)


def client_address(request: Request) -> str:
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
    window = int(time.time() // 60)
    key = f"regsearch:ratelimit:{client}:{window}"
    try:
        # one round trip, no MULTI/EXEC: the two need not be atomic (a count that outlives
        # its window by a moment changes nothing)
        pipe = resources.redis.pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, 120)
        count = int(pipe.execute()[0])
    except redis.RedisError:
        return  # the limiter failing must not stop searches
    if count > limit:
        raise ApiProblemError(
            429, "rate_limited",
            f"Quá {limit} lượt tra cứu mỗi phút cho người dùng không có khóa API; "
            "vui lòng thử lại sau hoặc dùng khóa API.",
            f"More than {limit} searches a minute without an API key; retry later or use a key.",
            headers={"Retry-After": str(60 - int(time.time()) % 60)})


def ensure_account(caller: accounts.Caller) -> accounts.Caller:
    """Certificates and batches need an account: customers and agencies."""
    if caller.is_public:
        raise ApiProblemError(
            401, "account_required",
            "Cần khóa API của tài khoản khách hàng hoặc cơ quan để dùng chức năng này.",
            "An API key of a customer or agency account is required for this.",
            field=KEY_HEADER)
    return caller
