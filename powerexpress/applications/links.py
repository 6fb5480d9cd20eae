"""Links to an application's public status page, signed so a receipt's QR code opens it without
typing the mobile number."""

from django.core.signing import Signer
from django.urls import reverse

_SIGNER = Signer(salt="powerexpress.applications.track")


def track_token(tracking_no: str) -> str:
    return _SIGNER.signature(tracking_no)


def track_token_valid(tracking_no: str, token: str) -> bool:
    return bool(token) and _SIGNER.signature(tracking_no) == token


def track_path(tracking_no: str) -> str:
    return f"{reverse('applications:track', args=[tracking_no])}?t={track_token(tracking_no)}"
