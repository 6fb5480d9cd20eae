app_name = "repair"
urlpatterns: list = []
