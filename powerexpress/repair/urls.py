from django.urls import path

from powerexpress.repair import views

app_name = "repair"
urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("report/", views.report, name="report"),
    path("follow/<str:number>/", views.follow, name="follow"),
    path("rate/<str:number>/<str:token>/", views.rate, name="rate"),
    path("hotline/", views.hotline, name="hotline"),
    path("lookup/", views.account_lookup, name="lookup"),
    path("crew/", views.crew_page, name="crew"),
    path("crew/<str:number>/", views.crew_ticket, name="crew_ticket"),
    path("crew/<str:number>/step/", views.crew_step, name="crew_step"),
    path("crew/<str:number>/undo/", views.crew_undo, name="crew_undo"),
    path("crew/<str:number>/note/", views.crew_note, name="crew_note"),
    path("t/<str:number>/", views.ticket_detail, name="detail"),
    path("t/<str:number>/move/", views.ticket_move, name="move"),
    path("t/<str:number>/note/", views.ticket_note, name="note"),
    path("t/<str:number>/reveal/", views.ticket_reveal, name="reveal"),
    path("outages/", views.outage_list, name="outages"),
    path("outages/plan/", views.outage_plan, name="outage_plan"),
    path("outages/<int:pk>/", views.outage_detail, name="outage"),
    path("outages/<int:pk>/<str:action>/", views.outage_action, name="outage_action"),
    path("kpis/", views.kpis, name="kpis"),
    path("settings/", views.commitments, name="settings"),
]
