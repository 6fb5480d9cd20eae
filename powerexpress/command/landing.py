"""Where each role lands (``/``), the stations overview (``/overview/``) and the phone's bottom
bar of each role's main places.

These pages gather every capability, so they live here rather than in ``core`` (which names no
app). Their URL names stay ``core:home`` and ``core:overview``: ``powerexpress/urls.py`` mounts
:data:`urlpatterns` with core's under the ``core`` namespace.
"""

from collections import Counter

from django.apps import apps as django_apps
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext_lazy as _

from powerexpress.accounts.roles import Role
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
    return render(request, "command/overview.html", context)


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


# The phone's bottom bar: each role's three or four main places (URL names; missing ones drop out).
BOTTOM_BAR: dict[str, tuple[tuple[str, str], ...]] = {
    Role.CREW: (
        (_("My repairs"), "repair:crew"),
        (_("Fault tickets"), "repair:list"),
        (_("Villages"), "registry:villages"),
    ),
    Role.TEAM_MEMBER: (
        (_("My day"), "outreach:today"),
        (_("Care visits"), "outreach:care_due"),
        (_("Hazards"), "outreach:hazards"),
        (_("Activities"), "outreach:activities"),
    ),
    Role.STATION_STAFF: (
        (_("Work list"), "core:home"),
        (_("Fault tickets"), "repair:list"),
        (_("Households"), "registry:customers"),
        (_("Applications"), "applications:list"),
    ),
    Role.MANAGER: (
        (_("Overview"), "core:home"),
        (_("Fault tickets"), "repair:list"),
        (_("Grid"), "grid:risk"),
        (_("Applications"), "applications:list"),
    ),
    Role.AUDITOR: (
        (_("Overview"), "core:home"),
        (_("Audit log"), "core:audit_log"),
        (_("Fault tickets"), "repair:list"),
    ),
}


def bottom_bar(request):
    """The role's main places for the phone's bottom bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"bottom_bar": []}
    places = []
    for label, url_name in BOTTOM_BAR.get(user.role, ()):
        try:
            places.append({"label": label, "url": reverse(url_name), "active": False})
        except NoReverseMatch:
            continue
    matches = [
        p
        for p in places
        if request.path == p["url"] or (p["url"] != "/" and request.path.startswith(p["url"]))
    ]
    if matches:
        max(matches, key=lambda p: len(p["url"]))["active"] = True
    return {"bottom_bar": places}


urlpatterns = [
    path("", home, name="home"),
    path("overview/", overview_page, name="overview"),
]
