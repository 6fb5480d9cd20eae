from collections import Counter

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Count, F
from django.shortcuts import get_object_or_404, redirect, render

from powerexpress.accounts.roles import VIEW_AUDIT_LOG
from powerexpress.core.models import AuditEntry, ImportJob
from powerexpress.core.scope import visible
from powerexpress.registry.models import Bureau, Customer, SupplyStation, TransformerDistrict, Village


@login_required
def home(request):
    user = request.user
    if user.is_superuser and not Bureau.objects.exists():  # a new installation: first-run page
        return redirect("registry:first_run")
    stations = list(
        visible(user, SupplyStation.objects.all()).annotate(
            village_count=Count("villages", distinct=True),
            transformer_count=Count("transformers", distinct=True),
        )
    )
    households = dict(
        visible(user, Customer.objects.all()).values_list("village__station").annotate(n=Count("id"))
    )
    cared = dict(
        visible(user, Customer.objects.exclude(tags=""))
        .values_list("village__station")
        .annotate(n=Count("id"))
    )
    tight = station_tight_transformers(user)
    for station in stations:
        station.household_count = households.get(station.pk, 0)
        station.cared_count = cared.get(station.pk, 0)
        station.tight_count = tight.get(station.pk, 0)
    context = {
        "stations": stations,
        "customer_count": sum(households.values()),
        "village_count": visible(user, Village.objects.all()).count(),
        "transformer_count": sum(s.transformer_count for s in stations),
        "tight_count": sum(tight.values()),
    }
    return render(request, "core/home.html", context)


def station_tight_transformers(user, kva_per_household: int = 2) -> dict[int, int]:
    """Transformer districts below the rural rule of thumb (≥2 kVA per household), per station."""
    rows = (
        visible(user, TransformerDistrict.objects.all())
        .annotate(households=Count("customers"))
        .filter(rated_kva__lt=kva_per_household * F("households"))
        .values_list("station_id", flat=True)
    )
    return dict(Counter(rows))


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
