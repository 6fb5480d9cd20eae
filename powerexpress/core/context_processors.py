"""Navigation built from each app's ``nav_items`` so that apps add menu entries themselves.

An app with one entry the user may open gets a link in the top bar; an app with several gets a
menu named after the app (its ``verbose_name``), so the bar stays short."""

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from powerexpress.accounts.roles import Role


def _items(config, request) -> list[dict]:
    items = []
    for label, url_name, perm in getattr(config, "nav_items", ()):
        if perm and not request.user.has_perm(perm):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": request.path.startswith(url) and url != "/"})
    return items


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_groups": [], "bottom_bar": []}
    groups = []
    configs = sorted(apps.get_app_configs(), key=lambda config: config.name == "powerexpress.core")
    for config in configs:
        items = _items(config, request)
        if items:
            groups.append(
                {
                    "label": config.verbose_name,
                    "items": items,
                    "active": any(item["active"] for item in items),
                }
            )
    return {"nav_groups": groups, **bottom_bar(request)}


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
