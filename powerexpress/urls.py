from django.contrib import admin
from django.urls import include, path

from powerexpress.api import api
from powerexpress.command import landing
from powerexpress.core import urls as core_urls

# Core's pages and the role landing / overview (command.landing) under one namespace, "core".
core_patterns = ([*landing.urlpatterns, *core_urls.urlpatterns], core_urls.app_name)

urlpatterns = [
    path("", include(core_patterns)),
    path("accounts/", include("powerexpress.accounts.urls")),
    path("registry/", include("powerexpress.registry.urls")),
    path("workorders/", include("powerexpress.workorders.urls")),
    path("billing/", include("powerexpress.billing.urls")),
    path("repair/", include("powerexpress.repair.urls")),
    path("grid/", include("powerexpress.grid.urls")),
    path("lineloss/", include("powerexpress.lineloss.urls")),
    path("applications/", include("powerexpress.applications.urls")),
    path("outreach/", include("powerexpress.outreach.urls")),
    path("portal/", include("powerexpress.portal.urls")),
    path("command/", include("powerexpress.command.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
# Uploaded files are served by core.media.media_serve (scope-checked), never as a public folder.
