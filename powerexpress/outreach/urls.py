from django.urls import path

from powerexpress.outreach import views

app_name = "outreach"
urlpatterns = [
    path("", views.home, name="home"),
    path("activities/", views.activity_list, name="activities"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("teams/", views.team_list, name="teams"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("villages/<str:code>/", views.village_detail, name="village"),
    path("plan/", views.plan, name="plan"),
    path("plan/calendar/", views.plan_calendar, name="plan_calendar"),
    path("plan/new/", views.plan_item_create, name="plan_item_create"),
    path("plan/<int:pk>/", views.plan_item_detail, name="plan_item"),
    path("plan/<int:pk>/edit/", views.plan_item_edit, name="plan_item_edit"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("care/", views.care_due, name="care_due"),
    path("care/plans/", views.care_plans, name="care_plans"),
    path("care/<str:account_no>/", views.care_household, name="care_household"),
    path("inspections/", views.campaign_list, name="campaigns"),
    path("inspections/new/", views.campaign_create, name="campaign_create"),
    path("inspections/<int:pk>/", views.campaign_detail, name="campaign"),
    path("hazards/", views.hazard_list, name="hazards"),
    path("hazards/<int:pk>/", views.hazard_detail, name="hazard"),
    path("hazards/<int:pk>/order-fix/", views.hazard_order_fix, name="hazard_order_fix"),
    path("hazards/<int:pk>/reinspect/", views.hazard_reinspect, name="hazard_reinspect"),
    path("boards/", views.board_index, name="boards"),
    path("boards/<str:station_code>/print/", views.station_boards_pdf, name="station_boards_pdf"),
    path("board/<str:village_code>/", views.notice_board, name="notice_board"),
    path("board/<str:village_code>/pdf/", views.notice_board_pdf, name="notice_board_pdf"),
    path("charity/", views.charity_list, name="charity_list"),
    path("charity/new/", views.charity_create, name="charity_create"),
    path("charity/<int:pk>/", views.charity_detail, name="charity"),
]
