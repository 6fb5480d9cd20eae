"""Creating work orders and moving them through their lifecycle (one function per write)."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from powerexpress.core.errors import ApiError
from powerexpress.registry.choices import TeamKind
from powerexpress.registry.models import Team
from powerexpress.workorders.choices import TRANSITIONS, WorkOrderStatus
from powerexpress.workorders.models import WorkOrder, WorkOrderEvent


def _next_number() -> str:
    stamp = timezone.localdate().strftime("%Y%m%d")
    count = WorkOrder.objects.filter(number__startswith=f"WO{stamp}").count()
    return f"WO{stamp}{count + 1:04d}"


def work_order_create(
    *,
    user,
    station,
    kind: str,
    title: str,
    description: str = "",
    items=None,
    transformer=None,
    village=None,
    team=None,
    due_on=None,
    source_type: str = "",
    source_ref: str = "",
) -> WorkOrder:
    """Create a work order for the station's service team (unless another team is given).

    Idempotent per source: asking again for the same ``source_type``/``source_ref`` returns the
    existing order instead of a second one.
    """
    if source_ref:
        existing = WorkOrder.objects.filter(source_type=source_type, source_ref=source_ref).first()
        if existing is not None:
            return existing
    team = team or Team.objects.filter(station=station, kind=TeamKind.SERVICE).first()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                order = WorkOrder.objects.create(
                    number=_next_number(),
                    station=station,
                    team=team,
                    transformer=transformer,
                    village=village,
                    kind=kind,
                    title=title,
                    description=description,
                    items=items or [],
                    due_on=due_on,
                    source_type=source_type,
                    source_ref=source_ref,
                    created_by=user,
                )
                WorkOrderEvent.objects.create(work_order=order, to_status=order.status, actor=user)
                return order
        except IntegrityError:
            existing = WorkOrder.objects.filter(source_type=source_type, source_ref=source_ref).first()
            if source_ref and existing is not None:
                return existing
    raise ApiError(_("Could not number the work order; try again."), status=409, code="conflict")


def work_order_transition(*, user, order: WorkOrder, to_status: str, notes: str = "") -> WorkOrder:
    """Move a work order to ``to_status``; illegal moves are refused with a clear message."""
    with transaction.atomic():
        order = WorkOrder.objects.select_for_update().get(pk=order.pk)
        if to_status not in TRANSITIONS[order.status]:
            raise ApiError(
                _("A work order that is “%(current)s” cannot become “%(target)s”.")
                % {"current": order.get_status_display(), "target": WorkOrderStatus(to_status).label},
                status=409,
                code="illegal_transition",
            )
        WorkOrderEvent.objects.create(
            work_order=order, from_status=order.status, to_status=to_status, actor=user, notes=notes
        )
        order.status = to_status
        if to_status == WorkOrderStatus.DONE:
            order.completed_at = timezone.now()
            order.result_notes = notes
        order.save()
    return order
