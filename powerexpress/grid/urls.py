from django.urls import path

from powerexpress.grid import views

app_name = "grid"
urlpatterns = [
    path("", views.risk_view, name="risk"),
    path("forecasts/<int:pk>/issue/", views.forecast_issue_view, name="forecast_issue"),
    path("transformers/<str:code>/", views.transformer_view, name="transformer"),
    path("transformers/<str:code>/curve.json", views.curve_view, name="curve"),
    path("transformers/<str:code>/plans/", views.plan_create_view, name="plan_create"),
    path("plans/<int:pk>/issue/", views.plan_issue_view, name="plan_issue"),
    path("upload/", views.upload_view, name="upload"),
    path("settings/", views.settings_view, name="settings"),
]
