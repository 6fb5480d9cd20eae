"""Revealing masked personal data: one check of ``view_personal_data`` and one audit row."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied

from powerexpress.core.audit import audit_record
from powerexpress.core.models import AuditAction, AuditEntry
from powerexpress.core.permissions import VIEW_PERSONAL_DATA


def reveal_with_audit(
    *,
    user,
    object_type: str,
    object_ref: str,
    fields: Iterable[str],
    request=None,
    denied: Exception | None = None,
) -> AuditEntry:
    """Check that ``user`` may see ``fields`` of the record unmasked and write the audit entry
    (who, what, when, IP). Raises ``denied`` (default ``PermissionDenied``, a 403 page; an API
    passes its ``ApiError``) without writing anything when the user may not."""
    if not user.has_perm(VIEW_PERSONAL_DATA):
        raise denied if denied is not None else PermissionDenied
    return audit_record(
        user=user,
        action=AuditAction.REVEAL,
        object_type=object_type,
        object_ref=object_ref,
        fields=tuple(fields),
        request=request,
    )
