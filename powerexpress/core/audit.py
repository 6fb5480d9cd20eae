"""Writing audit entries for reveals and exports of personal data."""

from powerexpress.core.clients import client_ip
from powerexpress.core.models import AuditAction, AuditEntry


def audit_record(
    *,
    user,
    action: AuditAction,
    object_type: str,
    object_ref: str = "",
    fields=(),
    detail: str = "",
    request=None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        user=user,
        action=action,
        object_type=object_type,
        object_ref=object_ref[:100],
        fields=",".join(fields),
        detail=detail,
        ip_address=client_ip(request),
    )
