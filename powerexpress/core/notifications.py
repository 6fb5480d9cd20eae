"""Notifications through a pluggable backend, each one recorded with its true outcome.

``notify(...)`` records a ``Notification`` row and hands it to the backend named by
``NOTIFICATION_BACKEND``. Backends never pretend: the log backend marks a message ``logged``
(written to the server log, not delivered to anyone), the email backend marks it ``sent`` only
when Django's mail backend accepted it, and the HTTP SMS backend only when the gateway answered
with success. A backend that is not configured raises ``NotificationNotConfigured`` and the row
is marked ``failed`` with the reason.
"""

import json
import logging
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.module_loading import import_string

from powerexpress.core.models import Notification, NotificationStatus

logger = logging.getLogger("powerexpress.notifications")


class NotificationNotConfigured(Exception):
    """The backend lacks settings (credentials, gateway address) to deliver anything."""


class LogBackend:
    """Writes the message to the server log (the default, and the demo's). Status: ``logged``.

    The log line carries the stored text (secrets masked); the console line stands for the phone
    the demo has none of, and shows the message as it would be delivered."""

    def deliver(self, notification: Notification) -> str:
        logger.warning(
            "NOTIFICATION [%s] to %s: %s %s",
            notification.channel,
            notification.recipient,
            notification.subject,
            getattr(notification, "stored_body", notification.body),
        )
        print(
            f"[notification:{notification.channel}] to {notification.recipient}: {notification.subject} "
            f"{notification.body}",
            flush=True,
        )
        return NotificationStatus.LOGGED


class EmailBackend:
    """Sends e-mail through Django's configured mail backend. Status: ``sent``."""

    def deliver(self, notification: Notification) -> str:
        if notification.channel != "email":
            raise NotificationNotConfigured(
                f"the email backend cannot deliver {notification.channel} messages"
            )
        send_mail(
            notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL, [notification.recipient]
        )
        return NotificationStatus.SENT


class HttpSmsBackend:
    """Sends SMS through an HTTP gateway: POST JSON ``{"to", "text", "sign"}`` to
    ``SMS_GATEWAY_URL`` with ``Authorization: Bearer SMS_GATEWAY_TOKEN``; 2xx with
    ``{"ok": true}`` means accepted. Needs real credentials from an SMS provider (see
    docs/notifications.md); without them it refuses rather than pretend."""

    def deliver(self, notification: Notification) -> str:
        url = settings.SMS_GATEWAY_URL
        token = settings.SMS_GATEWAY_TOKEN
        if not url or not token:
            raise NotificationNotConfigured("SMS_GATEWAY_URL and SMS_GATEWAY_TOKEN are not set")
        payload = json.dumps(
            {
                "to": notification.recipient,
                "text": notification.body,
                "sign": settings.SMS_SIGN_NAME,
            }
        ).encode()
        request = urllib.request.Request(
            url,
            data=payload,
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (configured gateway)
            answer = json.loads(response.read() or b"{}")
        if not answer.get("ok"):
            raise RuntimeError(f"gateway refused: {answer}")
        return NotificationStatus.SENT


class MemoryBackend:
    """Keeps delivered messages in ``MemoryBackend.outbox`` (tests, like Django's locmem mail).
    Status: ``logged`` (delivered to no one)."""

    outbox: list[Notification] = []

    def deliver(self, notification: Notification) -> str:
        delivered = Notification(
            channel=notification.channel,
            recipient=notification.recipient,
            subject=notification.subject,
            body=notification.body,
            purpose=notification.purpose,
        )
        MemoryBackend.outbox.append(delivered)
        return NotificationStatus.LOGGED


def get_backend():
    return import_string(settings.NOTIFICATION_BACKEND)()


def notify(
    *,
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    purpose: str = "",
    stored_body: str | None = None,
) -> Notification:
    """Record and deliver one message; the row keeps the real outcome (logged/sent/failed).

    ``stored_body`` is what the database and the log keep instead of ``body`` when the message
    carries a secret (a one-time code): the recipient gets ``body``, nobody can read it back."""
    stored = body if stored_body is None else stored_body
    notification = Notification.objects.create(
        channel=channel, recipient=recipient, subject=subject, body=stored, purpose=purpose
    )
    notification.stored_body = stored
    notification.body = body
    try:
        status = get_backend().deliver(notification)
        error = ""
    except Exception as exc:  # any delivery failure is recorded, never hidden
        status, error = NotificationStatus.FAILED, f"{type(exc).__name__}: {exc}"
        logger.error("notification %s failed: %s", notification.pk, error)
    Notification.objects.filter(pk=notification.pk).update(
        status=status, error=error, processed_at=timezone.now()
    )
    notification.status, notification.error = status, error
    notification.body = stored
    return notification


def notify_once(
    *, channel: str, recipient: str, subject: str, body: str, purpose: str
) -> Notification | None:
    """Send unless a message with this ``purpose`` already went to ``recipient`` (a daily digest puts
    the date in its purpose, so a job that runs twice a day still texts once); None when skipped."""
    if Notification.objects.filter(purpose=purpose, recipient=recipient).exists():
        return None
    return notify(channel=channel, recipient=recipient, subject=subject, body=body, purpose=purpose)
