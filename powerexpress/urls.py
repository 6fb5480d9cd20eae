from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from powerexpress.api import api

urlpatterns = [
    path("", include("powerexpress.core.urls")),
    path("accounts/", include("powerexpress.accounts.urls")),
    path("registry/", include("powerexpress.registry.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
