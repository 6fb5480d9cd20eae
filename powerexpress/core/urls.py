from django.urls import path

from powerexpress.core import favicon, health, media, views

app_name = "core"
# "" (core:home) and "overview/" (core:overview) are the role landing and the stations overview,
# which gather every capability: command.landing holds them and powerexpress/urls.py adds them here.
urlpatterns = [
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("offline/sync/", views.offline_sync, name="offline_sync"),
    path("offline/conflicts/seen/", views.offline_conflicts_seen, name="offline_conflicts_seen"),
    path("text-size/", views.text_size, name="text_size"),
    path("audit/", views.audit_log, name="audit_log"),
    path("imports/<int:pk>/", views.import_status, name="import_status"),
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", favicon.favicon, name="favicon"),
    path("media/<path:path>", media.media_serve, name="media"),
]
