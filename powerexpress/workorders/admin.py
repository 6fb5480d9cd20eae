from django.contrib import admin

from powerexpress.workorders.models import WorkOrder


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "kind", "station", "status", "due_on")
    list_filter = ("kind", "status", "station")
