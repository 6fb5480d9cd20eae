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
    path("plotly.min.js", views.plotly_view, name="plotly"),
]
