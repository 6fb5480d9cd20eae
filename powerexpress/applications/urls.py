from django.urls import path

from powerexpress.applications import views

app_name = "applications"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("settings/", views.application_settings, name="settings"),
    path("settings/holidays/", views.holiday_notice_save_view, name="holiday_notice"),
    path("apply/", views.apply_index, name="apply"),
    path("apply/<str:kind>/", views.apply_form, name="apply_form"),
    path("blank/<str:kind>.pdf", views.blank_pdf, name="blank_pdf"),
    path("track/", views.track_lookup, name="track_lookup"),
    path("track/<str:tracking_no>/", views.track, name="track"),
    path("track/<str:tracking_no>/withdraw/", views.track_withdraw, name="track_withdraw"),
    path("track/<str:tracking_no>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("track/<str:tracking_no>/application.pdf", views.application_pdf, name="application_pdf"),
    path("<str:tracking_no>/", views.application_detail, name="detail"),
    path("<str:tracking_no>/move/", views.application_move, name="move"),
    path("<str:tracking_no>/reveal/", views.application_reveal, name="reveal"),
]
