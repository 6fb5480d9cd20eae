from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, render

from powerexpress.accounts.roles import VIEW_AUDIT_LOG
from powerexpress.core.models import AuditEntry, ImportJob
from powerexpress.core.scope import visible
from powerexpress.registry.models import Customer, SupplyStation, TransformerDistrict, Village


@login_required
def home(request):
    user = request.user
    stations = visible(user, SupplyStation.objects.all()).annotate(
        village_count=Count("villages", distinct=True),
        transformer_count=Count("transformers", distinct=True),
    )
    context = {
        "stations": stations,
        "customer_count": visible(user, Customer.objects.all()).count(),
        "village_count": visible(user, Village.objects.all()).count(),
        "transformer_count": visible(user, TransformerDistrict.objects.all()).count(),
    }
    return render(request, "core/home.html", context)


@login_required
@permission_required(VIEW_AUDIT_LOG, raise_exception=True)
def audit_log(request):
    entries = AuditEntry.objects.select_related("user").all()
    if request.GET.get("user"):
        entries = entries.filter(user__username=request.GET["user"])
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"page": page})


@login_required
def import_status(request, pk: int):
    job = get_object_or_404(ImportJob, pk=pk, user=request.user)
    template = "core/_import_status.html" if request.htmx else "core/import_status.html"
    return render(request, template, {"job": job})
