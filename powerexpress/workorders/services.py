"""Creating work orders and moving them through their lifecycle (one function per write)."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from powerexpress.core.errors import ApiError, FieldError
from powerexpress.registry.choices import TeamKind
from powerexpress.registry.models import Customer, Team
from powerexpress.workorders.choices import CAPACITY_KINDS, TRANSITIONS, WorkOrderKind, WorkOrderStatus
from powerexpress.workorders.models import RegistryChange, WorkOrder, WorkOrderEvent


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


def _illegal(order: WorkOrder, to_status: str) -> ApiError:
    return ApiError(
        _("A work order that is “%(current)s” cannot become “%(target)s”.")
        % {"current": order.get_status_display(), "target": WorkOrderStatus(to_status).label},
        status=409,
        code="illegal_transition",
    )


def _move(order: WorkOrder, *, user, to_status: str, notes: str) -> WorkOrder:
    """Stamp a legal move of a locked order: its event row, status and completion."""
    if to_status not in TRANSITIONS[order.status]:
        raise _illegal(order, to_status)
    WorkOrderEvent.objects.create(
        work_order=order, from_status=order.status, to_status=to_status, actor=user, notes=notes
    )
    order.status = to_status
    if to_status == WorkOrderStatus.DONE:
        order.completed_at = timezone.now()
        order.result_notes = notes
    order.save()
    return order


def work_order_transition(*, user, order: WorkOrder, to_status: str, notes: str = "") -> WorkOrder:
    """Move a work order to ``to_status``; illegal moves are refused with a clear message. Orders
    that change the registry when done (phase balancing, capacity) complete through
    :func:`work_order_complete` (here with no household marked as moved)."""
    if to_status == WorkOrderStatus.DONE and (
        order.kind == WorkOrderKind.PHASE_BALANCE or order.kind in CAPACITY_KINDS
    ):
        return work_order_complete(user=user, order=order, notes=notes)
    with transaction.atomic():
        order = WorkOrder.objects.select_for_update().get(pk=order.pk)
        return _move(order, user=user, to_status=to_status, notes=notes)


def work_order_complete(
    *, user, order: WorkOrder, moved=(), rated_kva: int | None = None, notes: str = ""
) -> WorkOrder:
    """Complete a work order and write what the crew did into the registry, in one transaction.

    Phase balancing: ``moved`` lists the households whose move was done; their phase changes in
    the registry and each change is recorded (who, when, which order). Every item keeps a
    ``done`` flag, so a move that was not done stays visible on the order. Extra capacity or a
    replaced unit: ``rated_kva`` is the district's new rated capacity, recorded the same way."""
    from powerexpress.registry.services import customer_phase_change, transformer_rating_change

    with transaction.atomic():
        order = WorkOrder.objects.select_for_update().get(pk=order.pk)
        if WorkOrderStatus.DONE not in TRANSITIONS[order.status]:
            raise _illegal(order, WorkOrderStatus.DONE)
        if order.kind == WorkOrderKind.PHASE_BALANCE:
            moved = {str(account) for account in moved}
            listed = {item.get("household") for item in order.items}
            unknown = sorted(moved - listed)
            if unknown:
                raise FieldError(
                    {"moved": _("Not on this order: %(names)s.") % {"names": ", ".join(unknown[:5])}}
                )
            customers = dict(Customer.objects.filter(account_no__in=moved).values_list("account_no", "pk"))
            items = []
            for item in order.items:
                done = item.get("household") in moved
                if done:
                    old, new = customer_phase_change(
                        customer_pk=customers[item["household"]], phase=item["to"]
                    )
                    _record(order, user, "customer", item["household"], "phase", old, new)
                items.append({**item, "done": done})
            order.items = items
        elif order.kind in CAPACITY_KINDS:
            if order.transformer_id is None:
                raise FieldError({"rated_kva": _("This order names no transformer district.")})
            if rated_kva is None:
                raise FieldError({"rated_kva": _("Enter the new rated capacity in kVA.")})
            old, new = transformer_rating_change(
                transformer_pk=order.transformer_id, rated_kva=int(rated_kva)
            )
            _record(order, user, "transformer", order.transformer.code, "rated_kva", old, new)
        return _move(order, user=user, to_status=WorkOrderStatus.DONE, notes=notes)


def _record(order, user, object_type: str, ref: str, field: str, old, new) -> None:
    RegistryChange.objects.create(
        work_order=order,
        object_type=object_type,
        object_ref=ref,
        field=field,
        old_value=str(old),
        new_value=str(new),
        changed_by=user,
    )
