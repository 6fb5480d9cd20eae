from collections import Counter
from pathlib import Path

from django.apps import apps as django_apps
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Count, F
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from powerexpress.accounts.roles import VIEW_AUDIT_LOG, Role
from powerexpress.core.errors import ApiError
from powerexpress.core.models import AuditEntry, ImportJob
from powerexpress.core.offline import offline_action_apply, offline_conflicts_acknowledge, parse_occurred_at
from powerexpress.core.scope import visible
from powerexpress.core.worklist import worklist_for
from powerexpress.registry.models import Bureau, Customer, SupplyStation, TransformerDistrict, Village

# Where each field role lands: its own work, not the registry overview.
ROLE_LANDING = {
    Role.CREW: "repair:crew",
    Role.TEAM_MEMBER: "outreach:today",
    Role.MANAGER: "command:home",
    Role.AUDITOR: "command:home",
}


@login_required
def home(request):
    """Each role lands on its work: crew → my tickets, team member → my day, clerk → the
    station's work list, manager → the command centre when it exists, else the overview."""
    target = ROLE_LANDING.get(request.user.role, "")
    if target:
        try:
            return redirect(reverse(target))
        except NoReverseMatch:
            pass
    if request.user.role == Role.STATION_STAFF:
        return render(request, "core/worklist.html", {"groups": worklist_for(request.user)})
    return overview(request)


def overview(request):
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
    loss_month, losses = station_loss_classes(user)
    for station in stations:
        station.household_count = households.get(station.pk, 0)
        station.cared_count = cared.get(station.pk, 0)
        station.tight_count = tight.get(station.pk, 0)
        station.loss_counts = losses.get(station.code, [])
    context = {
        "stations": stations,
        "customer_count": sum(households.values()),
        "village_count": visible(user, Village.objects.all()).count(),
        "transformer_count": sum(s.transformer_count for s in stations),
        "tight_count": sum(tight.values()),
        "loss_month": loss_month,
    }
    return render(request, "core/home.html", context)


def station_loss_classes(user) -> tuple:
    """The latest line-loss month and, per station code, its districts per loss class as
    (label, count, badge colour, ranking link) — (None, {}) without the line-loss app or data."""
    if not django_apps.is_installed("powerexpress.lineloss"):
        return None, {}
    from powerexpress.lineloss import selectors as lineloss
    from powerexpress.lineloss.choices import LossClass

    month = lineloss.latest_month(user)
    if month is None:
        return None, {}
    counts = lineloss.class_counts(lineloss.loss_rows(user, month))
    codes = dict(visible(user, SupplyStation.objects.filter(pk__in=counts)).values_list("pk", "code"))
    ranking = reverse("lineloss:ranking")
    return month, {
        codes[station_id]: [
            (
                loss_class.label,
                by_class[loss_class],
                lineloss.badge_colour(loss_class),
                f"{ranking}?month={month:%Y-%m}&station={codes[station_id]}&class={loss_class}",
            )
            for loss_class in LossClass
            if by_class.get(loss_class)
        ]
        for station_id, by_class in counts.items()
        if station_id in codes
    }


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
def overview_page(request):
    return overview(request)


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


STATIC_DIR = Path(__file__).resolve().parent / "static" / "core"


def service_worker(request):
    """The service worker, served from the site root so that its scope covers every page."""
    response = HttpResponse((STATIC_DIR / "sw.js").read_bytes(), content_type="application/javascript")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


def manifest(request):
    """The web app manifest that makes the staff pages installable on a phone."""
    data = {
        "name": _("Power Express"),
        "short_name": _("Power Express"),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("core:home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f4f6f9",
        "theme_color": "#0b5cab",
        "icons": [
            {"src": static(f"core/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
            for size in (192, 512)
        ],
    }
    return JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


@login_required
@require_POST
def offline_sync(request):
    """One action queued on a phone while offline: ``key``, ``action`` (its kind), ``occurred_at``
    and its form's fields (multipart, so photos come along). Answers the outcome; a repeated key answers the
    first outcome and changes nothing."""
    try:
        occurred_at = parse_occurred_at(request.POST.get("occurred_at", ""))
        action = offline_action_apply(
            user=request.user,
            key=request.POST.get("key", ""),
            kind=request.POST.get("action", ""),
            occurred_at=occurred_at,
            data=request.POST.dict(),
            files=request.FILES.dict(),
        )
    except ApiError as exc:
        return JsonResponse(
            {"code": exc.code, "message": str(exc.message), "errors": exc.errors or []}, status=exc.status
        )
    return JsonResponse(
        {"key": action.key, "outcome": action.outcome, "message": action.message, "ref": action.object_ref}
    )


@login_required
@require_POST
def offline_conflicts_seen(request):
    offline_conflicts_acknowledge(user=request.user)
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else "core:home")


def text_size(request):
    """Large text on the public pages (a cookie, so that it works without script or sign-in)."""
    target = request.GET.get("next", "")
    response = redirect(target if target.startswith("/") and not target.startswith("//") else "/")
    if request.GET.get("large") == "1":
        response.set_cookie("pe_large_text", "1", max_age=365 * 24 * 3600, samesite="Lax")
    else:
        response.delete_cookie("pe_large_text")
    return response
