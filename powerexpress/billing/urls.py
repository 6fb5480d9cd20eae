from django.urls import path

from powerexpress.billing import views

app_name = "billing"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("readings/import/", views.readings_import_view, name="readings_import"),
    path("runs/start/", views.run_start_view, name="run_start"),
    path("runs/<int:pk>/", views.run_view, name="run"),
    path("readings/<int:pk>/fix/", views.reading_fix_view, name="reading_fix"),
    path("bills/", views.bills_view, name="bills"),
    path("bills/<int:pk>/", views.bill_view, name="bill"),
    path("b/<str:token>/", views.public_bill_view, name="public_bill"),
    path("tariffs/", views.tariffs_view, name="tariffs"),
    path("tariffs/<int:pk>/", views.tariff_view, name="tariff"),
    path("tariffs/<int:pk>/edit/", views.tariff_edit_view, name="tariff_edit"),
    path("agreements/", views.agreements_view, name="agreements"),
    path("agreements/<int:pk>/<str:action>/", views.agreement_action_view, name="agreement_action"),
    path("debit/", views.debit_view, name="debit"),
    path("debit/<str:batch_no>/file/", views.batch_file_view, name="batch_file"),
    path("kpis/", views.kpis_view, name="kpis"),
    path("worklist/<str:village_code>/", views.worklist_view, name="worklist"),
]
