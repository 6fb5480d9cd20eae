"""Writing audit entries for reveals and exports of personal data."""

from powerexpress.core.models import AuditAction, AuditEntry


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


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
