"""The client's address: ``REMOTE_ADDR``, or the one a trusted reverse proxy put in a header.

Behind a proxy, ``REMOTE_ADDR`` is the proxy itself: every villager would share one rate limit.
``TRUSTED_PROXY_HEADER`` (e.g. ``HTTP_X_FORWARDED_FOR``) names the header the proxy sets and
``TRUSTED_PROXY_COUNT`` how many proxies append to it, so the address is read that many entries
from the right (entries further left are whatever the client sent, and are not trusted).
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    header = settings.TRUSTED_PROXY_HEADER
    if not header:
        return remote
    entries = [item.strip() for item in request.META.get(header, "").split(",") if item.strip()]
    count = max(settings.TRUSTED_PROXY_COUNT, 1)
    if len(entries) < count:
        return remote
    candidate = entries[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
