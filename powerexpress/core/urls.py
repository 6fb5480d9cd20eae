from django.urls import path

from powerexpress.core import health, media, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_log, name="audit_log"),
    path("imports/<int:pk>/", views.import_status, name="import_status"),
    path("healthz", health.healthz, name="healthz"),
    path("media/<path:path>", media.media_serve, name="media"),
]
