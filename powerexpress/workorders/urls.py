from django.urls import path

from powerexpress.workorders import views

app_name = "workorders"
urlpatterns = [
    path("", views.work_order_list, name="list"),
    path("<int:pk>/", views.work_order_detail, name="detail"),
    path("<int:pk>/move/", views.work_order_move, name="move"),
    path("<int:pk>/complete/", views.work_order_complete_view, name="complete"),
]
