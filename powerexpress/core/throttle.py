"""Per-client rate limits of the public endpoints (django-ratelimit on the shared cache)."""

from django.conf import settings
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

from powerexpress.core.errors import ApiError


def public_rate_limited(request, group: str, rate: str | None = None, key: str = "ip") -> bool:
    """Count this request against the client's budget for ``group``; True when over the limit."""
    return is_ratelimited(
        request, group=group, key=key, rate=rate or settings.PUBLIC_RATE_LIMIT, increment=True
    )


def public_rate_limit_check(request, group: str, rate: str | None = None, key: str = "ip") -> None:
    """Raise a 429 ApiError when the client is over the limit for ``group``."""
    if public_rate_limited(request, group, rate, key):
        raise ApiError(
            _("Too many requests from this device. Please wait a minute and try again."),
            status=429,
            code="rate_limited",
        )
