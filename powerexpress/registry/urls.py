from django.urls import path

from powerexpress.registry import views

app_name = "registry"
urlpatterns = [
    path("setup/", views.first_run_view, name="first_run"),
    path("stations/", views.registry_list_view, {"kind": "stations"}, name="stations"),
    path("villages/", views.registry_list_view, {"kind": "villages"}, name="villages"),
    path("transformers/", views.registry_list_view, {"kind": "transformers"}, name="transformers"),
    path("customers/", views.registry_list_view, {"kind": "customers"}, name="customers"),
    path("teams/", views.registry_list_view, {"kind": "teams"}, name="teams"),
    path("exports/<int:pk>/", views.export_job_view, name="export_job"),
    path("exports/<int:pk>/download/", views.export_job_download_view, name="export_job_download"),
    path("<str:kind>/", views.registry_list_view, name="list"),
    path("<str:kind>/new/", views.registry_edit_view, name="create"),
    path("<str:kind>/import/", views.registry_import_view, name="import"),
    path(
        "<str:kind>/import/template.<str:file_format>",
        views.registry_import_template_view,
        name="import_template",
    ),
    path("<str:kind>/export/", views.registry_export_view, name="export"),
    path("<str:kind>/export-job/", views.registry_export_job_start_view, name="export_job_start"),
    path("<str:kind>/<int:pk>/", views.registry_detail_view, name="detail"),
    path("<str:kind>/<int:pk>/edit/", views.registry_edit_view, name="edit"),
    path("customers/<int:pk>/reveal/", views.customer_reveal_view, name="customer_reveal"),
]
