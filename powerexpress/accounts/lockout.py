"""Staff sign-in lockout: too many wrong passwords lock the account, and the client address,
for a while — even the right password is refused meanwhile.

Counters live in the shared cache (one count for every web process). Per account: after
``LOGIN_LOCKOUT_FAILURES`` wrong passwords within ``LOGIN_LOCKOUT_WINDOW_SECONDS``; per client
address: after ``LOGIN_LOCKOUT_CLIENT_FAILURES`` (someone trying many accounts). A lock lasts
``LOGIN_LOCKOUT_SECONDS`` and writes an audit entry for a real account. When the cache is down the
lockout degrades open with a log line rather than refusing every sign-in.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache

from powerexpress.core.clients import client_ip

logger = logging.getLogger("powerexpress.accounts.lockout")


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"signin:{kind}:{digest}"


def _subjects(username: str, request) -> list[tuple[str, int]]:
    subjects = [(_key("user", username or ""), settings.LOGIN_LOCKOUT_FAILURES)]
    address = client_ip(request)
    if address:
        subjects.append((_key("client", address), settings.LOGIN_LOCKOUT_CLIENT_FAILURES))
    return subjects


def sign_in_locked(*, username: str, request) -> bool:
    """True while the account or the client address is locked."""
    try:
        return any(cache.get(f"{key}:locked") for key, _limit in _subjects(username, request))
    except Exception as exc:  # a cache failure must not lock everybody out, nor answer 500
        logger.warning("sign-in lockout not checked, the cache failed: %s: %s", type(exc).__name__, exc)
        return False


def sign_in_failed(*, username: str, request) -> bool:
    """Count a wrong password; True when this failure locked the account or the client."""
    locked = False
    try:
        for key, limit in _subjects(username, request):
            cache.add(f"{key}:failures", 0, settings.LOGIN_LOCKOUT_WINDOW_SECONDS)
            failures = cache.incr(f"{key}:failures")
            if failures >= limit:
                cache.set(f"{key}:locked", True, settings.LOGIN_LOCKOUT_SECONDS)
                cache.delete(f"{key}:failures")
                locked = True
    except Exception as exc:
        logger.warning("sign-in failure not counted, the cache failed: %s: %s", type(exc).__name__, exc)
        return False
    if locked:
        _audit_lock(username, request)
    return locked


def sign_in_succeeded(*, username: str) -> None:
    try:
        cache.delete(f"{_key('user', username or '')}:failures")
    except Exception as exc:
        logger.warning("sign-in counter not reset, the cache failed: %s: %s", type(exc).__name__, exc)


def _audit_lock(username: str, request) -> None:
    from django.contrib.auth import get_user_model

    from powerexpress.core.audit import audit_record
    from powerexpress.core.models import AuditAction

    logger.warning("sign-in locked for %r from %s", username, client_ip(request))
    user = get_user_model().objects.filter(username=username).first()
    if user is not None:
        audit_record(
            user=user,
            action=AuditAction.SIGN_IN_LOCKED,
            object_type="user",
            object_ref=user.username,
            detail=f"{settings.LOGIN_LOCKOUT_FAILURES}+ wrong passwords",
            request=request,
        )
