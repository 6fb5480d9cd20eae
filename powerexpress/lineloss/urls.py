from django.urls import path

from powerexpress.lineloss import views

app_name = "lineloss"
urlpatterns = [
    path("", views.ranking_view, name="ranking"),
    path("districts/<str:code>/", views.district_view, name="district"),
    path("districts/<str:code>/plan/", views.plan_add_view, name="plan_add"),
    path("suspects/<int:pk>/confirm/", views.suspect_confirm_view, name="suspect_confirm"),
    path("suspects/<int:pk>/dismiss/", views.suspect_dismiss_view, name="suspect_dismiss"),
    path("plan/", views.plan_view, name="plan"),
    path("plan/<int:pk>/close/", views.plan_close_view, name="plan_close"),
    path("settings/", views.settings_view, name="settings"),
]
