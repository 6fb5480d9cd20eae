"""Per-client rate limits of the public endpoints (django-ratelimit on the shared cache).

The cache is shared by every web process (Redis, or the database cache), so a limit means the
same with one worker or ten. When the cache cannot be reached the limits degrade open: the
request is served and a warning is logged — a broken cache must not take the fault report down.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

from powerexpress.core.errors import ApiError

logger = logging.getLogger("powerexpress.throttle")


def public_rate_limited(request, group: str, rate: str | None = None, key: str = "ip") -> bool:
    """Count this request against the client's budget for ``group``; True when over the limit."""
    try:
        return is_ratelimited(
            request, group=group, key=key, rate=rate or settings.PUBLIC_RATE_LIMIT, increment=True
        )
    except Exception as exc:  # any cache failure (connection refused, timeout, missing table)
        logger.warning("rate limit %s not checked, the cache failed: %s: %s", group, type(exc).__name__, exc)
        return False


def public_rate_limit_check(request, group: str, rate: str | None = None, key: str = "ip") -> None:
    """Raise a 429 ApiError when the client is over the limit for ``group``."""
    if public_rate_limited(request, group, rate, key):
        raise ApiError(
            _("Too many requests from this device. Please wait a minute and try again."),
            status=429,
            code="rate_limited",
        )


def counted_over_limit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one event under ``key`` (any string: hashed) in a fixed window; True when this event is
    beyond ``limit``. Degrades open (False, with a log line) when the cache fails."""
    cache_key = "count:" + hashlib.sha256(key.encode()).hexdigest()[:40]
    try:
        cache.add(cache_key, 0, window_seconds)
        return cache.incr(cache_key) > limit
    except Exception as exc:
        logger.warning("counter %s not checked, the cache failed: %s: %s", key[:20], type(exc).__name__, exc)
        return False
