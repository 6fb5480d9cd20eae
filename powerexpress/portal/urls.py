from django.urls import path

from powerexpress.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("logout/", views.logout, name="logout"),
    path("bills/", views.bills, name="bills"),
    path("autodebit/", views.autodebit, name="autodebit"),
    path("faults/", views.faults, name="faults"),
    path("applications/", views.applications, name="applications"),
    path("board/", views.board, name="board"),
    path("rate/<str:tracking_no>/", views.rate, name="rate"),
]
