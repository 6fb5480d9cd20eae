"""Writes of the command centre."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from powerexpress.accounts.roles import VIEW_PERSONAL_DATA
from powerexpress.core.audit import audit_record
from powerexpress.core.models import AuditAction
from powerexpress.core.scope import get_visible_or_404
from powerexpress.registry.models import Village


def map_contact_reveal(*, user, kind: str, code: str, request=None) -> str:
    """The unmasked phone of the person responsible for a point on the map, for a user allowed
    to see personal data; each reveal is written to the audit log."""
    if not user.has_perm(VIEW_PERSONAL_DATA):
        raise PermissionDenied
    if kind == "village":
        phone = get_visible_or_404(user, Village.objects.all(), code=code).responsible_phone
    elif kind == "ticket":
        from powerexpress.repair.models import FaultTicket

        phone = get_visible_or_404(user, FaultTicket.objects.all(), number=code).responsible_phone
    elif kind == "hazard" and code.isdigit():
        from powerexpress.outreach.models import Hazard

        hazard = get_visible_or_404(user, Hazard.objects.select_related("responsible"), pk=int(code))
        phone = hazard.responsible.phone if hazard.responsible else ""
    else:
        raise Http404(kind)
    audit_record(
        user=user,
        action=AuditAction.REVEAL,
        object_type=f"map_{kind}",
        object_ref=code,
        fields=("responsible_phone",),
        request=request,
    )
    return phone
