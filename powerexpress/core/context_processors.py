"""Navigation built from each app's ``nav_items`` so that apps add menu entries themselves.

An app with one entry the user may open gets a link in the top bar; an app with several gets a
menu named after the app (its ``verbose_name``), so the bar stays short."""

from django.apps import apps
from django.urls import NoReverseMatch, reverse


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
        return {"nav_groups": []}
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
    return {"nav_groups": groups}
