from django.urls import path

from powerexpress.command import views

app_name = "command"

urlpatterns = [
    path("", views.scoreboard_view, name="home"),
    path("export/<slug:key>.<str:fmt>", views.export_view, name="export"),
    path("plotly.min.js", views.plotly_view, name="plotly"),
]
