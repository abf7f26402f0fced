"""Per-client limits per minute, counted in Redis (shared by every API worker).

One fixed window per minute and client: ``INCR`` then ``EXPIRE`` in one round trip. Used for
anonymous searches and for certificate verification. If Redis fails the request goes on: the
limiter must not take the service down with it.
"""

from __future__ import annotations

import time

import redis

from api.errors import ApiProblemError
from api.resources import Resources


def count_this_minute(resources: Resources, bucket: str, client: str) -> int | None:
    """This request's number within the current minute for ``client`` in ``bucket``
    (``None`` when Redis cannot be reached)."""
    window = int(time.time() // 60)
    key = f"regsearch:ratelimit:{bucket}{client}:{window}"
    try:
        # one round trip, no MULTI/EXEC: the two need not be atomic (a count that outlives
        # its window by a moment changes nothing)
        pipe = resources.redis.pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, 120)
        return int(pipe.execute()[0])
    except redis.RedisError:
        return None


def enforce(resources: Resources, bucket: str, client: str, limit: int,
            message_vi: str, message_en: str) -> None:
    """Refuse with 429 (bilingual, ``Retry-After``) past ``limit`` requests this minute."""
    count = count_this_minute(resources, bucket, client)
    if count is not None and count > limit:
        raise ApiProblemError(429, "rate_limited", message_vi, message_en,
                              headers={"Retry-After": str(60 - int(time.time()) % 60)})
