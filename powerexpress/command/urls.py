from django.urls import path

from powerexpress.command import views

app_name = "command"

urlpatterns = [
    path("", views.scoreboard_view, name="home"),
    path("export/<slug:key>.<str:fmt>", views.export_view, name="export"),
    path("map/", views.map_view, name="map"),
    path("map/data.json", views.map_data_view, name="map_data"),
    path("map/reveal/<slug:kind>/<str:code>/", views.map_reveal_view, name="map_reveal"),
    path("leaflet/<str:name>", views.leaflet_asset_view, name="leaflet"),
    path("scores/", views.scores_view, name="scores"),
    path("scores/<str:month>/<str:station>/", views.score_detail_view, name="score_detail"),
    path("kpis/", views.kpis_view, name="kpis"),
    path("kpis/new/", views.kpi_edit_view, name="kpi_create"),
    path("kpis/<int:pk>/", views.kpi_edit_view, name="kpi_edit"),
    path("reports/", views.reports_view, name="reports"),
    path("reports/<int:pk>/download/", views.report_download_view, name="report_download"),
]
