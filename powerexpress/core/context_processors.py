"""Navigation built from each app's ``nav_items`` so that apps add menu entries themselves."""

from django.apps import apps
from django.urls import NoReverseMatch, reverse


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    configs = sorted(apps.get_app_configs(), key=lambda config: config.name == "powerexpress.core")
    for config in configs:
        for label, url_name, perm in getattr(config, "nav_items", ()):
            if perm and not user.has_perm(perm):
                continue
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            items.append({"label": label, "url": url, "active": request.path.startswith(url) and url != "/"})
    return {"nav_items": items}
