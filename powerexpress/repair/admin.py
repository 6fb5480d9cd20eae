from django.contrib import admin

from powerexpress.repair.models import FaultTicket, Outage, RepairSettings


@admin.register(RepairSettings)
class RepairSettingsAdmin(admin.ModelAdmin):
    list_display = ["bureau", "arrival_urban_min", "arrival_rural_min", "arrival_remote_min", "updated_at"]


@admin.register(FaultTicket)
class FaultTicketAdmin(admin.ModelAdmin):
    list_display = ["number", "village", "status", "reported_at", "arrival_due_at"]
    list_filter = ["status", "area_class", "station"]
    search_fields = ["number"]
    raw_id_fields = [
        "village",
        "customer",
        "transformer",
        "outage",
        "duplicate_of",
        "assignee",
        "reported_by",
    ]


@admin.register(Outage)
class OutageAdmin(admin.ModelAdmin):
    list_display = ["number", "kind", "status", "transformer", "affected_households", "started_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["transformer"]
