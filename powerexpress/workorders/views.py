from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from powerexpress.accounts.roles import WORK_WORKORDERS
from powerexpress.core.errors import ApiError
from powerexpress.core.forms import api_error_text
from powerexpress.core.scope import get_visible_or_404
from powerexpress.workorders.choices import CAPACITY_KINDS, TRANSITIONS, WorkOrderKind, WorkOrderStatus
from powerexpress.workorders.models import WorkOrder
from powerexpress.workorders.selectors import work_order_filterset
from powerexpress.workorders.services import work_order_complete, work_order_transition


@login_required
def work_order_list(request):
    filterset = work_order_filterset(request)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(request, "workorders/list.html", {"page": page, "filterset": filterset})


@login_required
def work_order_detail(request, pk: int):
    order = get_visible_or_404(request.user, WorkOrder.objects.select_related("station", "team"), pk=pk)
    closes_loop = order.kind == WorkOrderKind.PHASE_BALANCE or order.kind in CAPACITY_KINDS
    allowed = [
        (s, WorkOrderStatus(s).label)
        for s in WorkOrderStatus.values
        if s in TRANSITIONS[order.status] and not (closes_loop and s == WorkOrderStatus.DONE)
    ]
    return render(
        request,
        "workorders/detail.html",
        {
            "order": order,
            "allowed": allowed,
            "events": order.events.select_related("actor"),
            "can_complete": closes_loop and WorkOrderStatus.DONE in TRANSITIONS[order.status],
            "is_capacity": order.kind in CAPACITY_KINDS,
            "changes": order.registry_changes.select_related("changed_by"),
        },
    )


@login_required
@require_POST
def work_order_move(request, pk: int):
    order = get_visible_or_404(request.user, WorkOrder.objects.all(), pk=pk)
    if not request.user.has_perm(WORK_WORKORDERS):
        raise PermissionDenied
    try:
        work_order_transition(
            user=request.user,
            order=order,
            to_status=request.POST.get("status", ""),
            notes=request.POST.get("notes", ""),
        )
    except ApiError as exc:
        messages.error(request, exc.message)
    return redirect("workorders:detail", pk=order.pk)


@login_required
@require_POST
def work_order_complete_view(request, pk: int):
    order = get_visible_or_404(request.user, WorkOrder.objects.all(), pk=pk)
    if not request.user.has_perm(WORK_WORKORDERS):
        raise PermissionDenied
    rated = request.POST.get("rated_kva", "").strip()
    try:
        work_order_complete(
            user=request.user,
            order=order,
            moved=request.POST.getlist("moved"),
            rated_kva=int(rated) if rated.isdigit() else (None if not rated else -1),
            notes=request.POST.get("notes", ""),
        )
    except ApiError as exc:
        messages.error(request, api_error_text(exc))
    return redirect("workorders:detail", pk=order.pk)
